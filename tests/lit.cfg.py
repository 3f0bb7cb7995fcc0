# -*- Python -*-
# lit configuration for ckpt's tests, shared by every architecture.
# configure.py writes build/<arch>/lit.site.cfg.py, which sets config.ckpt_*
# and then loads this file.

import os
import shlex
import subprocess

import lit.formats

REQUIRED = ['ckpt_arch', 'ckpt_src_root', 'ckpt_build_dir', 'ckpt_cc',
            'ckpt_cxx', 'ckpt_runtime', 'ckpt_restorer', 'ckpt_filecheck',
            'ckpt_python']
for name in REQUIRED:
    if not getattr(config, name, None):
        lit_config.fatal('config.%s is not set: run the suite through '
                         'build/<arch>/lit.site.cfg.py (python3 configure.py '
                         'writes it)' % name)
for name, default in (('ckpt_clang', ''), ('ckpt_run', ''),
                      ('ckpt_cli', ''), ('ckpt_preload', ''),
                      ('ckpt_features', []), ('ckpt_fuzzer', '')):
    if getattr(config, name, None) is None:
        setattr(config, name, default)

arch = config.ckpt_arch
src_root = config.ckpt_src_root
tests_dir = os.path.join(src_root, 'tests')

config.name = 'ckpt-%s' % arch
config.suffixes = ['.c', '.cc', '.cpp', '.test']
config.test_source_root = tests_dir
config.test_exec_root = os.path.join(config.ckpt_build_dir, 'tests')
config.excludes = ['lib', 'demo', 'Inputs', 'bench', 'fuzz', 'lit.cfg.py', 'check.py']
# RUN lines go to a real shell: tests use &, $!, kill and { ...; } groups.
config.test_format = lit.formats.ShTest(execute_external=True)

# The environment lit gives RUN lines is built from scratch; keep what the
# compilers and the emulator need, and no checkpoint setting (CKPT_IMAGE,
# CKPT_SIGNAL, ...) but the fuzzing time a user may want to shorten.
for var in ('PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'QEMU_LD_PREFIX',
            'CKPT_FUZZ_SECONDS'):
    if var in os.environ:
        config.environment[var] = os.environ[var]
for var in list(config.environment):
    if var.startswith('CKPT_') and var != 'CKPT_FUZZ_SECONDS':
        del config.environment[var]

# Features: what configure.py found, plus the CPU's vector extensions when
# the tests run natively on x86_64 (tests say REQUIRES: rather than skip).
config.available_features.update(config.ckpt_features)
config.available_features.add(arch)
if arch == 'x86_64' and 'native-run' in config.ckpt_features:
    try:
        with open('/proc/cpuinfo') as f:
            flags = next((line.split(':', 1)[1].split() for line in f
                          if line.startswith('flags')), [])
    except OSError:
        flags = []
    for flag in ('avx', 'avx2', 'avx512f', 'avx512bw'):
        if flag in flags:
            config.available_features.add(flag)

# tmpfs-mount: a private mount namespace with a small tmpfs (root, or a
# user namespace), for tests that fill a disk.
def can_mount_tmpfs():
    import tempfile
    with tempfile.TemporaryDirectory(prefix='ckpt-lit-') as tmp:
        try:
            return subprocess.run(
                ['unshare', '-m', 'sh', '-c',
                 'mount -t tmpfs -o size=1m tmpfs "$0"', tmp],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


if can_mount_tmpfs():
    config.available_features.add('tmpfs-mount')

# Debian's interpreters, for the tests of ckpt run on real programs.
import shutil
for prog in ('python3', 'perl', 'lua5.4'):
    if os.path.exists('/usr/bin/' + prog):
        config.available_features.add('have-' + prog)

# sqlite3: SQLite's library and header for this architecture's compiler,
# and its shell, for tests/files-sqlite.test.
def can_link_sqlite():
    import tempfile
    with tempfile.TemporaryDirectory(prefix='ckpt-lit-') as tmp:
        src = os.path.join(tmp, 't.c')
        with open(src, 'w') as f:
            f.write('#include <sqlite3.h>\n'
                    'int main(void) { return sqlite3_libversion_number() '
                    '> 0 ? 0 : 1; }\n')
        try:
            return subprocess.run(
                [config.ckpt_cc, src, '-lsqlite3', '-o',
                 os.path.join(tmp, 't')], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


if os.path.exists('/usr/bin/sqlite3') and can_link_sqlite():
    config.available_features.add('sqlite3')

# root: tests that give a file to another user (chown).
if os.geteuid() == 0:
    config.available_features.add('root')

runtime_inc = os.path.join(src_root, 'runtime')
cflags = '-I%s -g -O1' % shlex.quote(runtime_inc)
run = config.ckpt_run.strip()
drive = ' '.join(shlex.quote(x) for x in [
    config.ckpt_python, os.path.join(tests_dir, 'lib', 'ckpt_drive.py'),
    '--run', run, '--restorer', config.ckpt_restorer])

# Order matters: lit substitutes in list order, and %run is a prefix of
# %runtime.
subs = [
    ('%runtime', shlex.quote(config.ckpt_runtime)),
    ('%restorer', shlex.quote(config.ckpt_restorer)),
    ('%ckpt', '%s %s' % (run, shlex.quote(config.ckpt_cli))),
    ('%preload', shlex.quote(config.ckpt_preload)),
    ('%run', run),
    ('%drive', drive),
    ('%cxx', '%s %s' % (shlex.quote(config.ckpt_cxx), cflags)),
    ('%cc', '%s %s' % (shlex.quote(config.ckpt_cc), cflags)),
    ('%arch', arch),
    ('%python', shlex.quote(config.ckpt_python)),
]
if config.ckpt_clang:
    config.available_features.add('clang')
    subs.append(('%clang', '%s %s' % (shlex.quote(config.ckpt_clang),
                                      cflags)))
if config.ckpt_fuzzer:
    subs.append(('%fuzzer', shlex.quote(config.ckpt_fuzzer)))
subs.append((r'\bFileCheck\b', shlex.quote(config.ckpt_filecheck)))
config.substitutions.extend(subs)
