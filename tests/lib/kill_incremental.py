#!/usr/bin/env python3
"""kill_incremental: SIGKILL an app that takes incremental checkpoints back
to back; the chain at IMAGE must always restore, from the last image that
was complete.

usage: kill_incremental.py --restorer PATH [--run PREFIX] [--rounds N] APP IMAGE

APP is tests/incremental-chain.c: `APP IMAGE STEPS` checkpoints after each
step, with CKPT_INCREMENTAL=1 (set here) and CKPT_FULL_EVERY=8. Each round
starts it afresh, kills it with SIGKILL after a random time (so that the
kill lands before, during or after an increment, or between linking the
parent's second name and renaming the new image), restores IMAGE and
expects "restored at step S: memory intact" and exit status 0. Prints one
line per round and "kill_incremental: N rounds, chain always restored,
M from an increment" (M > 0 expected), or the first failure (exit 1).
"""

import argparse
import glob
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--restorer', required=True)
    ap.add_argument('--run', default='')
    ap.add_argument('--rounds', type=int, default=6)
    ap.add_argument('app')
    ap.add_argument('image')
    a = ap.parse_args()
    run = shlex.split(a.run)
    env = dict(os.environ, CKPT_INCREMENTAL='1', CKPT_FULL_EVERY='8')
    rng = random.Random(14)
    from_increment = 0
    for k in range(a.rounds):
        for f in glob.glob(glob.escape(a.image) + '*'):
            os.unlink(f)
        p = subprocess.Popen(run + [a.app, a.image, '1000000'], env=env,
                             stdout=subprocess.DEVNULL)
        # Until the first image exists, then a random while longer.
        deadline = time.monotonic() + 20
        while not os.path.exists(a.image) and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))
        p.send_signal(signal.SIGKILL)
        p.wait()
        info = subprocess.run(run + [a.restorer, '--info', a.image],
                              capture_output=True, text=True, timeout=20)
        parent = re.search(r'^parent: .*depth (\d+)', info.stdout, re.M)
        r = subprocess.run(run + [a.restorer, a.image], capture_output=True,
                           text=True, timeout=60)
        out = r.stdout.strip()
        if r.returncode != 0 or not out.endswith('memory intact'):
            print('round %d: restore failed (exit %d): %s %s'
                  % (k, r.returncode, out, r.stderr.strip()))
            return 1
        if parent:
            from_increment += 1
        print('round %d: %s (%s)' % (k, re.sub(r'step \d+', 'step S', out),
                                     'increment' if parent else 'full'))
    print('kill_incremental: %d rounds, chain always restored, %s'
          % (a.rounds, 'some from an increment' if from_increment
             else 'none from an increment'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
