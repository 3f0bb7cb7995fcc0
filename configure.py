#!/usr/bin/env python3
"""Finds the toolchains for each architecture and writes build.ninja."""

import argparse
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.abspath(__file__))

# Where the restorer is linked: low (256 MiB), so that it starts on any
# user address-space size (arm64 kernels with 39-bit VA end at 512 GiB),
# above where non-PIE executables start (4 MiB) and below where the kernel
# puts PIE ones, mmap areas and stacks. The restorer moves itself if an
# image claims this range (a non-PIE app's heap may reach it).
RESTORER_BASE = 0x10000000
# A second base, a page-size multiple away for every page size, used to
# prove that the restorer's bytes do not depend on where it sits.
RESTORER_PROBE_BASE = RESTORER_BASE + 0x40000000

ARCHES = {
    'x86_64': {
        'prefix': 'x86_64-linux-gnu-',
        'qemu': ['qemu-x86_64-static', 'qemu-x86_64'],
        'qemu_args': [],
        'cflags': ['-mgeneral-regs-only'],
    },
    'aarch64': {
        'prefix': 'aarch64-linux-gnu-',
        'qemu': ['qemu-aarch64-static', 'qemu-aarch64'],
        # An exec'd restorer gets fresh pointer-authentication keys, so
        # return addresses signed before the checkpoint would not verify
        # after it: emulate a CPU without PAC (ARMv8.0).
        'qemu_args': ['-cpu', 'cortex-a57'],
        # No libgcc helpers (__aarch64_swp4_acq...) for atomics.
        'cflags': ['-mgeneral-regs-only', '-mbranch-protection=none',
                   '-mno-outline-atomics'],
    },
}

LIT_CANDIDATES = ['/usr/lib/llvm-14/build/utils/lit/lit.py']
FILECHECK_CANDIDATES = ['FileCheck-14', 'FileCheck',
                        '/usr/lib/llvm-14/bin/FileCheck']


def host_arch():
    machine = platform.machine()
    return {'amd64': 'x86_64', 'arm64': 'aarch64'}.get(machine, machine)


def compiles(cmd, source, suffix, link):
    """True when cmd turns source into an object (or program, if link)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'probe' + suffix)
        with open(src, 'w') as f:
            f.write(source)
        out = os.path.join(tmp, 'probe')
        args = cmd + ([] if link else ['-c']) + [src, '-o', out]
        try:
            return subprocess.run(args, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0
        except OSError:
            return False


def find_tool(names):
    for name in names:
        path = shutil.which(name) if not os.path.isabs(name) else name
        if path and os.access(path, os.X_OK):
            return path
    return None


def find_toolchain(arch, native):
    """The C/C++ compilers and binutils for arch, or None with a reason."""
    prefix = '' if native else ARCHES[arch]['prefix']
    cxx = find_tool([prefix + 'g++'] + ([] if prefix else ['c++']))
    cc = find_tool([prefix + 'gcc'] + ([] if prefix else ['cc']))
    if not cxx or not cc:
        return None, 'no %sg++/%sgcc' % (prefix, prefix)
    if not compiles([cxx, '-std=c++20'], 'int main() { return 0; }\n',
                    '.cc', link=True):
        return None, '%s cannot link a C++ program' % cxx
    tools = {'cxx': cxx, 'cc': cc}
    for tool in ('objcopy', 'nm', 'ld'):
        path = find_tool([prefix + tool] + ([tool] if not native else []))
        if not path:
            return None, 'no %s%s' % (prefix, tool)
        tools[tool] = path
    return tools, None


def find_clang(arch, native):
    """clang for the test suite's second compiler, native builds only."""
    if not native:
        return None
    clang = find_tool(['clang'])
    if clang and compiles([clang], 'int main(void) { return 0; }\n', '.c',
                          link=True):
        return clang
    return None


def find_fuzzer_cxx(native):
    """clang++ that can build a libFuzzer target with sanitizers."""
    if not native:
        return None
    clangxx = find_tool(['clang++'])
    source = ('extern "C" int LLVMFuzzerTestOneInput(const unsigned char *d,'
              ' unsigned long n) { return 0; }\n')
    if clangxx and compiles([clangxx, '-fsanitize=fuzzer,address,undefined'],
                            source, '.cc', link=True):
        return clangxx
    return None


def cpu_features(arch, native):
    if not native or arch != 'x86_64':
        return []
    try:
        with open('/proc/cpuinfo') as f:
            flags = next((l.split(':', 1)[1].split() for l in f
                          if l.startswith('flags')), [])
    except OSError:
        return []
    return [f for f in ('avx512f',) if f in flags]


class Writer:
    """A minimal build.ninja writer."""

    def __init__(self, out):
        self.out = out

    def line(self, text=''):
        self.out.write(text + '\n')

    def var(self, key, value, indent=0):
        self.line('%s%s = %s' % ('  ' * indent, key, value))

    def rule(self, name, command, description, **extra):
        self.line('rule %s' % name)
        self.var('command', command, 1)
        self.var('description', description, 1)
        for key, value in extra.items():
            self.var(key, value, 1)
        self.line()

    def build(self, outputs, rule, inputs=(), implicit=(), order_only=(),
              variables=None):
        def esc(paths):
            return ' '.join(p.replace(' ', '$ ')
                            .replace(':', '$:') for p in paths)
        text = 'build %s: %s %s' % (esc(outputs), rule, esc(inputs))
        if implicit:
            text += ' | ' + esc(implicit)
        if order_only:
            text += ' || ' + esc(order_only)
        self.line(text.rstrip())
        for key, value in (variables or {}).items():
            self.var(key, value, 1)
        self.line()


def src(path):
    return os.path.join('$src', path)


def sources(directory, exts):
    """Sorted files of a source directory with the given extensions."""
    root = os.path.join(SRC, directory)
    return sorted(os.path.join(directory, name) for name in os.listdir(root)
                  if os.path.splitext(name)[1] in exts)


# Shared by runtime.o and the restorer: the syscall layer and small helpers.
COMMON_SOURCES = ['runtime/mem.cc', 'runtime/fmt.cc', 'runtime/io.cc',
                  'runtime/maps.cc', 'runtime/image.cc', 'runtime/crc32c.cc',
                  'runtime/worker.cc']
# The image validation and --info, fuzzed as a hosted program (ninja fuzz):
# the target and its stand-ins for the system, and the code it covers
# (built freestanding, as for the restorer, but with the sanitizers).
FUZZER = 'build/fuzz/image_fuzzer'
FUZZER_COV = 'build/fuzz/image_fuzzer_cov'
FUZZ_HOSTED = ['tests/fuzz/image_fuzzer.cc', 'tests/fuzz/mutator.cc',
               'tests/fuzz/host.cc']
FUZZ_TARGETED = ['runtime/image.cc', 'restorer/info.cc',
                 'restorer/process.cc', 'restorer/files.cc',
                 'restorer/records.cc', 'restorer/vdso.cc',
                 'restorer/contents.cc', 'restorer/pipes.cc',
                 'restorer/timers.cc', 'restorer/attrs_info.cc',
                 'restorer/written.cc', 'restorer/locks.cc',
                 'restorer/inotify.cc', 'restorer/unrestorable.cc',
                 'restorer/sockets.cc']
FUZZ_SUPPORT = ['runtime/crc32c.cc', 'runtime/fmt.cc', 'runtime/maps.cc']
ELF_MACHINES = {'x86_64': 62, 'aarch64': 183}  # EM_X86_64, EM_AARCH64
RESTORER_ARCH_SOURCES = ['thread.cc', 'crc32c.cc', 'icache.cc',
                         'registers.cc', 'start.S', 'resume.S', 'jump.S',
                         'clone_thread.S']
RUNTIME_ARCH_SOURCES = ['thread.cc', 'crc32c.cc', 'capture.S', 'sigreturn.S',
                        'call_on_stack.S', 'clone_thread.S']


def write_arch(n, arch, tools, emulator):
    built = lambda p: os.path.join('build', arch, p)
    a = ARCHES[arch]
    n.line('# %s' % arch)
    base_flags = ['-std=c++20', '-O2', '-g', '-Wall', '-Wextra',
                  '-ffreestanding', '-fno-exceptions', '-fno-rtti',
                  '-fno-stack-protector', '-fno-asynchronous-unwind-tables',
                  '-fno-unwind-tables', '-fno-threadsafe-statics',
                  '-fvisibility=hidden', '-nostdlib',
                  # Or GCC turns the copy loops of memcpy into memcpy calls.
                  '-fno-tree-loop-distribute-patterns',
                  '-I$src'] + a['cflags']
    n.var('cxx_%s' % arch, tools['cxx'])
    n.var('objcopy_%s' % arch, tools['objcopy'])
    n.var('nm_%s' % arch, tools['nm'])
    n.line()

    def compile_all(files, pic, tag):
        objs = []
        for f in files:
            obj = built('obj/%s/%s.o' % (tag, f))
            n.build([obj], 'cxx', [src(f)], variables={
                'cxx': '$cxx_%s' % arch,
                'cflags': ' '.join(base_flags + [pic])})
            objs.append(obj)
        return objs

    arch_dir = 'arch/%s' % arch
    runtime_srcs = (sources('runtime', {'.cc'}) +
                    [os.path.join(arch_dir, f) for f in RUNTIME_ARCH_SOURCES])
    runtime_objs = compile_all(runtime_srcs, '-fPIC', 'runtime')
    n.build([built('runtime.o')], 'runtime_link', runtime_objs,
            implicit=[src('runtime/exports.txt')], variables={
                'cxx': '$cxx_%s' % arch, 'objcopy': '$objcopy_%s' % arch,
                'nm': '$nm_%s' % arch})

    restorer_srcs = (sources('restorer', {'.cc'}) + COMMON_SOURCES +
                     [os.path.join(arch_dir, f)
                      for f in RESTORER_ARCH_SOURCES])
    restorer_objs = compile_all(restorer_srcs, '-fPIE', 'restorer')
    n.build([built('restorer')], 'restorer_link', restorer_objs,
            implicit=[src('linker/restorer.lds'),
                      src('linker/link-restorer.sh')], variables={
                'cxx': '$cxx_%s' % arch, 'objcopy': '$objcopy_%s' % arch})

    # The same runtime as a shared object for LD_PRELOAD (ckpt run), and
    # the command beside it.
    n.build([built('libckpt.so')], 'preload_link', [built('runtime.o')],
            implicit=[src('runtime/exports.txt')],
            variables={'cxx': '$cxx_%s' % arch})
    n.build([built('ckpt')], 'cli_link', [src('cli/ckpt.cc')],
            implicit=[src('runtime/ckpt.h')], variables={
        'cxx': '$cxx_%s' % arch,
        'machine': str(ELF_MACHINES[arch])})

    site = built('lit.site.cfg.py')
    outputs = [built('runtime.o'), built('restorer'), built('libckpt.so'),
               built('ckpt')]
    n.build([arch], 'phony', outputs)
    return {'site': site, 'outputs': outputs}


def write_fuzz(n, host, fuzz_cxx, configured):
    """The fuzzer, with the sanitizers and with coverage, and ninja fuzz."""
    n.var('fuzz_cxx', fuzz_cxx)
    # The register checks are the host's (the other arch's do not build).
    targeted = FUZZ_TARGETED + ['arch/%s/registers.cc' % host]
    # The tables stay apart (-ffunction-sections), so that the restorer's
    # code that --info never reaches is dropped, with what it calls.
    flavours = {
        FUZZER: '-fsanitize=address,undefined -fno-sanitize-recover=all',
        FUZZER_COV: '-fprofile-instr-generate -fcoverage-mapping',
    }
    for binary, flags in flavours.items():
        objs = []
        tag = os.path.basename(binary)
        for f in (FUZZ_HOSTED + targeted + FUZZ_SUPPORT +
                  ['arch/%s/crc32c.cc' % host]):
            obj = 'build/fuzz/obj/%s/%s.o' % (tag, f)
            freestanding = '' if f in FUZZ_HOSTED else ' -ffreestanding'
            n.build([obj], 'fuzz_cxx', [src(f)], variables={
                'fuzz_flags': flags + ' -fsanitize=fuzzer-no-link '
                '-ffunction-sections -fdata-sections' + freestanding})
            objs.append(obj)
        n.build([binary], 'fuzz_link', objs, variables={
            'fuzz_flags': flags + ' -fsanitize=fuzzer -Wl,--gc-sections'})
    n.build(['build/fuzz/seeds'], 'fuzz_seeds',
            implicit=[src('tests/fuzz/make_seeds.py')])
    images = []
    for arch, tools, emulator in configured:
        # Real images: of a plain program, of one holding one of every
        # kind of kernel object saved, and an increment (its parent
        # beside it as IMAGE.0).
        for program, suffix in (('checkpoint-once', ''),
                                ('checkpoint-kinds', '-kinds'),
                                ('checkpoint-increment', '-increment')):
            app = 'build/fuzz/%s-%s' % (program, arch)
            n.build([app], 'fuzz_app',
                    [src('tests/Inputs/%s.c' % program),
                     os.path.join('build', arch, 'runtime.o')],
                    variables={'cc': tools['cc']})
            image = 'build/fuzz/real/%s%s.ckpt' % (arch, suffix)
            n.build([image], 'fuzz_image', [app], variables={
                'run': ' '.join(shlex.quote(x) for x in emulator)})
            images.append(image)
    llvm = fuzz_llvm_tools(fuzz_cxx)
    n.build(['fuzz'], 'fuzz_run',
            implicit=[FUZZER, FUZZER_COV, 'build/fuzz/seeds'] + images,
            variables={
                'fuzzer': FUZZER, 'cov': FUZZER_COV,
                'profdata': llvm[0] or 'llvm-profdata-not-found',
                'llvm_cov': llvm[1] or 'llvm-cov-not-found',
                'sources': ' '.join(src(f) for f in targeted)})


def fuzz_llvm_tools(clangxx):
    """llvm-profdata and llvm-cov of the fuzzer compiler's version."""
    try:
        out = subprocess.run([clangxx, '-dumpversion'], capture_output=True,
                             text=True).stdout
        major = out.strip().split('.')[0]
    except OSError:
        major = ''
    names = ['-%s' % major] if major else []
    return (find_tool(['llvm-profdata' + v for v in names + ['']]),
            find_tool(['llvm-cov' + v for v in names + ['']]))


def write_site(arch, tools, clang, emulator, features, filecheck, fuzzer):
    built = os.path.join(SRC, 'build', arch)
    os.makedirs(built, exist_ok=True)
    values = {
        'ckpt_arch': arch,
        'ckpt_src_root': SRC,
        'ckpt_build_dir': built,
        'ckpt_cc': tools['cc'],
        'ckpt_cxx': tools['cxx'],
        'ckpt_clang': clang or '',
        'ckpt_runtime': os.path.join(built, 'runtime.o'),
        'ckpt_restorer': os.path.join(built, 'restorer'),
        'ckpt_cli': os.path.join(built, 'ckpt'),
        'ckpt_preload': os.path.join(built, 'libckpt.so'),
        'ckpt_run': ' '.join(shlex.quote(x) for x in emulator),
        'ckpt_features': features,
        'ckpt_filecheck': filecheck,
        'ckpt_python': sys.executable,
        'ckpt_fuzzer': fuzzer or '',
    }
    with open(os.path.join(built, 'lit.site.cfg.py'), 'w') as f:
        f.write('# Generated by configure.py for %s; do not edit.\n' % arch)
        for key, value in values.items():
            f.write('config.%s = %r\n' % (key, value))
        f.write('lit_config.load_config(config, %r)\n'
                % os.path.join(SRC, 'tests', 'lit.cfg.py'))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--arch', action='append', choices=sorted(ARCHES),
                        help='build only this architecture (repeatable); '
                        'default: every one whose toolchain is found')
    args = parser.parse_args()

    host = host_arch()
    if host not in ARCHES:
        sys.exit('configure.py: host architecture %s is not supported' % host)
    wanted = args.arch or sorted(ARCHES)
    lit = find_tool(LIT_CANDIDATES + ['lit'])
    filecheck = find_tool(FILECHECK_CANDIDATES)
    fuzz_cxx = find_fuzzer_cxx(True)

    configured = []
    for arch in wanted:
        native = arch == host
        tools, why = find_toolchain(arch, native)
        emulator = []
        if tools and not native:
            qemu = find_tool(ARCHES[arch]['qemu'])
            if qemu:
                emulator = [qemu] + ARCHES[arch]['qemu_args']
                # Where a dynamically linked app finds its loader and libc.
                sysroot = '/usr/%s-linux-gnu' % arch
                if os.path.isdir(sysroot):
                    emulator += ['-L', sysroot]
            else:
                why = 'no %s' % ' or '.join(ARCHES[arch]['qemu'])
        if why:
            msg = 'configure.py: skipping %s: %s' % (arch, why)
            if args.arch:
                sys.exit(msg.replace('skipping', 'cannot build'))
            print(msg + ' (install g++-%s-linux-gnu and qemu-user-static, '
                  'or pass --arch %s)' % (arch.replace('_', '-'), host),
                  file=sys.stderr)
            continue
        features = [arch] + (['native-run'] if native else ['emulated'])
        features += cpu_features(arch, native)
        clang = find_clang(arch, native)
        if clang:
            features.append('clang')
        fuzzer = None
        if native and fuzz_cxx:
            fuzzer = os.path.join(SRC, FUZZER)
            features.append('libfuzzer')
        write_site(arch, tools, clang, emulator, features, filecheck or '',
                   fuzzer)
        configured.append((arch, tools, emulator))
        print('configure.py: %s: %s%s' % (
            arch, tools['cxx'],
            ', run with ' + ' '.join(emulator) if emulator else ''))
    if not configured:
        sys.exit('configure.py: no architecture can be built')

    with open(os.path.join(SRC, 'build.ninja'), 'w') as out:
        n = Writer(out)
        n.line('# Generated by configure.py %s; do not edit.'
               % ' '.join(shlex.quote(a) for a in sys.argv[1:]))
        n.line('ninja_required_version = 1.7')
        n.var('src', '.')
        n.var('builddir', 'build')
        n.var('python', sys.executable)
        n.var('configure_args', ' '.join(shlex.quote(a)
                                         for a in sys.argv[1:]))
        n.var('lit', lit or 'lit-not-found')
        n.var('restorer_base', '0x%x' % RESTORER_BASE)
        n.var('restorer_probe_base', '0x%x' % RESTORER_PROBE_BASE)
        n.line()
        n.rule('cxx', '$cxx -MMD -MF $out.d $cflags -c $in -o $out',
               'CXX $out', deps='gcc', depfile='$out.d')
        # One relocatable object; only the public API stays global, and it
        # must need nothing from libc (nm -u lists weak references only,
        # and the GOT, which the final link provides).
        n.rule('runtime_link',
               '$cxx -nostdlib -r -o $out.tmp $in && '
               '$objcopy --keep-global-symbols=$src/runtime/exports.txt '
               '$out.tmp $out && rm -f $out.tmp && '
               'if $nm -u $out | grep -v -e " w " '
               '-e " _GLOBAL_OFFSET_TABLE_$$"; then echo "$out: '
               'undefined symbols above: runtime.o must not call libc" '
               '>&2; rm -f $out; exit 1; fi',
               'LINK $out')
        # Nothing but the public API exported, nothing of libc needed
        # beyond what runtime.o references weakly.
        n.rule('preload_link',
               'sed -e "1i{ global:" -e "s/$$/;/" -e "\\$$a local: *; };" '
               '$src/runtime/exports.txt > $out.map && '
               '$cxx -shared -nostdlib -Wl,-z,now -Wl,--version-script=$out.map '
               '-o $out $in && rm -f $out.map',
               'LINK $out')
        n.rule('cli_link',
               '$cxx -std=c++20 -O2 -g -Wall -I$src -DCKPT_ELF_MACHINE=$machine '
               '$in -o $out', 'CXX $out')
        n.rule('restorer_link',
               'sh $src/linker/link-restorer.sh $out $cxx $objcopy '
               '$restorer_base $restorer_probe_base $in',
               'LINK $out')
        n.rule('configure', '$python $src/configure.py $configure_args',
               'CONFIGURE', generator='1')
        n.rule('check', '$python $src/tests/check.py --lit $lit $in',
               'CHECK', pool='console')
        n.rule('fuzz_cxx', '$fuzz_cxx -MMD -MF $out.d -std=c++20 -g -O1 '
               '-I$src $fuzz_flags -c $in -o $out',
               'FUZZCXX $out', deps='gcc', depfile='$out.d')
        n.rule('fuzz_link', '$fuzz_cxx $fuzz_flags $in -o $out',
               'FUZZER $out')
        n.rule('fuzz_seeds', '$python $src/tests/fuzz/make_seeds.py $out',
               'SEEDS $out')
        # A real image of each architecture, from the test app.
        n.rule('fuzz_app', '$cc -static -g -O1 -I$src/runtime $in -o $out',
               'CC $out')
        n.rule('fuzz_image', 'rm -f $out && $run $in $out', 'IMAGE $out')
        n.rule('fuzz_run', '$python $src/tests/fuzz/run_fuzz.py '
               '--fuzzer $fuzzer --cov $cov --corpus build/fuzz/corpus '
               '--seeds build/fuzz/seeds --seeds build/fuzz/real '
               '--profdata $profdata --llvm-cov $llvm_cov $sources',
               'FUZZ', pool='console')
        # The benchmark's programs, built with the host's C compiler.
        n.rule('bench_cc', '$cc -O2 -g -Wall -Wextra $cflags $in -o $out',
               'CC $out')
        n.rule('bench', '$python $src/tests/bench/bench.py --app $app '
               '--rawio $rawio --incremental-app $incremental '
               '--restorer $restorer '
               '--dir build/bench/images --json build/bench.json',
               'BENCH', pool='console')
        n.rule('demo', 'sh $src/tests/demo/demo.sh $in',
               'DEMO', pool='console')

        sites, outputs = [], []
        for arch, tools, emulator in configured:
            r = write_arch(n, arch, tools, emulator)
            sites.append(r['site'])
            outputs += r['outputs']
        n.build(['build.ninja'], 'configure', implicit=[src('configure.py')])
        if fuzz_cxx and host in [a for a, _, _ in configured]:
            write_fuzz(n, host, fuzz_cxx, configured)
            outputs.append(FUZZER)
        n.build(['check'], 'check', sites, implicit=outputs)
        host_built = [a for a, _, _ in configured if a == host]
        if host_built:
            host_tools = next(t for a, t, _ in configured if a == host)
            runtime = os.path.join('build', host, 'runtime.o')
            restorer = os.path.join('build', host, 'restorer')
            app, rawio = 'build/bench/bench-app', 'build/bench/rawio'
            incremental = 'build/bench/incremental'
            for out, c in ((app, 'bench-app.c'),
                           (incremental, 'incremental.c')):
                n.build([out], 'bench_cc',
                        [src('tests/bench/' + c), runtime],
                        implicit=[src('runtime/ckpt.h')], variables={
                            'cc': host_tools['cc'],
                            'cflags': '-I$src/runtime'})
            n.build([rawio], 'bench_cc', [src('tests/bench/rawio.c')],
                    variables={'cc': host_tools['cc']})
            n.build(['bench'], 'bench',
                    implicit=[app, rawio, incremental, restorer],
                    variables={'app': app, 'rawio': rawio,
                               'incremental': incremental,
                               'restorer': restorer})
            n.build(['demo'], 'demo',
                    [os.path.join('build', host, 'runtime.o'),
                     os.path.join('build', host, 'restorer')])
        n.line('default %s' % ' '.join(a for a, _, _ in configured))
    if not lit or not filecheck:
        print('configure.py: lit or FileCheck not found: `ninja check` '
              'needs llvm-14-tools', file=sys.stderr)
    print('configure.py: wrote build.ninja')


if __name__ == '__main__':
    main()
