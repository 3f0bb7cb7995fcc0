#!/usr/bin/env python3
"""worker_kill_sweep: SIGKILL the checkpoint's worker alone, in the middle of
checkpoints; the app must go on and the image must always restore.

usage: worker_kill_sweep.py --restorer PATH [--rounds N] APP IMAGE

APP is tests/Inputs/busy-memory.c (see kill_sweep.py). The checkpoint's
worker (runtime/worker.h) is a child process of the app's checkpointing
thread, sharing its memory. Each round sends the app SIGUSR2, waits for
the worker to appear in /proc/PID/task/PID/children, kills it with SIGKILL
after a random time up to one whole checkpoint's length, and waits for the
checkpoint's record (IMAGE.status). The record must say either success or
that the worker is gone; the app must still run; IMAGE (the new one or the
one before) must restore.

Prints one line per round and a summary with how many checkpoints the
kills made fail (a kill after the worker's last job lets one complete).
Exit status 1 on the first failure.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time

from kill_sweep import identity


def start(app, image, fresh):
    env = dict(os.environ, CKPT_IMAGE=image)
    p = subprocess.Popen([app] + (['--fresh'] if fresh else []),
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=env, start_new_session=True)
    line = p.stdout.readline()
    if line.strip() != b'READY':
        p.kill()
        sys.exit('worker_kill_sweep: app did not start: %r' % line)
    return p


def wait_change(path, old, timeout):
    end = time.monotonic() + timeout
    while identity(path) == old:
        if time.monotonic() > end:
            return False
        time.sleep(0.001)
    return True


def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def record(path):
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip('\n').partition(' ')
            fields[key] = value
    return fields


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--restorer', required=True)
    ap.add_argument('--rounds', type=int, default=10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('app')
    ap.add_argument('image')
    args = ap.parse_args()
    rng = random.Random(args.seed)
    status = args.image + '.status'

    p = start(args.app, args.image, True)
    try:
        # How long one signal checkpoint takes, worker and all.
        old = identity(status)
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGUSR2)
        if not wait_change(status, old, 60):
            print('worker_kill_sweep: the first checkpoint never ended')
            return 1
        length = time.monotonic() - t0
        print('one checkpoint took about %.0f ms' % (length * 1000))

        failed = 0
        for n in range(args.rounds):
            time.sleep(rng.uniform(0.01, 0.05))  # its version moves on
            old = identity(status)
            os.kill(p.pid, signal.SIGUSR2)
            worker = []
            end = time.monotonic() + 5
            while not worker and time.monotonic() < end:
                worker = children(p.pid)
            if not worker:
                print('round %d: no worker seen' % n)
                return 1
            time.sleep(rng.uniform(0, length))
            try:
                os.kill(worker[0], signal.SIGKILL)
            except ProcessLookupError:
                pass
            if not wait_change(status, old, 60):
                print('round %d: the checkpoint never ended (hang)' % n)
                return 1
            r = record(status)
            if p.poll() is not None:
                print('round %d: the app died: status %s' % (n, p.returncode))
                return 1
            if r.get('result') == '0':
                outcome = 'completed'
            elif 'worker process is gone' in r.get('reason', ''):
                outcome = 'refused: ' + r['reason']
                failed += 1
            else:
                print('round %d: unexpected record %r' % (n, r))
                return 1
            res = subprocess.run([args.restorer, args.image],
                                 capture_output=True, timeout=120,
                                 stdin=subprocess.DEVNULL)
            out = res.stdout.decode(errors='replace').strip()
            if res.returncode != 0 or not out.endswith(': ok'):
                print('round %d: %s; restore failed: status %d, %r, %r' %
                      (n, outcome, res.returncode, out,
                       res.stderr.decode(errors='replace').strip()))
                return 1
            print('round %d: %s; %s' % (n, outcome, out))
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    print('worker_kill_sweep: %d rounds, %d checkpoints refused, app alive, '
          'image always restored' % (args.rounds, failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
