#!/usr/bin/env python3
"""bench: ckpt's checkpoints and restores against this machine's bounds.

    ninja bench                        # the default; writes build/bench.json
    python3 tests/bench/bench.py --scale 0.0625         # after `ninja bench`
    python3 tests/bench/bench.py --sizes 64M,256M --sparse 1G --reps 3

Apps with 256 MiB, 1 GiB and 4 GiB of touched memory, and two sparse ones
(4 GiB mapped, 5% touched, in 1 MiB pieces and in single pages), each
checkpointed and restored --reps times, the repetitions interleaved across
the apps (the speed of a VM drifts: the min is the best estimate, the
median the typical one). Each figure has a bound, measured in the same
repetition right before or after it (the order alternates between
repetitions; the fork bounds come first):

  figure                               bound
  checkpoint: time in ckpt_checkpoint  raw write: write() of the touched
    without CKPT_FORK (the app's         bytes straight from the app's
    pause)                               memory to a new file in the same
                                         directory, inside the app
  CKPT_FORK=1: time in                 raw fork: fork() in the same app, the
    ckpt_checkpoint (the pause), and     child exiting at once (also: per
    until ckpt_wait() returns            GiB touched), and fork+write: until
                                         such a child wrote the touched bytes
  restore: `restorer IMAGE` from just  raw read: read() of the image into
    before exec() to the restored        fresh memory; read+load: then a load
    app's first instruction              from every page
    (CLOCK_REALTIME), and until it
    has loaded a word of every
    touched page
  lazy: `restorer --lazy IMAGE`, the   mmap+load: mmap(MAP_PRIVATE) of the
    same                                 image and a load from every page
  image size                           the touched bytes

The incremental app (--incremental, 4 GiB touched by default; --written
1% of its pages, one word each, spread evenly) takes a full image with
CKPT_INCREMENTAL=1, then --increments increments in the same run, each a
sample (tests/bench/incremental.c):

  figure                               bound
  increment checkpoint: time in        write+scan: the raw write, writev()
    ckpt_checkpoint for an increment     of the written pages from where
                                         they are, IOV_MAX pages a call (as
                                         the writer's 4 MiB batches), to a
                                         new file in the same directory,
                                         plus the scan, PAGEMAP_SCAN of the
                                         app's memory with the tracking's
                                         flags (the written pages,
                                         protected again), timed in the app
                                         right after its writes (it then
                                         writes the same pages again)
  increment size: its blocks on disk   the written bytes (its length,
                                         st_size, has a hole: its data
                                         starts 2 MiB-aligned)
  app's write a page: its first store  untracked: the same stores before
    to each page after a checkpoint      the first checkpoint (no tracking)
    (one write fault a page)

The increment and its raw write alternate which comes first, and each
follows a sync() (the increment before it is kept: written back first)
and a write of as many bytes to a file removed at once, as below.

--stores adds a store to every page after each restore (copy-on-write:
the cost a lazy restore defers) and to the mmap bound.

Writes go to the page cache (--sync: CKPT_SYNC=1 and fdatasync()); each
timed write starts after a sync() and right after a write of the same bytes
to a file that is removed at once (the previous timed write, or else a
warm-up): on a VM with free page reporting, memory the kernel has not used
lately costs several times more to allocate than memory just freed, which
would otherwise penalize whichever write comes first (--no-warm-up:
measure without). Images are read back from the page
cache (the output says how much of them was resident); --cold drops them
from it before each read and restore (fdatasync and posix_fadvise
DONTNEED: no privilege needed). Images go to --dir, removed at the end.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Rows of the table: name, sample key, figure, bound (a sample key, or
# 'GiB': per GiB touched), target (kind, limit).
FIGURES = [
    ('checkpoint', 'checkpoint', 'checkpoint (= its pause)', 'raw_write',
     ('ratio', 1.1)),
    ('fork_pause', 'fork_pause', 'CKPT_FORK=1: pause', 'raw_fork',
     ('ratio', 1.1)),
    ('fork_pause_gib', 'fork_pause', '  the same per GiB', 'GiB', None),
    ('fork_complete', 'fork_complete', 'CKPT_FORK=1: image done',
     'raw_fork_write', None),
    ('eager', 'eager', 'restore: 1st instruction', 'raw_read',
     ('ratio', 1.1)),
    ('eager_read', 'eager_read', 'restore: all pages loaded', 'read_load',
     None),
    ('lazy', 'lazy', 'lazy: 1st instruction', None, ('time', 0.020)),
    ('lazy_read', 'lazy_read', 'lazy: all pages loaded', 'map_read', None),
    ('lazy_written', 'lazy_written', 'lazy: all pages stored', 'map_write',
     None),
    ('image', 'image', 'image size', 'touched', ('ratio', 1.1)),
    ('increment', 'increment', 'increment checkpoint', 'write_scan',
     ('ratio', 1.1)),
    ('inc_write', 'raw_pages', '  raw write of the pages', None, None),
    ('inc_scan', 'scan', '  PAGEMAP_SCAN (tracking)', None, None),
    ('increment_size', 'increment_size', 'increment size (on disk)',
     'written', ('ratio', 1.1)),
    ('increment_length', 'increment_length', '  its length (st_size)',
     'written', None),
    ('tracked', 'tracked', "app's write a page", 'untracked', None),
]
# Figures in bytes; the others are seconds.
BYTE_KEYS = ('image', 'touched', 'increment_size', 'increment_length',
             'written')
BOUND_NAMES = {'raw_write': 'raw write', 'raw_fork': 'raw fork',
               'raw_fork_write': 'fork+write', 'raw_read': 'raw read',
               'read_load': 'read+load', 'map_read': 'mmap+load',
               'map_write': 'mmap+ld+st', 'touched': 'touched',
               'GiB': 'GiB touched', 'write_scan': 'write+scan',
               'written': 'written', 'untracked': 'untracked'}
TARGET_TEXT = {'checkpoint': '<= 1.1x raw write',
               'fork_pause': '<= 1.1x raw fork',
               'eager': '<= 1.1x raw read',
               'lazy': '< 20 ms at any size',
               'image': '<= 1.1x touched',
               'increment': '<= 1.1x write+scan',
               'increment_size': '<= 1.1x written'}


def parse_size(text):
    """'256M', '4G', '512K', '4096' (bytes) -> bytes."""
    text = text.strip().upper().rstrip('B').rstrip('I')
    mult = {'K': KIB, 'M': MIB, 'G': GIB}.get(text[-1:], 1)
    try:
        return int(float(text.rstrip('KMG')) * mult)
    except ValueError:
        raise argparse.ArgumentTypeError('not a size: %r' % text)


def size_text(n):
    for unit, name in ((GIB, 'GiB'), (MIB, 'MiB'), (KIB, 'KiB')):
        if n >= unit:
            v = n / unit
            return ('%d %s' if v == int(v) else '%.1f %s') % (v, name)
    return '%d B' % n


def round_to(n, unit):
    return max(unit, int(round(n / unit)) * unit)


class Case:
    def __init__(self, name, mapped, touched, piece, incremental=False):
        self.name, self.mapped, self.touched, self.piece = \
            name, mapped, touched, piece
        self.incremental = incremental
        self.samples = []


def make_cases(args, page):
    cases = []
    for size in args.sizes:
        t = round_to(size * args.scale, MIB)
        cases.append(Case('%s touched' % size_text(t), t, t, t))
    if args.sparse:
        mapped = round_to(args.sparse * args.scale, MIB)
        for piece in args.pieces:
            piece = round_to(piece, page)
            n = max(1, int(round(mapped * args.fraction / piece)))
            name = 'sparse: %s touched (%g%%) of %s mapped, in %s' % (
                size_text(n * piece), 100.0 * n * piece / mapped,
                size_text(mapped), 'single pages' if piece == page
                else size_text(piece) + ' pieces')
            cases.append(Case(name, mapped, n * piece, piece))
    if args.incremental:
        t = round_to(args.incremental * args.scale, MIB)
        cases.append(Case('incremental: %g%% of %s written' % (
            args.written, size_text(t)), t, t, t, incremental=True))
    return cases


def run(cmd, env=None):
    """{key: value} of the lines a program prints; raises on failure."""
    p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError('%s: exit status %d\n%s%s' % (
            ' '.join(cmd), p.returncode, p.stdout, p.stderr))
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


class Bench:
    def __init__(self, args):
        self.args = args
        self.env = dict(os.environ)
        for var in ('CKPT_IMAGE', 'CKPT_SIGNAL', 'CKPT_FORK', 'CKPT_SYNC',
                    'CKPT_INTERVAL'):
            self.env.pop(var, None)
        if args.sync:
            self.env['CKPT_SYNC'] = '1'
        d = args.dir
        self.image = os.path.join(d, 'bench.ckpt')
        self.fork_image = os.path.join(d, 'bench-fork.ckpt')
        self.raw = os.path.join(d, 'raw.bin')
        self.inc_image = os.path.join(d, 'bench-inc.ckpt')
        self.paths = [self.image, self.fork_image, self.raw,
                      self.raw + '.warm']
        if not args.warm_up:
            self.env['BENCH_WARMUP'] = '0'
        if args.stores:
            self.env['BENCH_STORES'] = '1'

    def app(self, case, image, order, env=None):
        return run([self.args.app, image, str(case.mapped),
                    str(case.touched), str(case.piece), self.raw, order],
                   env or self.env)

    def cache(self, r):
        """Makes the image cold if asked; records how much is cached."""
        how = 'evict' if self.args.cold else 'resident'
        r['resident'] = min(r.get('resident', 1.0), float(
            run([self.args.rawio, how, self.image])['resident']))

    def restore(self, r, name, flags):
        out = run([self.args.rawio, 'exec', self.args.restorer] + flags +
                  [self.image], self.env)
        if out.get('bad') != '0':
            raise RuntimeError('restored app found %s wrong pages'
                               % out.get('bad'))
        start = int(out['exec'])
        for key, suffix in (('resumed', ''), ('read', '_read'),
                            ('written', '_written')):
            if key in out:
                r[name + suffix] = (int(out[key]) - start) / 1e9

    def remove_chain(self):
        """The incremental app's images: IMAGE, IMAGE.0, ..., leftovers."""
        d, base = os.path.split(self.inc_image)
        for name in os.listdir(d):
            if name == base or name.startswith(base + '.'):
                remove(os.path.join(d, name))

    def measure_incremental(self, case, rep):
        """One run of the incremental app: a sample per increment."""
        self.remove_chain()
        order = 'raw-first' if rep % 2 == 0 else 'ckpt-first'
        out = run([self.args.incremental_app, self.inc_image,
                   str(case.touched), '%g' % self.args.written,
                   str(self.args.increments), self.raw, order],
                  dict(self.env, CKPT_INCREMENTAL='1'))
        self.remove_chain()
        written = int(out['written'])
        page = os.sysconf('SC_PAGE_SIZE')
        samples = []
        for i in range(self.args.increments):
            get = lambda key: float(out['%s_%d' % (key, i)])
            if int(get('scanned')) != written // page:
                raise RuntimeError(
                    'incremental app: its PAGEMAP_SCAN found %d written '
                    'pages, not %d: no tracking?' % (get('scanned'),
                                                     written // page))
            r = {'order': order if i % 2 == 0 else
                 ({'raw-first': 'ckpt-first', 'ckpt-first': 'raw-first'}
                  [order]),
                 'increment': get('checkpoint'), 'raw_pages':
                 get('raw_write'), 'scan': get('scan'),
                 'write_scan': get('raw_write') + get('scan'),
                 'increment_size': get('disk'),
                 'increment_length': get('size'), 'written': written,
                 'tracked': get('tracked'), 'untracked': get('untracked')}
            samples.append(r)
        return samples

    def measure(self, case, rep):
        """One repetition of one app: {key: seconds, bytes or fraction}.
        Each figure and its bound run one after the other, in an order
        that alternates between repetitions."""
        first = rep % 2 == 0
        r = {}
        for path in self.paths:
            remove(path)
        out = self.app(case, self.fork_image, 'ckpt',
                       env=dict(self.env, CKPT_FORK='1'))
        r['fork_pause'] = float(out['pause'])
        r['fork_complete'] = float(out['complete'])
        r['raw_fork'] = float(out['raw_fork'])
        r['raw_fork_write'] = float(out['raw_fork_write'])
        remove(self.fork_image)

        r['order'] = 'raw-first' if first else 'ckpt-first'
        out = self.app(case, self.image, r['order'])
        r['checkpoint'] = float(out['pause'])
        r['raw_write'] = float(out['raw_write'])
        r['image'] = os.path.getsize(self.image)
        r['touched'] = case.touched

        def raw_read():
            self.cache(r)
            out = run([self.args.rawio, 'read', self.image])
            r['raw_read'] = float(out['read'])
            r['read_load'] = float(out['read_load'])

        def eager():
            self.cache(r)
            self.restore(r, 'eager', [])

        def raw_map():
            self.cache(r)
            out = run([self.args.rawio, 'map', self.image] +
                      (['store'] if self.args.stores else []))
            r['map_read'] = float(out['map_read'])
            if self.args.stores:
                r['map_write'] = float(out['map_write'])

        def lazy():
            self.cache(r)
            self.restore(r, 'lazy', ['--lazy'])

        for step in (raw_read, eager, raw_map, lazy) if first else \
                (eager, raw_read, lazy, raw_map):
            step()
        remove(self.image)
        return r


def summarize(case):
    s = case.samples
    gib = case.touched / GIB
    figures = {}
    for name, key, label, bound, target in FIGURES:
        if key not in s[0]:
            continue
        values = [x[key] for x in s]
        f = {'figure': label, 'samples': values,
             'median': statistics.median(values), 'min': min(values),
             'unit': 'bytes' if key in BYTE_KEYS else 'seconds'}
        if bound == 'GiB':
            f['bound'] = 'GiB touched'
            b = [gib]
        elif bound:
            f['bound'] = bound
            b = [x[bound] for x in s]
            f['bound_samples'] = b
        if bound:
            f['bound_median'] = statistics.median(b)
            f['bound_min'] = min(b)
            f['ratio'] = f['median'] / f['bound_median']
            f['ratio_of_mins'] = f['min'] / f['bound_min']
        # The image target is the sparse apps'.
        if target and (key != 'image' or case.piece < case.touched):
            kind, limit = target
            f['target'] = TARGET_TEXT[name]
            if kind == 'time':
                f['met'] = f['median'] < limit
                f['met_by_min'] = f['min'] < limit
            elif kind == 'per GiB':
                f['met'] = f['ratio'] < limit
                f['met_by_min'] = f['ratio_of_mins'] < limit
            else:
                f['met'] = f['ratio'] <= limit
                f['met_by_min'] = f['ratio_of_mins'] <= limit
        figures[name] = f
    return figures


def ms(seconds):
    v = seconds * 1000
    if v < 0.001:
        return '%.1f ns' % (v * 1e6)
    if v < 0.1:
        return '%.2f us' % (v * 1000)
    return '%.2f ms' % v if v < 10 else '%.1f ms' % v if v < 10000 \
        else '%.0f ms' % v


def table(cases):
    fmt = '%-25s %10s %10s | %-11s %10s %10s | %9s %9s | %s'
    head = fmt % ('figure', 'median', 'min', 'bound', 'median', 'min',
                  'ratio', 'of mins', 'target')
    rule = '-' * (len(head) + 24)
    mib = lambda v: '%.1f MiB' % (v / MIB)
    lines = []
    for case in cases:
        lines += [rule, case.name, head]
        for name, key, label, bound, target in FIGURES:
            if name not in case.summary:
                continue
            f = case.summary[name]
            show = mib if key in BYTE_KEYS else ms
            cells = [''] * 5
            if bound == 'GiB':
                per = lambda v: '%.2f ms' % (v * 1000)
                cells = [BOUND_NAMES[bound], '%.3f' % f['bound_median'], '',
                         per(f['ratio']), per(f['ratio_of_mins'])]
            elif bound:
                cells = [BOUND_NAMES[bound], show(f['bound_median']),
                         show(f['bound_min']), '%.2fx' % f['ratio'],
                         '%.2fx' % f['ratio_of_mins']]
            verdict = ''
            if 'target' in f:
                verdict = '%-19s %s' % (
                    f['target'], 'ok' if f['met'] else
                    'MISSED (min ok)' if f['met_by_min'] else 'MISSED')
            lines.append((fmt % tuple([label, show(f['median']),
                                       show(f['min'])] + cells +
                                      [verdict])).rstrip())
    lines.append(rule)
    return '\n'.join(lines)


def machine(directory):
    info = {'nproc': os.cpu_count(), 'kernel': platform.release(),
            'kernel version': platform.version()}
    try:
        info['nproc'] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    with open('/proc/cpuinfo') as f:
        info['cpu'] = next((l.split(':', 1)[1].strip() for l in f
                            if l.startswith('model name')), '?')
    with open('/proc/meminfo') as f:
        mem = {l.split(':')[0]: int(l.split()[1]) * KIB for l in f}
    info['memory'] = mem['MemTotal']
    info['available'] = mem['MemAvailable']

    def read(path):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return '?'
    info['thp'] = read('/sys/kernel/mm/transparent_hugepage/enabled')
    info['dirty_ratio'] = read('/proc/sys/vm/dirty_ratio')
    info['dirty_background_ratio'] = read(
        '/proc/sys/vm/dirty_background_ratio')
    # The file system of the image directory: the longest mount prefix.
    real, best = os.path.realpath(directory), ('', '?', '?')
    with open('/proc/mounts') as f:
        for line in f:
            dev, mnt, fstype = line.split()[:3]
            mnt = mnt.replace('\\040', ' ')
            if (real == mnt or real.startswith(mnt.rstrip('/') + '/')) \
                    and len(mnt) > len(best[0]):
                best = (mnt, dev, fstype)
    info['image dir'] = '%s (%s on %s)' % (real, best[2], best[1])
    return info


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    build = os.path.join(ROOT, 'build')
    arch = platform.machine()
    ap.add_argument('--app', default=os.path.join(build, 'bench',
                                                  'bench-app'))
    ap.add_argument('--rawio', default=os.path.join(build, 'bench', 'rawio'))
    ap.add_argument('--incremental-app', default=os.path.join(
        build, 'bench', 'incremental'))
    ap.add_argument('--restorer', default=os.path.join(build, arch,
                                                       'restorer'))
    ap.add_argument('--dir', default=os.path.join(build, 'bench', 'images'),
                    help='where images go (created; removed at the end)')
    ap.add_argument('--json', default=os.path.join(build, 'bench.json'))
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--sizes', default='256M,1G,4G',
                    type=lambda s: [parse_size(x) for x in s.split(',') if x],
                    help='touched sizes of the dense apps (default '
                    '256M,1G,4G; empty: none)')
    ap.add_argument('--sparse', default='4G', type=parse_size,
                    help='mapped size of the sparse apps (0: none)')
    ap.add_argument('--fraction', type=float, default=0.05,
                    help='touched share of the sparse apps (default 0.05)')
    ap.add_argument('--pieces', default='1M,4K',
                    type=lambda s: [parse_size(x) for x in s.split(',') if x],
                    help='sparse apps touch pieces of these sizes, spread '
                    'evenly (default 1M,4K: a sparse app each)')
    ap.add_argument('--incremental', default='4G', type=parse_size,
                    help='touched size of the incremental app (0: none)')
    ap.add_argument('--written', type=float, default=1.0,
                    help='percent of its pages the incremental app writes '
                    'between checkpoints (default 1)')
    ap.add_argument('--increments', type=int, default=3,
                    help='increments per run of the incremental app '
                    '(default 3; each run starts with a full image)')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every size (0.0625: 16 MiB to 256 MiB)')
    ap.add_argument('--sync', action='store_true',
                    help='CKPT_SYNC=1, and fdatasync the raw write')
    ap.add_argument('--stores', action='store_true',
                    help='also time a store to every page after the '
                    'restores (the copy-on-write cost a lazy restore '
                    'defers): about 5 s per GiB more here')
    ap.add_argument('--no-warm-up', dest='warm_up', action='store_false',
                    help='do not precede each timed write by a write of '
                    'the same bytes to a file removed at once')
    ap.add_argument('--cold', action='store_true',
                    help='drop each image from the page cache before each '
                    'read and restore')
    args = ap.parse_args()
    for tool in (args.app, args.rawio, args.incremental_app, args.restorer):
        if not os.access(tool, os.X_OK):
            sys.exit('bench: %s is missing: run `ninja bench` (or ninja %s)'
                     % (tool, os.path.relpath(tool)))

    page = os.sysconf('SC_PAGE_SIZE')
    cases = make_cases(args, page)
    if not cases or args.reps < 1 or args.increments < 1:
        sys.exit('bench: nothing to measure')
    os.makedirs(args.dir, exist_ok=True)
    info = machine(args.dir)
    # At most: the app, its image and its raw file, or the image and a
    # restored app that stored into every page.
    need = 3 * max(c.touched for c in cases) + GIB
    if need > info['available']:
        os.rmdir(args.dir)
        sys.exit('bench: needs about %s of memory, %s available: use '
                 '--scale or --sizes' % (size_text(need),
                                         size_text(info['available'])))

    b = Bench(args)
    started = time.monotonic()
    total = args.reps * len(cases)
    try:
        for rep in range(args.reps):
            for case in cases:
                t0 = time.monotonic()
                if case.incremental:
                    case.samples += b.measure_incremental(case, rep)
                else:
                    case.samples.append(b.measure(case, rep))
                done = rep * len(cases) + cases.index(case) + 1
                el = time.monotonic() - started
                print('bench: %d/%d %s, rep %d: %.1f s (%.0f s so far, '
                      'about %.0f s to go)' % (
                          done, total, case.name, rep + 1,
                          time.monotonic() - t0, el,
                          el / done * (total - done)),
                      file=sys.stderr, flush=True)
    finally:
        for path in b.paths:
            remove(path)
        b.remove_chain()
        try:
            os.rmdir(args.dir)
        except OSError:
            pass
    elapsed = time.monotonic() - started

    for case in cases:
        case.summary = summarize(case)
    resident = min([x['resident'] for c in cases for x in c.samples
                    if 'resident' in x] or [1.0])
    print()
    print('ckpt bench: %s, %d CPUs, %s RAM, Linux %s' % (
        info['cpu'], info['nproc'], size_text(info['memory']),
        info['kernel']))
    print('images in %s; THP %s' % (info['image dir'], info['thp']))
    print('%d repetition%s of each app, interleaved; median and min; '
          'ratio = median / median of the bound, of mins = min / min' % (
              args.reps, '' if args.reps == 1 else 's'))
    print('%s%s; images %s when read and restored (mincore: at least '
          '%.1f%% resident)' % (
              'CKPT_SYNC=1, raw writes fdatasync()ed' if args.sync else
              'writes to the page cache, not synced',
              ', each right after a write of the same bytes'
              if args.warm_up else '',
              'dropped from the page cache (--cold)' if args.cold else
              'in the page cache', resident * 100))
    print()
    print(table(cases))
    print()
    print('%.0f s in all' % elapsed)

    result = {
        'machine': info,
        'options': {'reps': args.reps, 'scale': args.scale,
                    'sync': args.sync, 'cold': args.cold,
                    'warm_up': args.warm_up, 'stores': args.stores,
                    'fraction': args.fraction,
                    'incremental': args.incremental,
                    'written': args.written,
                    'increments': args.increments},
        'targets': TARGET_TEXT,
        'seconds': elapsed,
        'min resident': resident,
        'apps': [{'name': c.name, 'mapped': c.mapped, 'touched': c.touched,
                  'piece': c.piece, 'figures': c.summary,
                  'samples': c.samples} for c in cases],
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    print('bench: wrote %s' % args.json)
    judged = [f for c in cases for f in c.summary.values() if 'met' in f]
    print('targets: %d of %d met' % (sum(f['met'] for f in judged),
                                     len(judged)))


if __name__ == '__main__':
    main()
