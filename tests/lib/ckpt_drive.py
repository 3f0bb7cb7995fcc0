#!/usr/bin/env python3
"""ckpt_drive: run an app through checkpoint, kill and restore, for tests.

usage: ckpt_drive.py [options] -- APP [ARG...]

Generation 0 runs `RUN APP ARG...`; generation K (1..N, N = --restores) runs
`RUN RESTORER IMAGE`. Every generation but the last must write a new image:

  * if an --at REGEX applies to it (the K-th --at applies to generation K),
    the driver sends the checkpoint signal to the generation's process as
    soon as one of its stdout lines matches REGEX (re.search);
  * otherwise (or with an empty REGEX) the app checkpoints itself
    (ckpt_checkpoint()), and the driver only waits.

Either way the driver then waits until IMAGE changes (a new inode or mtime:
the runtime renames a complete image into place), kills the generation
with SIGKILL (or, with --no-kill, waits for it to exit) and starts the next.
The last generation runs to its end.

Output: each line a generation writes to stdout goes to the driver's
stdout as "genK: LINE", and when it ends, "genK: exit N" or "genK: signal
NAME" follows (killed ones end with "genK: signal KILL"). Its stderr lines
go to the driver's stderr as "genK! LINE", next to the driver's progress
notes ("ckpt_drive: ..."): stdout stays in a deterministic order for
FileCheck, and `2>&1` merges the two when a test wants to see both.

Options:
  --run PREFIX     command prefix for every generation (an emulator; split
                   like a shell word list; empty: run natively)
  --restorer PATH  the restorer (required when --restores > 0)
  --image PATH     the image; passed to every generation as CKPT_IMAGE
                   (default: ./<basename of APP>.ckpt)
  --at REGEX       see above; repeatable, one per checkpointing generation
  --delay MS       wait MS milliseconds after an --at line matches before
                   sending the signal (default 0): a signal sent at once
                   tends to land right where the line was printed (under
                   qemu-user: always, as the write() returns), which is not
                   the loop a test wants to interrupt
  --signal NAME    the checkpoint signal to send (USR2, SIGUSR2 or a number;
                   default USR2). It does not set CKPT_SIGNAL: tests that
                   change the signal set it themselves.
  --restores N     number of restore generations (default 1)
  --no-kill        let checkpointed generations run to their end (the next
                   generation restores whatever IMAGE holds by then)
  --timeout SEC    limit for each wait (a line, the image, an exit);
                   default 60

Exit status: 0 when every step happened and every generation that ran to
its end exited 0; 1 when all steps happened but such a generation failed;
2 on a usage error, a timeout ("ckpt_drive: timeout waiting for ...") or a
generation that ended before its checkpoint. Children never outlive the
driver: each generation runs in its own process group, which is killed on
every way out, and its process gets SIGKILL if the driver itself is killed
(PR_SET_PDEATHSIG).
"""

import argparse
import ctypes
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


class DriveError(Exception):
    """A step of the plan failed: message for the user, exit status 2."""


def note(msg):
    sys.stderr.write('ckpt_drive: %s\n' % msg)
    sys.stderr.flush()


def emit(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


def signal_number(name):
    text = name.strip().upper()
    if text.isdigit():
        return int(text)
    if not text.startswith('SIG'):
        text = 'SIG' + text
    try:
        return int(getattr(signal.Signals, text))
    except AttributeError:
        raise DriveError('unknown signal %r' % name)


def signal_name(number):
    try:
        return signal.Signals(number).name[3:]
    except ValueError:
        return str(number)


def image_id(path):
    """What identifies one version of the image file, or None if absent."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _die_with_parent():
    # Runs in the child between fork and exec: if the driver is killed
    # (even by SIGKILL), the kernel kills the generation too.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


class Generation:
    """One running process of the chain and the output it has produced."""

    def __init__(self, number, argv, env):
        self.number = number
        self.name = 'gen%d' % number
        note('%s: %s' % (self.name, ' '.join(shlex.quote(a) for a in argv)))
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, start_new_session=True,
                preexec_fn=_die_with_parent)
        except OSError as e:
            raise DriveError('%s: cannot run %s: %s'
                             % (self.name, argv[0], e.strerror))
        self.status = None
        self.reported = False
        self.sel = selectors.DefaultSelector()
        self.partial = {}
        for stream, mark in ((self.proc.stdout, ':'), (self.proc.stderr, '!')):
            os.set_blocking(stream.fileno(), False)
            self.sel.register(stream, selectors.EVENT_READ, mark)
            self.partial[mark] = b''

    def open_streams(self):
        return len(self.sel.get_map()) > 0

    def pump(self, wait):
        """Echoes whatever output arrives within wait seconds; returns the
        complete stdout lines it saw."""
        lines = []
        if not self.open_streams():
            time.sleep(wait)
            return lines
        for key, _ in self.sel.select(wait):
            mark = key.data
            try:
                data = os.read(key.fileobj.fileno(), 65536)
            except BlockingIOError:
                continue
            if not data:
                self.sel.unregister(key.fileobj)
                key.fileobj.close()
                if self.partial[mark]:
                    lines += self._echo(mark, [self.partial[mark]])
                    self.partial[mark] = b''
                continue
            chunks = (self.partial[mark] + data).split(b'\n')
            self.partial[mark] = chunks.pop()
            lines += self._echo(mark, chunks)
        return lines

    def _echo(self, mark, chunks):
        text = [c.decode('utf-8', 'replace').rstrip('\r') for c in chunks]
        out = sys.stdout if mark == ':' else sys.stderr
        for line in text:
            out.write('%s%s %s\n' % (self.name, mark, line))
            out.flush()
        return text if mark == ':' else []

    def exited(self):
        if self.status is None:
            self.status = self.proc.poll()
        return self.status is not None

    def signal(self, sig):
        try:
            os.kill(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill_group(self):
        for kill in (lambda: os.killpg(self.proc.pid, signal.SIGKILL),
                     lambda: os.kill(self.proc.pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass

    def finish(self, timeout):
        """Waits for the process to end and its output to be drained, then
        reports how it ended. Returns the exit status (or -signal)."""
        if self.reported:
            return self.status
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                raise DriveError('timeout waiting for %s (pid %d) to exit'
                                 % (self.name, self.proc.pid))
            self.pump(0.05)
        # Anything it left behind in its group goes too; then drain.
        self.kill_group()
        drain_deadline = time.monotonic() + min(timeout, 10)
        while self.open_streams() and time.monotonic() < drain_deadline:
            self.pump(0.05)
        for mark, rest in self.partial.items():
            if rest:
                self._echo(mark, [rest])
        self.partial = {m: b'' for m in self.partial}
        self.close()
        self.reported = True
        if self.status < 0:
            emit('%s: signal %s' % (self.name, signal_name(-self.status)))
        else:
            emit('%s: exit %d' % (self.name, self.status))
        return self.status

    def close(self):
        for key in list(self.sel.get_map().values()):
            self.sel.unregister(key.fileobj)
            key.fileobj.close()
        self.sel.close()


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='ckpt_drive.py', usage='%(prog)s [options] -- APP [ARG...]',
        description='Run an app through checkpoint, kill and restore.')
    p.add_argument('--run', default='')
    p.add_argument('--restorer')
    p.add_argument('--image')
    p.add_argument('--at', action='append', default=[])
    p.add_argument('--delay', type=float, default=0.0)
    p.add_argument('--signal', default='USR2')
    p.add_argument('--restores', type=int, default=1)
    p.add_argument('--no-kill', action='store_true')
    p.add_argument('--timeout', type=float, default=60.0)
    p.add_argument('app', nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.app and args.app[0] == '--':
        args.app = args.app[1:]
    if not args.app:
        p.error('no APP given')
    if args.restores < 0:
        p.error('--restores must be >= 0')
    if args.delay < 0 or args.delay / 1000.0 >= args.timeout:
        p.error('--delay must be >= 0 and shorter than --timeout')
    if args.restores and not args.restorer:
        p.error('--restorer is needed to restore')
    if len(args.at) > args.restores:
        p.error('%d --at for %d checkpointing generation(s)'
                % (len(args.at), args.restores))
    return args


class Driver:
    def __init__(self, args):
        self.args = args
        self.run = shlex.split(args.run)
        self.sig = signal_number(args.signal)
        self.image = os.path.abspath(
            args.image or os.path.basename(args.app[0]) + '.ckpt')
        self.env = dict(os.environ, CKPT_IMAGE=self.image)
        self.current = None
        self.failed = False

    def wait_for(self, gen, what, done):
        """Pumps gen's output until done(lines) is true; DriveError if gen
        ends first or the step times out."""
        deadline = time.monotonic() + self.args.timeout
        while True:
            if done(gen.pump(0.02)):
                return
            if gen.exited():
                # One last look: it may have written its last words (or
                # its image) just before exiting.
                while gen.open_streams():
                    if done(gen.pump(0.05)):
                        return
                    if time.monotonic() > deadline:
                        break
                if done([]):
                    return
                status = gen.finish(self.args.timeout)
                raise DriveError('%s ended (%s) while waiting for %s' % (
                    gen.name, 'exit %d' % status if status >= 0 else
                    'signal ' + signal_name(-status), what))
            if time.monotonic() > deadline:
                raise DriveError('timeout waiting for %s' % what)

    def checkpoint(self, gen):
        """Gets one new image out of gen."""
        k = gen.number
        at = self.args.at[k] if k < len(self.args.at) else ''
        if at:
            regex = re.compile(at)
            self.wait_for(gen, 'a line matching %r from %s'
                          % (at, gen.name),
                          lambda lines: any(regex.search(l) for l in lines))
            if self.args.delay > 0:
                end = time.monotonic() + self.args.delay / 1000.0
                self.wait_for(gen, '%g ms after the line from %s'
                              % (self.args.delay, gen.name),
                              lambda lines: time.monotonic() >= end)
            note('%s: sending SIG%s to pid %d' % (
                gen.name, signal_name(self.sig), gen.proc.pid))
            gen.signal(self.sig)
        self.wait_for(gen, 'the image %s from %s' % (self.image, gen.name),
                      lambda lines: image_id(self.image) != self.before)
        note('%s: image written' % gen.name)

    def generation(self, k):
        if k == 0:
            argv = self.run + self.args.app
        else:
            argv = self.run + [self.args.restorer, self.image]
        self.before = image_id(self.image)
        gen = self.current = Generation(k, argv, self.env)
        last = k == self.args.restores
        if not last:
            self.checkpoint(gen)
            if not self.args.no_kill:
                note('%s: killing pid %d' % (gen.name, gen.proc.pid))
                gen.kill_group()
        status = gen.finish(self.args.timeout)
        if (last or self.args.no_kill) and status != 0:
            self.failed = True
        self.current = None

    def main(self):
        for k in range(self.args.restores + 1):
            self.generation(k)
        return 1 if self.failed else 0

    def cleanup(self):
        if self.current is not None:
            self.current.kill_group()
            try:
                self.current.finish(5)
            except DriveError:
                pass


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv):
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        driver = Driver(args)
    except DriveError as e:
        note(str(e))
        return 2
    try:
        return driver.main()
    except DriveError as e:
        note(str(e))
        return 2
    finally:
        driver.cleanup()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
