#!/usr/bin/env python3
"""Runs the test suite once per architecture and sums up the results.

usage: check.py --lit LIT SITE_CFG [SITE_CFG...]

Each SITE_CFG is a build/<arch>/lit.site.cfg.py written by configure.py.
lit's own output is shown as it runs; lit's JSON report is what gets
counted. The last line is "N passed, N failed[, N skipped]" over all
architectures: passed = PASS + XFAIL, failed = FAIL + XPASS + UNRESOLVED +
TIMEOUT (and a lit run that produced no report), skipped = UNSUPPORTED.
Exit status 1 if anything failed or nothing passed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

PASSED = {'PASS', 'XFAIL', 'FLAKYPASS'}
FAILED = {'FAIL', 'XPASS', 'UNRESOLVED', 'TIMEOUT'}
SKIPPED = {'UNSUPPORTED', 'SKIPPED', 'EXCLUDED'}


def run_lit(lit, site, report):
    # lit finds the suite from the directory that holds the site config.
    suite_dir = os.path.dirname(os.path.abspath(site))
    cmd = [sys.executable, lit, '-sv', '--no-progress-bar', '-o', report,
           suite_dir]
    print('check.py: %s' % ' '.join(cmd), flush=True)
    return subprocess.run(cmd).returncode


def count(report):
    """{result code: number of tests} from one lit JSON report."""
    with open(report) as f:
        data = json.load(f)
    codes = {}
    for test in data.get('tests', []):
        code = test.get('code', 'UNRESOLVED')
        codes[code] = codes.get(code, 0) + 1
    return codes


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--lit', required=True, help='path of lit.py')
    p.add_argument('sites', nargs='+', metavar='SITE_CFG')
    args = p.parse_args()

    passed = failed = skipped = 0
    for site in args.sites:
        if not os.path.isfile(site):
            print('check.py: %s: no such site config (run configure.py)'
                  % site, flush=True)
            failed += 1
            continue
        with tempfile.TemporaryDirectory(prefix='ckpt-check-') as tmp:
            report = os.path.join(tmp, 'results.json')
            status = run_lit(args.lit, site, report)
            try:
                codes = count(report)
            except (OSError, ValueError) as e:
                print('check.py: %s: lit exited %d without a usable report '
                      '(%s)' % (site, status, e), flush=True)
                failed += 1
                continue
        p_ = sum(n for c, n in codes.items() if c in PASSED)
        f_ = sum(n for c, n in codes.items() if c in FAILED)
        s_ = sum(n for c, n in codes.items() if c in SKIPPED)
        # Codes this script does not know count as failures, loudly.
        other = {c: n for c, n in codes.items()
                 if c not in PASSED | FAILED | SKIPPED}
        if other:
            print('check.py: %s: unknown result codes %s' % (site, other))
            f_ += sum(other.values())
        if status != 0 and f_ == 0:
            print('check.py: %s: lit exited %d with no failed test'
                  % (site, status))
            f_ += 1
        print('check.py: %s: %d passed, %d failed, %d skipped'
              % (site, p_, f_, s_), flush=True)
        passed += p_
        failed += f_
        skipped += s_

    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line, flush=True)
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
