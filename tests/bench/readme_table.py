#!/usr/bin/env python3
"""readme_table: the README's Performance tables, from a bench run.

    python3 tests/bench/readme_table.py [build/bench.json]

Prints the machine line and one Markdown table per app, from what
`ninja bench` (bench.py) wrote, so that the README shows a run as it was.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import BOUND_NAMES, BYTE_KEYS, FIGURES, MIB, ms  # noqa: E402


def cell(key, v):
    return '%.1f MiB' % (v / MIB) if key in BYTE_KEYS else ms(v)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else 'build/bench.json'
    run = json.load(open(path))
    m, o = run['machine'], run['options']
    print('Measured by `ninja bench` (options: reps %d, scale %s) on %s, '
          '%d CPUs, %.1f GiB, Linux %s, images in %s, in the page cache; '
          '%.0f s in all.' % (o['reps'], o['scale'], m['cpu'], m['nproc'],
                              m['memory'] / 2**30, m['kernel'],
                              m['image dir'], run['seconds']))
    for app in run['apps']:
        print('\n**%s**\n' % app['name'])
        print('| figure | median | min | bound (median) | ratio | target |')
        print('| --- | ---: | ---: | --- | ---: | --- |')
        for name, key, label, bound, _ in FIGURES:
            f = app['figures'].get(name)
            if not f:
                continue
            b = r = ''
            if bound == 'GiB':
                b = '%.3f GiB' % f['bound_median']
                r = '%.2f ms/GiB' % (f['ratio'] * 1000)
            elif bound:
                b = '%s %s' % (BOUND_NAMES[bound],
                               cell(key, f['bound_median']))
                r = '%.2fx' % f['ratio']
            t = ''
            if 'target' in f:
                t = '%s (%s)' % (f['target'], 'met' if f['met'] else
                                 'missed, min met' if f['met_by_min']
                                 else 'missed')
            print('| %s | %s | %s | %s | %s | %s |' % (
                label.strip(), cell(key, f['median']), cell(key, f['min']),
                b, r, t))


if __name__ == '__main__':
    main()
