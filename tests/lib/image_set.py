#!/usr/bin/env python3
"""image_set: overwrite a 64-bit word of an image's header, keeping the
image's checksum right, for tests of what the restorer does with values a
checksum cannot catch.

usage: image_set.py IMAGE OFFSET VALUE      a header word (u64)
       image_set.py IMAGE --fd-flags FD VALUE  fd_entry.flags of fd FD
(OFFSET, FD, VALUE: numbers, 0x ok)
"""

import struct
import sys

HEADER = struct.Struct('<8sIIIIIIIIII QQQQQ')
META_CRC_OFFSET = 36  # header.meta_crc
FD_ENTRY_SIZE = 64


def crc32c(data):
    crc = 0xffffffff
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
        table.append(c)
    for b in data:
        crc = table[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff


def main():
    path = sys.argv[1]
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    fields = HEADER.unpack_from(data, 0)
    strings_offset, strings_size = fields[13], fields[7]
    if sys.argv[2] == '--fd-flags':
        fd, value = int(sys.argv[3], 0), int(sys.argv[4], 0)
        fds_offset, fd_count = struct.unpack_from('<QI', data, 88)
        for i in range(fd_count):
            at = fds_offset + i * FD_ENTRY_SIZE
            if struct.unpack_from('<i', data, at)[0] == fd:
                struct.pack_into('<I', data, at + 12, value)
                break
        else:
            sys.exit('image_set: no fd %d in %s' % (fd, path))
    else:
        offset, value = int(sys.argv[2], 0), int(sys.argv[3], 0)
        struct.pack_into('<Q', data, offset, value)
    struct.pack_into('<I', data, META_CRC_OFFSET, 0)
    crc = crc32c(bytes(data[:strings_offset + strings_size]))
    struct.pack_into('<I', data, META_CRC_OFFSET, crc)
    with open(path, 'r+b') as f:
        f.write(data[:strings_offset + strings_size])


if __name__ == '__main__':
    main()
