#!/usr/bin/env python3
"""patch_image: change an image the way a hostile writer would, for tests.

usage: patch_image.py IMAGE ACTION...

Actions, applied in order; the header checksum (meta_crc) is fixed up at
the end, and a region's data checksum after each change to its data unless
--stale-crc comes first:

  --stale-crc              leave data checksums as they were (a corrupt page)
  --context-u32 OFF=VAL    the 32-bit word OFF bytes into the runtime's saved
                           register context (header.context_addr)
  --context-u64 OFF=VAL    the same, 64 bits
  --frame-u32 OFF=VAL      the 32-bit word OFF bytes into the signal frame
                           (header.signal_frame; it must be set)
  --context-pc VAL         the saved return address (x86_64 pc, aarch64 x30)
  --context-fpcontrol VAL  the saved FP control word: MXCSR on x86_64 (32
                           bits), FPCR on aarch64
  --frame-fpcontrol VAL    the same in the signal frame's FP state (x86_64:
                           fpstate's MXCSR; aarch64: fpsimd_context's FPCR)
  --set-signal-frame ADDR  header.signal_frame = ADDR (an app address)
  --header-u64 OFF=VAL     the 64-bit header word OFF bytes into the header
  --fd-flags FD=VAL        fd_entry.flags of descriptor FD
  --itimer WHICH=SEC.USEC  itimer WHICH (0 REAL, 1 VIRTUAL, 2 PROF): time left
  --altstack-size N        the alternate signal stack's size
  --robust-list HEAD=LEN   the robust futex list head and length
  --region-move N=END      region N (negative: from the last) moves to end
                           at END, same length, data and runs
  --region-at N=START      the same, to start at START
  --region-end N=ADDR      region N ends at ADDR (moves nothing else)
  --region-start N=ADDR    region N starts at ADDR
  --print-context-addr     print header.context_addr (hex) and stop

Numbers may be decimal or 0x-hex. The layout is runtime/image.h's version 1;
the helper refuses an image whose header size or checksum it does not
reproduce, so a format change shows up here and not as a wrong patch.
"""

import struct
import sys

HEADER_SIZE = 3944
REGION = struct.Struct('<QQIIIIQQQII')  # image::region, 64 bytes
RUN = struct.Struct('<QQ')
FD_ENTRY_SIZE = 64
OFF_META_CRC = 36
OFF_CONTEXT = 104
OFF_ALTSTACK = 3360
OFF_PROCESS = 3384
OFF_ITIMERS = OFF_PROCESS + 336
OFF_SIGNAL_FRAME = 3816


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
        if b[:8] != b'CKPTIMG\0' or u32(b, 20) != HEADER_SIZE:
            sys.exit('patch_image: %s: not a version 1 image of the layout '
                     'this helper knows' % path)
        self.region_count = u32(b, 28)
        self.strings_size = u32(b, 32)
        self.run_count = u32(b, 40)
        self.table_offset = u64(b, 48)
        self.runs_offset = u64(b, 56)
        self.strings_offset = u64(b, 64)
        self.fds_offset = u64(b, 88)
        self.fd_count = u32(b, 96)
        if self.compute_meta_crc() != u32(b, OFF_META_CRC):
            sys.exit('patch_image: %s: the header checksum does not match '
                     'this helper\'s layout' % path)
        self.stale = False

    def compute_meta_crc(self):
        b = self.b
        head = bytearray(b[:HEADER_SIZE])
        struct.pack_into('<I', head, OFF_META_CRC, 0)
        crc = crc32c(head)
        crc = crc32c(b[self.table_offset:self.table_offset +
                       self.region_count * REGION.size], crc)
        crc = crc32c(b[self.runs_offset:self.runs_offset +
                       self.run_count * RUN.size], crc)
        crc = crc32c(b[self.fds_offset:self.fds_offset +
                       self.fd_count * FD_ENTRY_SIZE], crc)
        return crc32c(b[self.strings_offset:self.strings_offset +
                        self.strings_size], crc)

    def region(self, i):
        off = self.table_offset + i * REGION.size
        return list(REGION.unpack_from(self.b, off)), off

    def put_region(self, i, fields):
        REGION.pack_into(self.b, self.table_offset + i * REGION.size, *fields)

    def locate(self, addr, length):
        """The region index and the file offset of app address addr."""
        run_index = 0
        for i in range(self.region_count):
            r, _ = self.region(i)
            start, end, data_offset, run_count = r[0], r[1], r[7], r[10]
            file_off = data_offset
            for k in range(run_count):
                off, ln = RUN.unpack_from(self.b, self.runs_offset +
                                          (run_index + k) * RUN.size)
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
            r, _ = self.region(i)
            r[9] = crc32c(self.b[r[7]:r[7] + r[8]])
            self.put_region(i, r)

    def save(self):
        struct.pack_into('<I', self.b, OFF_META_CRC, self.compute_meta_crc())
        with open(self.path, 'r+b') as f:
            f.write(self.b)


def number(s):
    return int(s, 0)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    img = Image(argv[0])
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        v = args[i + 1] if i + 1 < len(args) else None
        i += 2
        if a == '--stale-crc':
            img.stale = True
            i -= 1
        elif a == '--print-context-addr':
            print('0x%x' % u64(img.b, OFF_CONTEXT))
            return
        elif a in ('--context-u32', '--context-u64', '--frame-u32'):
            off, val = (number(x) for x in v.split('='))
            base = u64(img.b, OFF_SIGNAL_FRAME if a == '--frame-u32'
                       else OFF_CONTEXT)
            if not base:
                sys.exit('patch_image: the image has no signal frame')
            fmt = '<Q' if a == '--context-u64' else '<I'
            img.patch_memory(base + off, struct.pack(fmt, val))
        elif a in ('--context-pc', '--context-fpcontrol'):
            x86 = u32(img.b, 12) == 62
            base = u64(img.b, OFF_CONTEXT)
            if a == '--context-pc':
                img.patch_memory(base + (56 if x86 else 88),
                                 struct.pack('<Q', number(v)))
            elif x86:
                img.patch_memory(base + 64, struct.pack('<I', number(v)))
            else:
                img.patch_memory(base + 168, struct.pack('<Q', number(v)))
        elif a == '--frame-fpcontrol':
            frame = u64(img.b, OFF_SIGNAL_FRAME)
            if not frame:
                sys.exit('patch_image: the image has no signal frame')
            if u32(img.b, 12) == 62:
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
        elif a == '--altstack-size':
            struct.pack_into('<Q', img.b, OFF_ALTSTACK + 16, number(v))
        elif a == '--robust-list':
            head, ln = (number(x) for x in v.split('='))
            struct.pack_into('<QQ', img.b, OFF_PROCESS + 64, head, ln)
        elif a == '--header-u64':
            off, val = (number(x) for x in v.split('='))
            if off + 8 > HEADER_SIZE:
                sys.exit('patch_image: offset %d is not in the header' % off)
            struct.pack_into('<Q', img.b, off, val)
        elif a == '--fd-flags':
            fd, val = (number(x) for x in v.split('='))
            for k in range(img.fd_count):
                at = img.fds_offset + k * FD_ENTRY_SIZE
                if struct.unpack_from('<i', img.b, at)[0] == fd:
                    struct.pack_into('<I', img.b, at + 12, val)
                    break
            else:
                sys.exit('patch_image: no fd %d in the image' % fd)
        elif a == '--set-signal-frame':
            struct.pack_into('<Q', img.b, OFF_SIGNAL_FRAME, number(v))
        elif a == '--itimer':
            which, t = v.split('=')
            sec, _, usec = t.partition('.')
            struct.pack_into('<qq', img.b, OFF_ITIMERS + 32 * int(which) + 16,
                             int(sec), int(usec or 0))
        elif a in ('--region-move', '--region-at'):
            n, addr = (number(x) for x in v.split('='))
            n %= img.region_count
            r, _ = img.region(n)
            length = r[1] - r[0]
            r[0] = addr - length if a == '--region-move' else addr
            r[1] = r[0] + length
            img.put_region(n, r)
        elif a in ('--region-end', '--region-start'):
            n, addr = (number(x) for x in v.split('='))
            r, _ = img.region(n)
            r[1 if a == '--region-end' else 0] = addr
            img.put_region(n, r)
        else:
            sys.exit('patch_image: unknown action %s' % a)
    img.save()


if __name__ == '__main__':
    main(sys.argv[1:])
