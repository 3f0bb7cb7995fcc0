#!/usr/bin/env python3
"""with_sysctl: run a command with a sysctl set, and always set it back.

usage: with_sysctl.py NAME VALUE -- COMMAND [ARG...]

NAME is a /proc/sys path under /proc/sys with dots (vm.max_map_count). The
old value is written back when the command ends, however it ends (its exit,
a signal to it or to us, an exception). The command's exit status is ours.
It is root's tool: the setting is the whole machine's, so the window is
kept as short as the command. Runs hold a lock (LOCK, below) from reading
the old value to writing it back, so that two at once (lit runs tests in
parallel, and both architectures) cannot leave the other's value behind.

VALUE - leaves the setting as it is, but for the whole command: the lock
is taken shared, so that a test which needs the machine's own value (say,
more mappings than another test's lowered vm.max_map_count) runs outside
any other's window.
"""

import fcntl
import os
import signal
import subprocess
import sys

LOCK = '/tmp/ckpt-with-sysctl.lock'


def command(argv):
    """Runs argv; its exit status, 128 + N for a death by signal N."""
    rc = subprocess.run(argv, timeout=60).returncode
    return rc if rc >= 0 else 128 - rc


def main(argv):
    if len(argv) < 4 or argv[2] != '--':
        sys.exit(__doc__)
    path = '/proc/sys/' + argv[0].replace('.', '/')
    try:
        lock = open(LOCK, 'a')
    except PermissionError:
        # Another user's (fs.protected_regular refuses O_CREAT on it).
        lock = open(LOCK)
    if argv[1] == '-':
        fcntl.flock(lock, fcntl.LOCK_SH)
        return command(argv[3:])
    fcntl.flock(lock, fcntl.LOCK_EX)
    with open(path) as f:
        old = f.read().strip()
    restored = []

    def put_back(*_):
        if not restored:
            with open(path, 'w') as f:
                f.write(old)
            restored.append(True)

    def on_signal(sig, _frame):
        put_back()
        sys.exit(128 + sig)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        with open(path, 'w') as f:
            f.write(argv[1])
        return command(argv[3:])
    finally:
        put_back()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
