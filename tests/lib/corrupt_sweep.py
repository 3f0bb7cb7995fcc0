#!/usr/bin/env python3
"""corrupt_sweep: damage a good image in many ways; the restorer must refuse each.

usage: corrupt_sweep.py --restorer PATH [--run PREFIX] [--seed N] GOOD.ckpt

First restores GOOD.ckpt itself (it must print "restored" and exit 0: the
sweep means nothing if the good image does not work). Then it writes damaged
copies next to it, one at a time:

  * truncated at 0, inside the header, at the end of the header, of the
    section directory and of the metadata, inside each section, at every
    region's data boundaries and at random offsets;
  * one bit flipped in the header, the section directory, each section
    (process and thread records, region, run and fd tables, strings) and
    the region data (random positions; the zero padding before the first
    data page carries no information and is left alone);
  * a page of region data zeroed (one that was not zero already);
  * the data of two regions of the same size swapped (different contents).

Each damaged image must make the restorer exit with status 1, print a
message "restorer: IMAGE: ..." on stderr, die by no signal, and let nothing
of the app run (no "restored" on stdout). One line per image on stdout:
"refused: KIND: MESSAGE" or "ACCEPTED: KIND: ...", then a summary line
"sweep: N damaged images, all refused" or "sweep: N damaged images, M not
refused". Exit status 1 if any was not refused.
"""

import argparse
import os
import random
import shlex
import struct
import subprocess
import sys

HEADER = struct.Struct('<8sIIIIIIQIIQQ')  # image::header (format 2)
SECTION = struct.Struct('<IIIIQQ')        # image::section
REGION = struct.Struct('<QQIIII QQQ II')
# Section types, and what the sweep calls them.
SECTION_NAMES = {1: 'process record', 2: 'thread records',
                 3: 'region table', 4: 'run table', 5: 'fd table',
                 6: 'strings'}


def parse(data):
    (magic, version, machine, page_size, header_size, section_size,
     section_count, meta_size, meta_crc, reserved, data_offset,
     file_size) = HEADER.unpack_from(data, 0)
    sections = {}
    for i in range(section_count):
        typ, esize, count, _, off, size = SECTION.unpack_from(
            data, header_size + i * section_size)
        sections[typ & 0x7fffffff] = (off, size)
    regions = []
    table, _ = sections[3]
    for i in range(sections[3][1] // REGION.size):
        r = REGION.unpack_from(data, table + i * REGION.size)
        regions.append({'start': r[0], 'end': r[1], 'data_offset': r[7],
                        'data_size': r[8]})
    return {'header_size': header_size,
            'directory_end': header_size + section_count * section_size,
            'sections': sections, 'meta_size': meta_size,
            'data_offset': data_offset, 'file_size': file_size,
            'page_size': page_size, 'regions': regions}


def variants(data, layout, rng):
    """(kind, bytes) pairs, each a damaged copy of data."""
    size = len(data)
    stored = [r for r in layout['regions'] if r['data_size']]

    cuts = {0, 4, layout['header_size'] - 1, layout['header_size'],
            layout['directory_end'], layout['meta_size'] - 1,
            layout['meta_size'], layout['data_offset'], size - 1}
    for off, length in layout['sections'].values():
        cuts.update({off, off + length // 2})
    for r in stored:
        cuts.update({r['data_offset'], r['data_offset'] + r['data_size'] // 2,
                     r['data_offset'] + r['data_size'] - 1})
    cuts.update(rng.randrange(size) for _ in range(12))
    for cut in sorted(c for c in cuts if 0 <= c < size):
        yield 'truncated at %d' % cut, data[:cut]

    areas = [('header', 0, layout['header_size']),
             ('section directory', layout['header_size'],
              layout['directory_end'])]
    for typ, (off, length) in sorted(layout['sections'].items()):
        if length:
            areas.append((SECTION_NAMES.get(typ, 'section %d' % typ), off,
                          off + length))
    for name, lo, hi in areas:
        for _ in range(6 if name in ('strings', 'fd table') else 16):
            yield flip(data, rng.randrange(lo, hi), rng, name)
    for _ in range(16):
        r = rng.choice(stored)
        yield flip(data, r['data_offset'] + rng.randrange(r['data_size']),
                   rng, 'data of region at 0x%x' % r['start'])

    page = layout['page_size']
    pages = [(r, off) for r in stored
             for off in range(0, r['data_size'], page)
             if any(data[r['data_offset'] + off:r['data_offset'] + off + page])]
    for r, off in rng.sample(pages, min(6, len(pages))):
        at = r['data_offset'] + off
        yield ('zeroed page at file offset %d' % at,
               data[:at] + bytes(page) + data[at + page:])

    by_size = {}
    for r in stored:
        by_size.setdefault(r['data_size'], []).append(r)
    swaps = 0
    for same in by_size.values():
        for a, b in zip(same, same[1:]):
            da = data[a['data_offset']:a['data_offset'] + a['data_size']]
            db = data[b['data_offset']:b['data_offset'] + b['data_size']]
            if da == db or swaps >= 4:
                continue
            out = bytearray(data)
            out[a['data_offset']:a['data_offset'] + len(da)] = db
            out[b['data_offset']:b['data_offset'] + len(db)] = da
            swaps += 1
            yield ('regions at 0x%x and 0x%x swapped' % (a['start'],
                                                         b['start']),
                   bytes(out))


def flip(data, at, rng, where):
    out = bytearray(data)
    bit = rng.randrange(8)
    out[at] ^= 1 << bit
    return 'bit %d of byte %d flipped (%s)' % (bit, at, where), bytes(out)


def run_restorer(args, path):
    cmd = shlex.split(args.run) + [args.restorer, path]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return None, b'', b'timeout'
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--restorer', required=True)
    ap.add_argument('--run', default='')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('image')
    args = ap.parse_args()

    code, out, err = run_restorer(args, args.image)
    if code != 0 or b'restored' not in out:
        print('corrupt_sweep: the good image does not restore (status %s): %s'
              % (code, err.decode(errors='replace').strip()))
        return 1
    print('good image: restored')

    with open(args.image, 'rb') as f:
        data = f.read()
    layout = parse(data)
    rng = random.Random(args.seed)
    damaged = args.image + '.damaged'
    total = bad = 0
    for kind, blob in variants(data, layout, rng):
        fd = os.open(damaged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as f:
            f.write(blob)
        code, out, err = run_restorer(args, damaged)
        msg = err.decode(errors='replace').strip().splitlines()
        first = msg[0] if msg else ''
        total += 1
        ok = (code == 1 and first.startswith('restorer: %s: ' % damaged)
              and b'restored' not in out)
        if ok:
            print('refused: %s: %s' % (kind, first[len(damaged) + 12:]))
        else:
            bad += 1
            print('ACCEPTED: %s: status %s, stderr %r, stdout %r'
                  % (kind, code, first, out[:200]))
    os.unlink(damaged)
    if bad:
        print('sweep: %d damaged images, %d not refused' % (total, bad))
        return 1
    print('sweep: %d damaged images, all refused' % total)
    return 0


if __name__ == '__main__':
    sys.exit(main())
