#!/usr/bin/env python3
"""patch_image: change an image the way a hostile writer would, for tests.

usage: patch_image.py IMAGE ACTION...

Actions, applied in order; the metadata checksum (meta_crc) is fixed up at
the end, and a region's data checksum after each change to its data unless
--stale-crc comes first. Actions on a thread act on the thread record of
the one that took the checkpoint (the taker) unless --thread chose another.

  --stale-crc              leave data checksums as they were (a corrupt page)
  --thread N               later thread actions act on thread record N
  --context-u32 OFF=VAL    the 32-bit word OFF bytes into the thread's saved
                           register context (its record's context_addr)
  --context-u64 OFF=VAL    the same, 64 bits
  --frame-u32 OFF=VAL      the 32-bit word OFF bytes into the thread's signal
                           frame (its record's signal_frame; it must be set)
  --context-pc VAL         the saved return address (x86_64 pc, aarch64 x30)
  --context-fpcontrol VAL  the saved FP control word: MXCSR on x86_64 (32
                           bits), FPCR on aarch64
  --frame-fpcontrol VAL    the same in the signal frame's FP state (x86_64:
                           fpstate's MXCSR; aarch64: fpsimd_context's FPCR)
  --set-signal-frame ADDR  the thread record's signal_frame = ADDR
  --thread-u32 OFF=VAL     the 32-bit word OFF bytes into the thread record
  --thread-u64 OFF=VAL     the same, 64 bits
  --process-u64 OFF=VAL    the 64-bit word OFF bytes into the process record
  --header-u32 OFF=VAL     the 32-bit word OFF bytes into the header, set
                           after the layout (section_count, meta_size)
  --header-u64 OFF=VAL     the same, 64 bits
  --fd-flags FD=VAL        fd_entry.flags of descriptor FD
  --itimer WHICH=SEC.USEC  itimer WHICH (0 REAL, 1 VIRTUAL, 2 PROF): time left
  --altstack-size N        the thread's alternate signal stack's size
  --robust-list HEAD=LEN   the thread's robust futex list head and length
  --copy-thread N[=TID]    appends a copy of thread record N with tid TID
                           (default: its tid + 1) and no flags: neither
                           leader nor taker
  --add-section TYPE=HEX   appends a section of type TYPE (a number; add
                           0x80000000 for essential) holding the bytes HEX,
                           entry size 1
  --section-type I=TYPE    directory entry I gets type TYPE
  --section-u64 TYPE:OFF=VAL  the 64-bit word OFF bytes into the section of
                           type TYPE (any, also one this helper does not know)
  --region-move N=END      region N (negative: from the last) moves to end
                           at END, same length, data and runs
  --region-at N=START      the same, to start at START
  --region-end N=ADDR      region N ends at ADDR (moves nothing else)
  --region-start N=ADDR    region N starts at ADDR
  --memory-u8 ADDR=VAL     the byte of app memory at ADDR (in a stored run)
  --print-context-addr     print the thread's context_addr (hex) and stop
  --print-tid              print the thread's tid and stop

Numbers may be decimal or 0x-hex. The layout is runtime/image.h's version 2:
the sections are found through the directory, and written back in the
same order, each right after the one before (8-byte aligned), before the
region data. The helper refuses an image whose checksum it does not
reproduce, so a format change shows up here and not as a wrong patch.
"""

import struct
import sys

HEADER = struct.Struct('<8sIIIIIIQIIQQ')  # image::header, 64 bytes
SECTION = struct.Struct('<IIIIQQ')        # image::section, 32 bytes
REGION = struct.Struct('<QQIIIIQQQII')    # image::region, 64 bytes
RUN = struct.Struct('<QQ')
ESSENTIAL = 1 << 31
(SEC_PROCESS, SEC_THREADS, SEC_REGIONS, SEC_RUNS, SEC_FDS,
 SEC_STRINGS) = range(1, 7)
ENTRY_SIZES = {SEC_PROCESS: 3616, SEC_THREADS: 208, SEC_REGIONS: 64,
               SEC_RUNS: 16, SEC_FDS: 64, SEC_STRINGS: 1}
OFF_META_CRC = 40
# process_record: process_state's itimers.
OFF_ITIMERS = 3176 + 280
# thread_record
THREAD_TID, THREAD_FLAGS, THREAD_CONTEXT, THREAD_FRAME = 0, 4, 8, 16
THREAD_ALTSTACK, THREAD_ROBUST = 32, 64
TAKER = 2


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
        t.append(c)
    return t


TABLE = _table()


def crc32c(data, crc=0):
    crc ^= 0xffffffff
    t = TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff


def u32(b, off):
    return struct.unpack_from('<I', b, off)[0]


def u64(b, off):
    return struct.unpack_from('<Q', b, off)[0]


class Image:
    def __init__(self, path):
        self.path = path
        with open(path, 'rb') as f:
            self.b = bytearray(f.read())
        b = self.b
        if (len(b) < HEADER.size or b[:8] != b'CKPTIMG\0' or
                u32(b, 8) != 2 or u32(b, 20) != HEADER.size or
                u32(b, 24) != SECTION.size):
            sys.exit('patch_image: %s: not a version 2 image of the layout '
                     'this helper knows' % path)
        self.header = bytearray(b[:HEADER.size])
        self.meta_size = u64(b, 32)
        self.data_offset = u64(b, 48)
        if self.crc_of(b[:self.meta_size]) != u32(b, OFF_META_CRC):
            sys.exit('patch_image: %s: the metadata checksum does not '
                     'match this helper\'s layout' % path)
        # [type, entry_size, count, bytes] in directory order.
        self.sections = []
        for i in range(u32(b, 28)):
            typ, esize, count, _, off, size = SECTION.unpack_from(
                b, HEADER.size + i * SECTION.size)
            self.sections.append([typ, esize, count,
                                  bytearray(b[off:off + size])])
        for typ, size in ENTRY_SIZES.items():
            s = self.section(typ)
            if s[1] != size:
                sys.exit('patch_image: %s: section %d has entries of %d '
                         'bytes, not %d' % (path, typ, s[1], size))
        self.stale = False
        self.thread = None
        self.header_patches = []

    @staticmethod
    def crc_of(meta):
        meta = bytearray(meta)
        struct.pack_into('<I', meta, OFF_META_CRC, 0)
        return crc32c(meta)

    def section(self, typ):
        for s in self.sections:
            if s[0] & ~ESSENTIAL == typ:
                return s
        sys.exit('patch_image: %s: no section of type %d' % (self.path, typ))

    def data(self, typ):
        return self.section(typ)[3]

    def count(self, typ):
        return self.section(typ)[2]

    # Threads
    def thread_index(self):
        if self.thread is not None:
            return self.thread
        for i in range(self.count(SEC_THREADS)):
            if u32(self.data(SEC_THREADS), i * 208 + THREAD_FLAGS) & TAKER:
                return i
        sys.exit('patch_image: no thread took the checkpoint')

    def thread_offset(self, off=0):
        return self.thread_index() * 208 + off

    def thread_u64(self, off):
        return u64(self.data(SEC_THREADS), self.thread_offset(off))

    # Regions and runs
    def region(self, i):
        return list(REGION.unpack_from(self.data(SEC_REGIONS), i * 64))

    def put_region(self, i, fields):
        REGION.pack_into(self.data(SEC_REGIONS), i * 64, *fields)

    def locate(self, addr, length):
        """The region index and the file offset of app address addr."""
        run_index = 0
        runs = self.data(SEC_RUNS)
        for i in range(self.count(SEC_REGIONS)):
            r = self.region(i)
            start, data_offset, run_count = r[0], r[7], r[10]
            file_off = data_offset
            for k in range(run_count):
                off, ln = RUN.unpack_from(runs, (run_index + k) * RUN.size)
                a = start + off
                if a <= addr and addr + length <= a + ln:
                    return i, file_off + (addr - a)
                file_off += ln
            run_index += run_count
        sys.exit('patch_image: 0x%x is in no stored run' % addr)

    def patch_memory(self, addr, data):
        i, off = self.locate(addr, len(data))
        self.b[off:off + len(data)] = data
        if not self.stale:
            r = self.region(i)
            r[9] = crc32c(self.b[r[7]:r[7] + r[8]])
            self.put_region(i, r)

    def save(self):
        h = self.header
        directory = bytearray()
        body = bytearray()
        start = HEADER.size + len(self.sections) * SECTION.size
        for typ, esize, count, data in self.sections:
            body += bytes(-len(body) % 8)
            directory += SECTION.pack(typ, esize, count, 0,
                                      start + len(body), len(data))
            body += data
        meta = h + directory + body
        if len(meta) > self.data_offset:
            sys.exit('patch_image: the metadata (%d bytes) no longer fits '
                     'before the data at %d' % (len(meta), self.data_offset))
        struct.pack_into('<I', meta, 28, len(self.sections))
        struct.pack_into('<Q', meta, 32, len(meta))
        # Last: they may contradict the layout.
        for fmt, off, val in self.header_patches:
            struct.pack_into(fmt, meta, off, val)
        struct.pack_into('<I', meta, OFF_META_CRC, self.crc_of(meta))
        self.b[:self.data_offset] = meta + bytes(self.data_offset - len(meta))
        with open(self.path, 'r+b') as f:
            f.write(self.b)


def number(s):
    return int(s, 0)


def pair(v):
    a, b = v.split('=')
    return number(a), number(b)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    img = Image(argv[0])
    args = argv[1:]
    x86 = u32(img.b, 12) == 62
    i = 0
    while i < len(args):
        a = args[i]
        v = args[i + 1] if i + 1 < len(args) else None
        i += 2
        threads = img.data(SEC_THREADS)
        if a == '--stale-crc':
            img.stale = True
            i -= 1
        elif a == '--thread':
            img.thread = number(v)
            if not 0 <= img.thread < img.count(SEC_THREADS):
                sys.exit('patch_image: no thread record %d' % img.thread)
        elif a == '--print-tid':
            print(u32(threads, img.thread_offset(THREAD_TID)))
            return
        elif a == '--print-context-addr':
            print('0x%x' % img.thread_u64(THREAD_CONTEXT))
            return
        elif a in ('--context-u32', '--context-u64', '--frame-u32'):
            off, val = pair(v)
            base = img.thread_u64(THREAD_FRAME if a == '--frame-u32'
                                  else THREAD_CONTEXT)
            if not base:
                sys.exit('patch_image: the thread has no signal frame')
            fmt = '<Q' if a == '--context-u64' else '<I'
            img.patch_memory(base + off, struct.pack(fmt, val))
        elif a in ('--context-pc', '--context-fpcontrol'):
            base = img.thread_u64(THREAD_CONTEXT)
            if a == '--context-pc':
                img.patch_memory(base + (56 if x86 else 88),
                                 struct.pack('<Q', number(v)))
            elif x86:
                img.patch_memory(base + 64, struct.pack('<I', number(v)))
            else:
                img.patch_memory(base + 168, struct.pack('<Q', number(v)))
        elif a == '--frame-fpcontrol':
            frame = img.thread_u64(THREAD_FRAME)
            if not frame:
                sys.exit('patch_image: the thread has no signal frame')
            if x86:
                # ucontext.uc_mcontext.fpstate, then fxsave's MXCSR.
                _, off = img.locate(frame + 224, 8)
                fpstate = u64(img.b, off)
                img.patch_memory(fpstate + 24, struct.pack('<I', number(v)))
            else:
                # uc_mcontext.__reserved: fpsimd_context first; fpcr at 12.
                rec = frame + 176 + 288
                _, off = img.locate(rec, 16)
                if u32(img.b, off) != 0x46508001:
                    sys.exit('patch_image: no fpsimd record in the frame')
                img.patch_memory(rec + 12, struct.pack('<I', number(v)))
        elif a == '--memory-u8':
            addr, val = pair(v)
            img.patch_memory(addr, bytes([val]))
        elif a == '--set-signal-frame':
            struct.pack_into('<Q', threads, img.thread_offset(THREAD_FRAME),
                             number(v))
        elif a in ('--thread-u32', '--thread-u64'):
            off, val = pair(v)
            if off + (4 if a == '--thread-u32' else 8) > 208:
                sys.exit('patch_image: offset %d is not in a thread record'
                         % off)
            struct.pack_into('<I' if a == '--thread-u32' else '<Q', threads,
                             img.thread_offset(off), val)
        elif a == '--process-u64':
            off, val = pair(v)
            struct.pack_into('<Q', img.data(SEC_PROCESS), off, val)
        elif a in ('--header-u32', '--header-u64'):
            off, val = pair(v)
            size = 4 if a == '--header-u32' else 8
            if off + size > HEADER.size:
                sys.exit('patch_image: offset %d is not in the header' % off)
            img.header_patches.append(('<I' if size == 4 else '<Q', off,
                                       val))
        elif a == '--altstack-size':
            struct.pack_into('<Q', threads,
                             img.thread_offset(THREAD_ALTSTACK + 16),
                             number(v))
        elif a == '--robust-list':
            head, ln = pair(v)
            struct.pack_into('<QQ', threads, img.thread_offset(THREAD_ROBUST),
                             head, ln)
        elif a == '--copy-thread':
            n, _, tid = v.partition('=')
            n = number(n)
            rec = bytearray(threads[n * 208:(n + 1) * 208])
            tid = number(tid) if tid else u32(rec, THREAD_TID) + 1
            struct.pack_into('<II', rec, 0, tid, 0)
            threads += rec
            img.section(SEC_THREADS)[2] += 1
        elif a == '--add-section':
            typ, _, hexdata = v.partition('=')
            data = bytes.fromhex(hexdata)
            img.sections.append([number(typ), 1, len(data), bytearray(data)])
        elif a == '--section-type':
            n, typ = pair(v)
            img.sections[n][0] = typ
        elif a == '--section-u64':
            where, _, val = v.partition('=')
            typ, _, off = where.partition(':')
            struct.pack_into('<Q', img.data(number(typ)), number(off),
                             number(val))
        elif a == '--fd-flags':
            fd, val = pair(v)
            fds = img.data(SEC_FDS)
            for k in range(img.count(SEC_FDS)):
                if struct.unpack_from('<i', fds, k * 64)[0] == fd:
                    struct.pack_into('<I', fds, k * 64 + 12, val)
                    break
            else:
                sys.exit('patch_image: no fd %d in the image' % fd)
        elif a == '--itimer':
            which, t = v.split('=')
            sec, _, usec = t.partition('.')
            struct.pack_into('<qq', img.data(SEC_PROCESS),
                             OFF_ITIMERS + 32 * int(which) + 16,
                             int(sec), int(usec or 0))
        elif a in ('--region-move', '--region-at'):
            n, addr = pair(v)
            n %= img.count(SEC_REGIONS)
            r = img.region(n)
            length = r[1] - r[0]
            r[0] = addr - length if a == '--region-move' else addr
            r[1] = r[0] + length
            img.put_region(n, r)
        elif a in ('--region-end', '--region-start'):
            n, addr = pair(v)
            r = img.region(n)
            r[1 if a == '--region-end' else 0] = addr
            img.put_region(n, r)
        else:
            sys.exit('patch_image: unknown action %s' % a)
    img.save()


if __name__ == '__main__':
    main(sys.argv[1:])
