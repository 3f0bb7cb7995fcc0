#!/usr/bin/env python3
"""restorer_worker_kill: SIGKILL the eager restorer's reading process alone,
at random moments of restores of one image.

usage: restorer_worker_kill.py --restorer PATH [--run PREFIX] [--rounds N]
                              APP IMAGE

APP is tests/Inputs/busy-memory.c: run, it takes one signal checkpoint to
IMAGE (whose restored copy prints "restored version V: ok" and exits 0). The restorer's reader
(runtime/worker.h) is a child process of the restorer sharing its memory.
Each round starts the restorer, waits for the reader to appear in
/proc/PID/task/PID/children, kills it with SIGKILL after a random time up
to one whole restore's length, and waits (at most 60 s) for the restorer:
it must either restore (status 0, "...: ok") or exit with status 1 naming
the reading process; never hang, never run the app on damaged memory.

Prints one line per round and a summary with how many restores the kills
made fail; exit status 1 on the first failure.
"""

import os
import random
import shlex
import signal
import subprocess
import sys
import time

from kill_sweep import identity, start, sweep_arguments, wait_change
from worker_kill_sweep import kill_child


def run(args):
    return subprocess.Popen(shlex.split(args.run) + [args.restorer,
                                                     args.image],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def finish(p):
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, '', ''
    return p.returncode, out.decode(errors='replace').strip(), \
        err.decode(errors='replace').strip()


def main():
    args = sweep_arguments(__doc__)
    rng = random.Random(args.seed)

    # The image: one signal checkpoint of APP.
    status = args.image + '.status'
    app = start(args, [])
    old = identity(status)
    os.kill(app.pid, signal.SIGUSR2)
    ended = wait_change(status, old, 60)
    os.killpg(app.pid, signal.SIGKILL)
    app.wait()
    if not ended:
        print('restorer_worker_kill: the checkpoint never ended')
        return 1

    # The shortest of three restores, so that noise does not send every
    # kill late.
    length = 60
    for _ in range(3):
        t0 = time.monotonic()
        code, out, err = finish(run(args))
        length = min(length, time.monotonic() - t0)
        if code != 0 or not out.endswith(': ok'):
            print('restorer_worker_kill: a first restore failed: %s %r %r'
                  % (code, out, err))
            return 1
    print('one restore took about %.0f ms' % (length * 1000))

    failed = 0
    for n in range(args.rounds):
        p = run(args)
        kill_child(p.pid, rng.uniform(0, length), lambda: p.poll() is None)
        code, out, err = finish(p)
        if code is None:
            print('round %d: the restorer never ended (hang)' % n)
            return 1
        if code == 0 and out.endswith(': ok'):
            print('round %d: restored: %s' % (n, out))
        elif code == 1 and "the restorer's reading process is gone" in err:
            failed += 1
            print('round %d: refused: %s' % (n, err.split(': ', 1)[1]))
        else:
            print('round %d: status %s, stdout %r, stderr %r'
                  % (n, code, out, err))
            return 1
    print('restorer_worker_kill: %d rounds, %d restores refused, none hung'
          % (args.rounds, failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
