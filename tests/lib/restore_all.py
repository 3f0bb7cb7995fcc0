#!/usr/bin/env python3
"""restore_all: restore every image in a directory and count the good ones.

usage: restore_all.py [--run PREFIX] --restorer PATH DIR

Runs `PREFIX RESTORER DIR/image.N` for each image.N in DIR, in order of N.
A restore is good when it exits 0 and prints "image N ok". Prints a line
for each bad one (its exit status and output), then "restored K of M".
Exits 0 when all M are good.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--run', default='', help='command prefix (emulator)')
    p.add_argument('--restorer', required=True)
    p.add_argument('--timeout', type=float, default=60)
    p.add_argument('dir')
    args = p.parse_args()

    images = sorted((int(m.group(1)), name) for name in os.listdir(args.dir)
                    for m in [re.fullmatch(r'image\.(\d+)', name)] if m)
    good = 0
    for n, name in images:
        cmd = shlex.split(args.run) + [args.restorer,
                                       os.path.join(args.dir, name)]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=args.timeout)
            status, out = r.returncode, r.stdout
        except subprocess.TimeoutExpired as e:
            status, out = 'timeout', (e.stdout or b'').decode(errors='replace')
        if status == 0 and ('image %d ok\n' % n) in out:
            good += 1
        else:
            print('%s: status %s: %s' % (name, status, out.strip()))
    print('restored %d of %d' % (good, len(images)))
    return 0 if images and good == len(images) else 1


if __name__ == '__main__':
    sys.exit(main())
