#!/usr/bin/env python3
"""ninja fuzz: fuzzes the image checks for a while, then prints the line
and branch coverage the corpus reaches in the files the target covers.

usage: run_fuzz.py --fuzzer BIN --cov BIN --corpus DIR --seeds DIR...
                   --profdata TOOL --llvm-cov TOOL --seconds N SOURCE...

The corpus (build/fuzz/corpus) persists between runs and grows; the seeds
are read, never written. CKPT_FUZZ_SECONDS overrides --seconds (0: replay
the corpus only). One job, one process: the machine is shared.
"""

import argparse
import os
import subprocess
import sys
import tempfile


def demangle(names):
    try:
        out = subprocess.run(['c++filt'], input='\n'.join(names),
                             capture_output=True, text=True, timeout=60)
        lines = out.stdout.split('\n')[:len(names)]
        return [n.replace('(anonymous namespace)::', '').split('(')[0]
                for n in lines]
    except (OSError, subprocess.SubprocessError):
        return names


def reached(args, data):
    """The restorer's files hold the restore itself too, which needs the
    system: the coverage of the functions the target reaches, apart."""
    for source in args.sources[1:]:
        out = subprocess.run([args.llvm_cov, 'report', '-show-functions',
                              args.cov, '-instr-profile=' + data, source],
                             capture_output=True, text=True, check=True,
                             timeout=600).stdout
        rows = []
        for line in out.splitlines():
            f = line.split()
            if len(f) == 10 and f[1].isdigit() and f[0] != 'TOTAL':
                rows.append((f[0].split(':')[-1], int(f[1]), int(f[2]),
                             int(f[7]), int(f[8])))
        names = demangle([r[0] for r in rows])
        hit = [(n, r) for n, r in zip(names, rows) if r[2] < r[1]]
        missed = [n.split('::')[-1] for n, r in zip(names, rows)
                  if r[2] == r[1]]
        shown = []
        for n, _ in hit:
            if n.split('::')[-1] not in shown:
                shown.append(n.split('::')[-1])
        branches = sum(r[3] for _, r in hit)
        taken = branches - sum(r[4] for _, r in hit)
        print('run_fuzz.py: %s: %d reached functions (%s): branches '
              '%d/%d (%.2f%%); not reached (they need the system): %s'
              % (os.path.relpath(source), len(shown),
                 ', '.join(shown), taken,
                 branches, 100.0 * taken / branches if branches else 100,
                 ', '.join(missed) or 'none'))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--fuzzer', required=True)
    p.add_argument('--cov', required=True)
    p.add_argument('--corpus', required=True)
    p.add_argument('--seeds', action='append', default=[])
    p.add_argument('--profdata', required=True)
    p.add_argument('--llvm-cov', required=True)
    p.add_argument('--seconds', type=int, default=60)
    p.add_argument('sources', nargs='+')
    args = p.parse_args()

    seconds = int(os.environ.get('CKPT_FUZZ_SECONDS', args.seconds))
    os.makedirs(args.corpus, exist_ok=True)
    dirs = [args.corpus] + args.seeds
    if seconds > 0:
        cmd = [args.fuzzer, '-max_total_time=%d' % seconds,
               '-max_len=4000000', '-print_final_stats=1',
               '-artifact_prefix=%s/' % os.path.dirname(args.corpus)] + dirs
        print('run_fuzz.py: %s' % ' '.join(cmd), flush=True)
        # libFuzzer stops itself; the timeout only bounds a hang.
        r = subprocess.run(cmd, timeout=seconds + 300)
        if r.returncode != 0:
            sys.exit('run_fuzz.py: the fuzzer failed (exit %d): see the '
                     'crash-* file it names above' % r.returncode)

    with tempfile.TemporaryDirectory(prefix='ckpt-cov-') as tmp:
        raw = os.path.join(tmp, 'fuzz-%p.profraw')
        env = dict(os.environ, LLVM_PROFILE_FILE=raw)
        subprocess.run([args.cov, '-runs=0'] + dirs, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=1800, check=True)
        profraws = [os.path.join(tmp, f) for f in os.listdir(tmp)
                    if f.endswith('.profraw')]
        data = os.path.join(os.path.dirname(args.corpus), 'fuzz.profdata')
        subprocess.run([args.profdata, 'merge', '-sparse', '-o', data] +
                       profraws, check=True, timeout=600)
    inputs = sum(len(os.listdir(d)) for d in dirs)
    print('run_fuzz.py: coverage of %d inputs (%s):' % (inputs,
                                                       ', '.join(dirs)))
    sys.stdout.flush()
    subprocess.run([args.llvm_cov, 'report', args.cov,
                    '-instr-profile=' + data] + args.sources,
                   check=True, timeout=600)
    reached(args, data)
    print('run_fuzz.py: line by line: %s show %s -instr-profile=%s '
          '-show-branches=count %s' % (args.llvm_cov, args.cov, data,
                                       args.sources[0]))


if __name__ == '__main__':
    main()
