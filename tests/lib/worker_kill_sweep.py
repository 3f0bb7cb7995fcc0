#!/usr/bin/env python3
"""worker_kill_sweep: SIGKILL the checkpoint's worker alone, in the middle of
checkpoints; the app must go on and the image must always restore.

usage: worker_kill_sweep.py --restorer PATH [--run PREFIX] [--rounds N]
                            APP IMAGE

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

import os
import random
import signal
import sys
import time

from kill_sweep import (identity, restore, start, sweep_arguments,
                        wait_change)


def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def kill_child(pid, delay, running):
    """Waits (5 s at most, while running()) for pid's first child, and
    SIGKILLs it delay seconds after. A child that came and went unseen
    (this process not scheduled meanwhile) is not killed: the caller
    judges by the outcome."""
    child = []
    end = time.monotonic() + 5
    while not child and time.monotonic() < end and running():
        child = children(pid)
    if not child:
        return
    time.sleep(delay)
    try:
        os.kill(child[0], signal.SIGKILL)
    except ProcessLookupError:
        pass


def record(path):
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip('\n').partition(' ')
            fields[key] = value
    return fields


def main():
    args = sweep_arguments(__doc__)
    rng = random.Random(args.seed)
    status = args.image + '.status'

    p = start(args, ['--fresh'])
    try:
        # How long one signal checkpoint takes, worker and all: the
        # shortest of three, so that noise does not send every kill late.
        length = 60
        for _ in range(3):
            old = identity(status)
            t0 = time.monotonic()
            os.kill(p.pid, signal.SIGUSR2)
            if not wait_change(status, old, 60):
                print('worker_kill_sweep: a first checkpoint never ended')
                return 1
            length = min(length, time.monotonic() - t0)
        print('one checkpoint took about %.0f ms' % (length * 1000))

        failed = 0
        for n in range(args.rounds):
            time.sleep(rng.uniform(0.01, 0.05))  # its version moves on
            old = identity(status)
            os.kill(p.pid, signal.SIGUSR2)
            kill_child(p.pid, rng.uniform(0, length),
                       lambda: p.poll() is None)
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
            code, out, err = restore(args)
            if code != 0 or not out.endswith(': ok'):
                print('round %d: %s; restore failed: status %d, %r, %r' %
                      (n, outcome, code, out, err))
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
