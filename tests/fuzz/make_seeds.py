#!/usr/bin/env python3
"""Writes the image fuzzer's seeds: valid images of every architecture
and page size that the checkpoint side cannot make on this machine.

usage: make_seeds.py OUTDIR

Each image follows runtime/image.h (format 2) and passes every check of
runtime/image.cc for its architecture: regions of every kind, runs with
holes between them, a file-backed shared mapping, many descriptors of
every kind (dups, deleted, cloexec, lost), guard and no-reserve regions,
process state with timers and limits, one thread (the leader, which took
the checkpoint) or three (each stopped in its signal frame), with rseq,
tid address and robust list, register values this CPU accepts and
(x86_64) signal frames with XSAVE state. Real images from the test apps
join them in the build (ninja fuzz).
"""

import os
import struct
import sys

MAGIC = b'CKPTIMG\0'
VERSION = 2
HEADER_SIZE = 64
SECTION_SIZE = 32
PROCESS_SIZE = 3616
THREAD_SIZE = 208
REGION_SIZE = 64
ESSENTIAL = 1 << 31
(SEC_PROCESS, SEC_THREADS, SEC_REGIONS, SEC_RUNS, SEC_FDS,
 SEC_STRINGS) = range(1, 7)
THREAD_LEADER, THREAD_TAKER, THREAD_NAME = 1, 2, 4
# What arch/<arch>/arch.h and context.h say: e_machine, the end of user
# addresses, sizeof(arch::context).
ARCHES = {
    'x86_64': (62, 1 << 47, 72),
    'aarch64': (183, 1 << 48, 184),
}
PAGE_SIZES = (4096, 16384, 65536)

PROT_R, PROT_W, PROT_X = 1, 2, 4
KIND_ANON, KIND_FILE, KIND_HEAP, KIND_STACK, KIND_KERNEL = range(5)
REGION_SHARED, REGION_FILE_BACKED, REGION_GUARD, REGION_NORESERVE = 1, 2, 4, 8
(FD_FILE, FD_DIR, FD_CHR, FD_BLK, FD_FIFO, FD_SOCKET, FD_ANON, FD_MEMFD,
 FD_OTHER) = range(9)
FD_CLOEXEC, FD_DELETED, FD_LOST = 1, 2, 4
O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_NONBLOCK = 0, 0o1, 0o2, 0o2000, 0o4000
O_PATH = 0o10000000
# O_DIRECTORY differs: asm-generic (x86_64) and arm64's fcntl.h.
O_DIRECTORY = {'x86_64': 0o200000, 'aarch64': 0o40000}


_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ (0x82f63b78 if _c & 1 else 0)
    _TABLE.append(_c)


def crc32c(crc, data):
    """ckpt::crc32c: CRC32C (Castagnoli), chained from crc (0 to start)."""
    crc ^= 0xffffffff
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff


class Strings:
    def __init__(self):
        self.data = bytearray(b'\0')
        self.index = {'': 0}

    def add(self, s):
        if s not in self.index:
            self.index[s] = len(self.data)
            self.data += s.encode() + b'\0'
        return self.index[s]


def region_layout(page, limit, many_runs):
    """(start, end, prot, kind, flags, name, file_offset, runs) per region;
    runs are (offset, length) in pages, turned into bytes later."""
    base = 0x555555554000 // page * page
    top = min(limit, 1 << 47) - 0x100000 * page // 4096
    top = top // page * page
    regions = [
        # code and read-only data of the app, stored
        (base, base + 4 * page, PROT_R | PROT_X, KIND_FILE, 0,
         '/usr/bin/app', 0, [(0, 1)]),
        (base + 4 * page, base + 6 * page, PROT_R, KIND_FILE, 0,
         '/usr/bin/app', 4 * page, [(0, 1)]),
        # .data/.bss: holds the runtime's context and resume record
        (base + 6 * page, base + 10 * page, PROT_R | PROT_W, KIND_ANON, 0,
         '', 0, [(0, 1), (2, 1)]),
        (base + 16 * page, base + 48 * page, PROT_R | PROT_W, KIND_HEAP, 0,
         '[heap]', 0,
         [(i * 2, 1) for i in range(8)] if many_runs else [(0, 1)]),
        # a shared mapping of a file that is mapped again, not stored
        (base + 0x1000 * page, base + 0x1008 * page, PROT_R | PROT_W,
         KIND_FILE, REGION_SHARED | REGION_FILE_BACKED, '/var/db/shared',
         8 * page, []),
        # a private anonymous mapping nobody touched: no runs at all
        (base + 0x2000 * page, base + 0x2100 * page, PROT_R | PROT_W,
         KIND_ANON, 0, '', 0, []),
        # a shared anonymous mapping, stored
        (base + 0x3000 * page, base + 0x3004 * page, PROT_R | PROT_W,
         KIND_ANON, REGION_SHARED, '/dev/zero (deleted)', 0, [(1, 1)]),
        # a page without access, reserved MAP_NORESERVE
        (base + 0x3004 * page, base + 0x3005 * page, 0, KIND_ANON,
         REGION_NORESERVE, '', 0, []),
        # a thread's stack with guard pages (MADV_GUARD_INSTALL): none
        # stored
        (base + 0x4000 * page, base + 0x4010 * page, PROT_R | PROT_W,
         KIND_ANON, REGION_GUARD, '', 0, []),
        # a large no-reserve reservation, as ASan's shadow
        (base + 0x10000 * page, base + 0x50000 * page, PROT_R | PROT_W,
         KIND_ANON, REGION_NORESERVE, '', 0, [(0x100, 1)]),
        (top - 40 * page, top - 36 * page, PROT_R, KIND_KERNEL, 0,
         '[vvar]', 0, []),
        (top - 36 * page, top - 34 * page, PROT_R | PROT_X, KIND_KERNEL, 0,
         '[vdso]', 0, []),
        # the top pages stored: one signal frame on each
        (top - 32 * page, top, PROT_R | PROT_W, KIND_STACK, 0, '[stack]', 0,
         [(29, 3)] if many_runs else [(31, 1)]),
    ]
    return regions


def fd_table(strings, arch, many):
    """fd_entry tuples: fd, dup_of, kind, flags, open_flags, mode, name,
    rdev major, minor, ino, offset, size."""
    fds = [
        (0, -1, FD_CHR, 0, O_RDWR, 0o20620, '/dev/pts/3', 136, 3, 6, 0, 0),
        (1, 0, FD_CHR, 0, O_RDWR, 0o20620, '/dev/pts/3', 136, 3, 6, 0, 0),
        (2, 0, FD_CHR, 0, O_RDWR, 0o20620, '/dev/pts/3', 136, 3, 6, 0, 0),
        (3, -1, FD_FILE, FD_CLOEXEC, O_RDWR | O_APPEND, 0o100644,
         '/var/log/app.log', 0, 0, 1234, 4096, 4096),
        (4, -1, FD_DIR, FD_CLOEXEC, O_DIRECTORY[arch], 0o40755, '/var/db', 0, 0,
         99, 0, 4096),
        (5, -1, FD_FIFO, 0, O_NONBLOCK, 0o10600, 'pipe:[4711]', 0, 0, 4711,
         0, 0),
        (6, -1, FD_SOCKET, FD_CLOEXEC, O_RDWR, 0o140777, 'socket:[4712]', 0,
         0, 4712, 0, 0),
        (7, -1, FD_ANON, 0, O_RDWR, 0o600, 'anon_inode:[eventfd]', 0, 0, 1,
         0, 0),
        (8, -1, FD_MEMFD, 0, O_RDWR, 0o100777, '/memfd:buf (deleted)', 0, 0,
         5, 10, 100),
        (9, -1, FD_FILE, FD_DELETED, O_RDONLY, 0o100600,
         '/tmp/etilqs_x (deleted)', 0, 0, 77, 0, 0),
        (10, 3, FD_FILE, 0, O_RDWR | O_APPEND, 0o100644, '/var/log/app.log',
         0, 0, 1234, 4096, 4096),
        (11, -1, FD_CHR, 0, O_WRONLY, 0o20666, '/dev/null', 1, 3, 4, 0, 0),
        (12, -1, FD_BLK, 0, O_RDONLY, 0o60660, '/dev/sda', 8, 0, 300, 0, 0),
        (13, -1, FD_OTHER, 0, O_PATH, 0o120777, '/etc/alternatives/x', 0, 0,
         8, 0, 0),
        (14, -1, FD_FILE, 0, O_WRONLY, 0o100644, '/var/db/shared', 0, 0, 9,
         1 << 20, 1 << 21),
        # statx and fstat failed at checkpoint: it cannot come back
        (15, -1, FD_OTHER, FD_LOST, O_RDWR, 0, 'anon_inode:[io_uring]', 0,
         0, 0, 0, 0),
    ]
    if many:
        for i in range(200):
            fd = 20 + i * 3
            fds.append((fd, -1, FD_FILE, FD_CLOEXEC if i & 1 else 0,
                        O_RDONLY, 0o100644, '/data/part-%d' % (i % 17), 0, 0,
                        1000 + i, i * 512, 1 << 20))
    out = []
    for e in fds:
        e = list(e)
        e[6] = strings.add(e[6])
        out.append(e)
    return out


def registers(chunk, at, arch):
    """The saved context's values the CPU checks (arch/<arch>/context.h):
    MXCSR and the x87 control word at their defaults; FPCR and FPSR 0."""
    if arch == 'x86_64':
        struct.pack_into('<IH', chunk, at + 64, 0x1f80, 0x37f)
    else:
        struct.pack_into('<QQ', chunk, at + 168, 0, 0)


def signal_frame(chunk, at, frame):
    """An x86_64 rt_sigframe's ucontext at frame, its XSAVE area 1 KiB
    after it (struct ucontext's uc_mcontext at 40, sigcontext's fpstate
    at 184; _fpstate_64's mxcsr at 24, sw_reserved at 464, the XSAVE
    header at 512): x87 and SSE state in the standard form."""
    fpstate = 1024
    struct.pack_into('<Q', chunk, at + 40 + 184, frame + fpstate)
    struct.pack_into('<I', chunk, at + fpstate + 24, 0x1f80)
    struct.pack_into('<IIQI', chunk, at + fpstate + 464, 0x46505853,
                     512 + 64 + 4, 3, 512 + 64)
    struct.pack_into('<8Q', chunk, at + fpstate + 512, 3, 0, 0, 0, 0, 0,
                     0, 0)


def frames(arch, page, regions, many):
    """Each thread's signal frame: one per stored page at the top of the
    stack; with one thread (x86_64 only), the frame of a signal taker."""
    top = regions[-1][1]
    if many:
        return [top - (i + 1) * page for i in range(3)]
    return [top - page if arch == 'x86_64' else 0]


def process_record(arch, page, regions, cwd, resume):
    p = bytearray(PROCESS_SIZE)
    struct.pack_into('<Q', p, 0, resume)
    # mm fields, then the auxiliary vector (AT_PAGESZ, AT_NULL).
    base = regions[0][0]
    struct.pack_into('<11Q', p, 8, base, base + 4 * page,
                     base + 6 * page, base + 10 * page, base + 16 * page,
                     base + 19 * page, regions[-1][1] - 4096,
                     regions[-1][1] - 2048, regions[-1][1] - 1024,
                     regions[-1][1] - 1024, regions[-1][1] - 16)
    struct.pack_into('<II', p, 96, 4, 0)
    struct.pack_into('<4Q', p, 104, 6, page, 0, 0)
    # Handlers for SIGINT (2), SIGUSR2 (12) and SIGALRM (14).
    for sig in (2, 12, 14):
        struct.pack_into('<4Q', p, 1128 + (sig - 1) * 32, base + 0x100,
                         0x14000004, base + 0x200, 1 << 11)
    # process_state
    ps = 3176
    struct.pack_into('<IIIIII', p, ps, 3, cwd, 0o022, 0x0040000, 0x3f, 0)
    for r in range(6):
        cur = (1 << 64) - 1 if r % 2 else 1 << (20 + r)
        struct.pack_into('<QQ', p, ps + 24 + r * 16, cur, (1 << 64) - 1)
    struct.pack_into('<4q', p, ps + 280, 0, 500000, 3, 250)  # ITIMER_REAL
    struct.pack_into('<4q', p, ps + 280 + 64, 1, 0, 0, 999999)  # ITIMER_PROF
    return p


def thread_records(arch, page, regions, contexts, many):
    """The leader first; with many, three threads, the second the taker,
    each stopped in a signal frame on the stack."""
    datarw = regions[2][0]
    stack_frames = frames(arch, page, regions, many)
    count = 3 if many else 1
    out = bytearray()
    for i in range(count):
        t = bytearray(THREAD_SIZE)
        flags = THREAD_NAME
        if i == 0:
            flags |= THREAD_LEADER
        if i == (1 if many else 0):
            flags |= THREAD_TAKER
        frame = stack_frames[i]
        struct.pack_into('<IIQQQ', t, 0, 4000 + i, flags, contexts[i], frame,
                         1 << 9)
        struct.pack_into('<QiiQ', t, 32, regions[3][0] + i * 2 * page, 0, 0,
                         2 * page)
        # tid address, robust list head (24 bytes), rseq area.
        struct.pack_into('<QQQQII', t, 56, datarw + 2 * page + 256 + i * 64,
                         datarw + 2 * page + 1024 + i * 64, 24,
                         datarw + 2 * page + 2048 + i * 32, 32,
                         0x53053053 if arch == 'x86_64' else 0xd428bc00)
        name = b'app-%s-%d' % (arch.encode(), i)
        t[96:96 + len(name)] = name
        struct.pack_into('<Q', t, 112, datarw + 3 * page + i * 256)
        out += t
    return count, out


def build_image(arch, page, many):
    machine, limit, context_size = ARCHES[arch]
    strings = Strings()
    regions = region_layout(page, limit, many)
    fds = fd_table(strings, arch, many)
    cwd = strings.add('/home/user/work')
    for r in regions:
        strings.add(r[5])

    # The runtime's records in the writable data region's stored pages.
    datarw = regions[2][0]
    contexts = [datarw + 64 + i * (context_size + 8) for i in range(3)]
    resume = contexts[-1] + context_size + 8
    thread_count, thread_bytes = thread_records(arch, page, regions,
                                                contexts, many)

    region_bytes = bytearray()
    run_bytes = bytearray()
    data = bytearray()
    stored_parts = []
    stack_frames = [f for f in frames(arch, page, regions, many) if f]
    for i, (start, end, prot, kind, flags, name, foff, runs) in \
            enumerate(regions):
        stored = bytearray()
        for off, n in runs:
            run_bytes += struct.pack('<QQ', off * page, n * page)
            chunk = bytearray((i * 37 + off + k) & 0xff
                              for k in range(n * page))
            at = start + off * page
            for context in contexts[:thread_count]:
                if at <= context < at + n * page:
                    registers(chunk, context - at, arch)
            for frame in stack_frames:
                if arch == 'x86_64' and at <= frame < at + n * page:
                    signal_frame(chunk, frame - at, frame)
            stored += chunk
        stored_parts.append(stored)
    fd_bytes = bytearray()
    for e in fds:
        fd_bytes += struct.pack('<iiIIIIIIIIQQQ', e[0], e[1], e[2], e[3],
                                e[4], e[5], e[6], e[7], e[8], 0, e[9],
                                e[10], e[11])

    # header | directory | process | threads | regions | runs | fds |
    # strings | pad | data
    sections = [
        (SEC_PROCESS, PROCESS_SIZE, 1, None),
        (SEC_THREADS, THREAD_SIZE, thread_count, thread_bytes),
        (SEC_REGIONS, REGION_SIZE, len(regions), None),
        (SEC_RUNS, 16, len(run_bytes) // 16, run_bytes),
        (SEC_FDS, 64, len(fds), fd_bytes),
        (SEC_STRINGS, 1, len(strings.data), strings.data),
    ]
    off = HEADER_SIZE + len(sections) * SECTION_SIZE
    offsets = []
    for typ, esize, count, _ in sections:
        offsets.append(off)
        off += esize * count
    meta_size = off
    data_offset = -(-meta_size // page) * page
    for i, (start, end, prot, kind, flags, name, foff, runs) in \
            enumerate(regions):
        stored = stored_parts[i]
        doff = data_offset + len(data) if stored else 0
        region_bytes += struct.pack(
            '<QQIIIIQQQII', start, end, prot, kind, flags,
            strings.index[name], foff, doff, len(stored),
            crc32c(0, stored) if stored else 0, len(runs))
        data += stored
    file_size = data_offset + len(data)
    bodies = {SEC_PROCESS: process_record(arch, page, regions, cwd, resume),
              SEC_REGIONS: region_bytes}

    directory = bytearray()
    body = bytearray()
    for (typ, esize, count, content), off in zip(sections, offsets):
        content = bodies.get(typ, content)
        assert len(content) == esize * count
        directory += struct.pack('<IIIIQQ', typ | ESSENTIAL, esize, count, 0,
                                 off, len(content))
        body += content
    h = bytearray(HEADER_SIZE)
    struct.pack_into('<8sIIIIIIQIIQQ', h, 0, MAGIC, VERSION, machine, page,
                     HEADER_SIZE, SECTION_SIZE, len(sections), meta_size, 0,
                     0, data_offset, file_size)
    meta = h + directory + body
    assert len(meta) == meta_size
    struct.pack_into('<I', meta, 40, crc32c(0, meta))
    image = bytes(meta) + bytes(data_offset - meta_size) + bytes(data)
    assert len(image) == file_size
    return image


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().split('\n\n')[1])
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for arch in sorted(ARCHES):
        for page in PAGE_SIZES:
            for many in (False, True):
                name = 'seed-%s-%dk%s.ckpt' % (arch, page // 1024,
                                               '-many' if many else '')
                path = os.path.join(out, name)
                with open(path + '.tmp', 'wb') as f:
                    f.write(build_image(arch, page, many))
                os.chmod(path + '.tmp', 0o600)
                os.replace(path + '.tmp', path)


if __name__ == '__main__':
    main()
