#!/usr/bin/env python3
"""bench: ckpt against the physical bounds of this machine.

usage: bench.py --cc CC --runtime RUNTIME.o --restorer RESTORER
                [--dir DIR] [--json OUT] [--reps N] [--scale F]

For apps holding 256 MiB, 1 GiB and 4 GiB of touched memory, and a sparse
one (4 GiB mapped, 5% touched), measures in the same run, repetitions
interleaved across the configurations:

  raw write     write() of the touched bytes to a new file in DIR: the bound
                for a checkpoint (page cache; nothing is synced)
  checkpoint    ckpt_checkpoint() in the app, which is also its pause
  forked pause  the same with CKPT_FORK=1: the app's pause only
  raw read      read() of the image into fresh memory: the bound for an
                eager restore (the image is in the page cache)
  restore       restorer start to the app's first instruction
  lazy restore  restorer --lazy, to the first instruction and until the
                app has read every touched page
  image size    against the touched bytes

Each figure is the median of --reps runs (min beside it) with its ratio to
its bound and the target. --scale multiplies every size (0.125: 32 MiB to
512 MiB) for small machines. Restore times include starting the restorer
(fork and exec from Python, about a millisecond).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

MIB = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))


def size(mib):
    return '%d GiB' % (mib >> 10) if mib >= 1024 and not mib % 1024 \
        else '%d MiB' % mib


def configs(scale):
    """(name, mapped MiB, touched MiB) of each app."""
    out = []
    for n in (256, 1024, 4096):
        m = max(1, int(n * scale))
        out.append((size(m), m, m))
    m = max(20, int(4096 * scale))
    out.append(('sparse 5%% of %s' % size(m), m, m // 20))
    return out


def build(cc, runtime, out):
    os.makedirs(out, exist_ok=True)
    app = os.path.join(out, 'bench-app')
    rawio = os.path.join(out, 'rawio')
    inc = os.path.join(HERE, '..', '..', 'runtime')
    subprocess.run([cc, '-O2', '-I', inc, os.path.join(HERE, 'bench-app.c'),
                    runtime, '-o', app], check=True)
    subprocess.run([cc, '-O2', os.path.join(HERE, 'rawio.c'), '-o', rawio],
                   check=True)
    return app, rawio


def lines(cmd, env=None):
    """{first word: rest} of a program's output; raises on failure."""
    p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError('%s: status %d: %s' % (' '.join(cmd), p.returncode,
                                                  p.stderr.strip()))
    out = {}
    for line in p.stdout.splitlines():
        key, _, value = line.partition(' ')
        out[key] = value
    return out


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def measure(app, rawio, restorer, d, mapped, touched):
    """One repetition of one configuration: {metric: seconds or bytes}."""
    image = os.path.join(d, 'bench.ckpt')
    raw = os.path.join(d, 'raw.bin')
    r = {}
    remove(image)
    r['raw write'] = float(subprocess.run(
        [rawio, 'write', raw, str(touched)], check=True, capture_output=True,
        text=True).stdout)
    remove(raw)

    env = dict(os.environ, CKPT_FORK='1')
    remove(image)
    out = lines([app, image, str(mapped), str(touched)], env)
    r['forked pause'] = float(out['pause'])
    r['forked complete'] = float(out['complete'])

    remove(image)
    out = lines([app, image, str(mapped), str(touched)])
    r['checkpoint'] = float(out['pause'])
    r['image size'] = os.path.getsize(image)
    r['touched bytes'] = touched * MIB

    r['raw read'] = float(subprocess.run(
        [rawio, 'read', image], check=True, capture_output=True,
        text=True).stdout)

    for name, flags in (('restore', []), ('lazy restore', ['--lazy'])):
        start = time.time_ns()
        out = lines([restorer] + flags + [image])
        r[name] = (int(out['resumed']) - start) / 1e9
        r[name + ', all pages'] = (int(out['touched']) - start) / 1e9
    remove(image)
    return r


# metric, bound metric (or a fixed bound), what the target says
TARGETS = [
    ('checkpoint', 'raw write', 1.1, 'checkpoint <= 1.1x raw write'),
    ('restore', 'raw read', 1.1, 'eager restore <= 1.1x raw read'),
    ('lazy restore', None, 0.020, 'lazy restore < 20 ms'),
    ('lazy restore, all pages', 'raw read', None, ''),
    ('forked pause', 'per GiB', 0.001, 'forked pause < 1 ms per GiB'),
    ('forked complete', 'raw write', None, ''),
    ('image size', 'touched bytes', 1.1, 'image <= 1.1x touched bytes'),
]


def summarize(samples, mapped):
    rows = []
    for metric, bound, limit, target in TARGETS:
        values = [s[metric] for s in samples]
        med = statistics.median(values)
        row = {'metric': metric, 'median': med, 'min': min(values),
               'samples': values, 'target': target}
        if bound == 'per GiB':
            ratio = med / (mapped * MIB / (1 << 30))
            row['bound'] = 'per GiB mapped'
        elif bound:
            b = statistics.median(s[bound] for s in samples)
            ratio = med / b
            row['bound'] = bound
            row['bound median'] = b
        else:
            ratio = None
            row['bound'] = None
        row['ratio'] = ratio
        if limit is not None:
            row['met'] = (ratio if ratio is not None else med) <= limit
        rows.append(row)
    return rows


def show(value, metric):
    if metric == 'image size':
        return '%.1f MiB' % (value / MIB)
    return '%.1f ms' % (value * 1000) if value < 1 else '%.2f s' % value


def print_table(results):
    head = '%-20s %-24s %10s %10s %-14s %8s  %s' % (
        'app', 'figure', 'median', 'min', 'bound', 'ratio', 'target')
    print(head)
    print('-' * len(head))
    for name, rows in results:
        for row in rows:
            bound = row['bound'] or ''
            if 'bound median' in row:
                bound = '%s %s' % (bound, show(row['bound median'],
                                               row['metric']))
            ratio = '%.2fx' % row['ratio'] if row['ratio'] is not None else ''
            if row['bound'] == 'per GiB mapped':
                ratio = '%.2f ms' % (row['ratio'] * 1000)
                bound = '/GiB'
            met = {True: 'ok', False: 'MISSED'}.get(row.get('met'), '')
            print('%-20s %-24s %10s %10s %-14s %8s  %s %s' % (
                name, row['metric'], show(row['median'], row['metric']),
                show(row['min'], row['metric']), bound, ratio,
                row['target'], met))
        name = ''


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as f:
            model = next((l.split(':', 1)[1].strip() for l in f
                          if l.startswith('model name')), '')
    except OSError:
        pass
    mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    return {'cpu': model, 'cores': os.cpu_count(),
            'memory GiB': round(mem / (1 << 30), 1),
            'kernel': platform.release()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cc', default='cc')
    ap.add_argument('--runtime', required=True)
    ap.add_argument('--restorer', required=True)
    ap.add_argument('--dir', default='build/bench')
    ap.add_argument('--json', default='build/bench.json')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--scale', type=float, default=1.0)
    args = ap.parse_args()

    app, rawio = build(args.cc, args.runtime, args.dir)
    cfgs = configs(args.scale)
    samples = {name: [] for name, _, _ in cfgs}
    for rep in range(args.reps):
        for name, mapped, touched in cfgs:
            print('bench: rep %d/%d: %s' % (rep + 1, args.reps, name),
                  file=sys.stderr, flush=True)
            samples[name].append(measure(app, rawio, args.restorer,
                                         args.dir, mapped, touched))
    results = [(name, summarize(samples[name], mapped))
               for name, mapped, _ in cfgs]
    info = machine()
    print('ckpt bench: %s, %d cores, %.0f GiB, Linux %s; median of %d' % (
        info['cpu'], info['cores'], info['memory GiB'], info['kernel'],
        args.reps))
    print_table(results)
    with open(args.json, 'w') as f:
        json.dump({'machine': info, 'reps': args.reps, 'scale': args.scale,
                   'results': {name: rows for name, rows in results}}, f,
                  indent=1)
    print('bench: wrote %s' % args.json)


if __name__ == '__main__':
    main()
