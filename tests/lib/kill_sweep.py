#!/usr/bin/env python3
"""kill_sweep: SIGKILL an app in the middle of its checkpoints; the image
named by CKPT_IMAGE must always restore.

usage: kill_sweep.py --restorer PATH [--run PREFIX] [--rounds N] APP IMAGE

APP is tests/Inputs/busy-memory.c: `APP --fresh` writes a first image and
prints READY; `APP` alone only prints READY. Each round starts APP, lets it
run a little, sends SIGUSR2, waits a random time between 0 and 3 times the length of one
whole checkpoint (measured first), kills APP with SIGKILL, and restores
IMAGE: it must print "restored version V: ok" and exit 0, whether the kill
landed before, during or after the checkpoint. Temporary files
(IMAGE.tmp.*) that killed checkpoints leave are counted and kept: the
next checkpoint to IMAGE must remove them (and where the file system has
O_TMPFILE, there are none). After the rounds one more checkpoint runs to
its end; then no file but IMAGE may be left in its directory.

Prints one line per round, "kill_sweep: N rounds, image always restored",
and "kill_sweep: no temporary file left" or the first failure; exit status
1 on failure.
"""

import argparse
import glob
import os
import random
import shlex
import signal
import subprocess
import sys
import time


def start(args, app_args):
    env = dict(os.environ, CKPT_IMAGE=args.image)
    p = subprocess.Popen(shlex.split(args.run) + [args.app] + app_args,
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=env, start_new_session=True)
    line = p.stdout.readline()
    if line.strip() != b'READY':
        p.kill()
        sys.exit('kill_sweep: app did not start: %r' % line)
    return p


def identity(path):
    try:
        st = os.stat(path)
        return st.st_ino, st.st_mtime_ns
    except FileNotFoundError:
        return None


def wait_change(path, old, timeout):
    """Whether path's file changed within timeout seconds."""
    end = time.monotonic() + timeout
    while identity(path) == old:
        if time.monotonic() > end:
            return False
        time.sleep(0.002)
    return True


def kill(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def restore(args):
    p = subprocess.run(shlex.split(args.run) + [args.restorer, args.image],
                       capture_output=True, stdin=subprocess.DEVNULL,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors='replace').strip(), \
        p.stderr.decode(errors='replace').strip()


def sweep_arguments(doc):
    """The options of the sweeps of an APP and its IMAGE (this one's,
    worker_kill_sweep.py's, restorer_worker_kill.py's); doc their usage."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument('--restorer', required=True)
    ap.add_argument('--run', default='')
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('app')
    ap.add_argument('image')
    return ap.parse_args()


def main():
    args = sweep_arguments(__doc__)
    rng = random.Random(args.seed)

    # A first image, and how long one checkpoint takes.
    p = start(args, ['--fresh'])
    old = identity(args.image)
    t0 = time.monotonic()
    os.kill(p.pid, signal.SIGUSR2)
    if not wait_change(args.image, old, 120):
        sys.exit('kill_sweep: timeout waiting for %s' % args.image)
    length = time.monotonic() - t0
    kill(p)
    print('one checkpoint took about %.0f ms' % (length * 1000))

    leftovers = 0
    for n in range(args.rounds):
        p = start(args, [])
        time.sleep(rng.uniform(0.01, 0.05))  # let its version move on
        delay = rng.uniform(0, 3 * length)
        os.kill(p.pid, signal.SIGUSR2)
        time.sleep(delay)
        kill(p)
        leftovers += len(glob.glob(glob.escape(args.image) + '.tmp*'))
        code, out, err = restore(args)
        if code != 0 or not out.endswith(': ok'):
            print('round %d: killed after %.0f ms: restore failed: status %s, '
                  'stdout %r, stderr %r' % (n, delay * 1000, code, out, err))
            return 1
        print('round %d: killed after %.0f ms: %s' % (n, delay * 1000, out))
    print('kill_sweep: %d rounds, image always restored (%d temporary files '
          'seen after the kills)' % (args.rounds, leftovers))

    # One checkpoint to the end: it removes what dead writers left.
    p = start(args, [])
    old = identity(args.image)
    os.kill(p.pid, signal.SIGUSR2)
    if not wait_change(args.image, old, 120):
        sys.exit('kill_sweep: timeout waiting for %s' % args.image)
    time.sleep(0.05)
    kill(p)
    directory = os.path.dirname(os.path.abspath(args.image))
    left = sorted(set(os.listdir(directory)) -
                  {os.path.basename(args.image),
                   os.path.basename(args.image) + '.status'})
    if left:
        print('kill_sweep: left behind: %s' % ' '.join(left))
        return 1
    print('kill_sweep: no temporary file left')
    return 0


if __name__ == '__main__':
    sys.exit(main())
