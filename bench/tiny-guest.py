#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tiny x86 guests for the start-up benchmark: bench/tiny-guest.py OUTDIR

Writes OUTDIR/off.bzImage and OUTDIR/halt.bzImage, hand-made bzImages (boot
protocol 2.12, 64-bit entry) that every VMM here can start without firmware
of its own:

  - a VMM that enters at the 64-bit entry (lkvm) runs the code at the
    protected-mode kernel's offset 0x200;
  - a VMM or firmware that enters the real-mode setup code (kvmtool, QEMU's
    qboot) runs the jump at setup offset 0x200, which lands at 0x268.

Both places hold the same bytes, which mean the same thing in real and in
long mode:

  off:  mov al,0xfe; out 0x64,al        (i8042 reset: lkvm and kvmtool stop;
                                         QEMU stops on isa-debug-exit at 0x64)
        cli; 1: hlt; jmp 1b             (in case the VMM ignored the write)
  halt: cli; 1: hlt; jmp 1b             (for resident memory: the vCPU sleeps)
"""
import os
import struct
import sys

OFF = bytes([0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4, 0xeb, 0xfd])
HALT = bytes([0xfa, 0xf4, 0xeb, 0xfd])


def bzimage(code):
    setup = bytearray(1024)
    setup[0x1f1] = 1                                  # setup_sects: the boot sector + 1
    setup[0x1fe:0x200] = b'\x55\xaa'
    setup[0x200:0x202] = b'\xeb\x66'                  # jmp 0x268: the header's end
    setup[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', setup, 0x206, 0x020c)      # protocol 2.12
    setup[0x211] = 0x01                               # LOADED_HIGH
    struct.pack_into('<I', setup, 0x214, 0x100000)    # code32_start
    struct.pack_into('<I', setup, 0x22c, 0x7fffffff)  # initrd_addr_max
    struct.pack_into('<H', setup, 0x236, 0x0001)      # XLF_KERNEL_64
    struct.pack_into('<I', setup, 0x238, 2048)        # cmdline_size
    struct.pack_into('<I', setup, 0x260, 0x10000)     # init_size
    setup[0x268:0x268 + len(code)] = code             # real-mode entry
    kernel = bytearray(0x1000)
    kernel[0x200:0x200 + len(code)] = code            # 64-bit entry
    return bytes(setup + kernel)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'bench/out'
    os.makedirs(out, exist_ok=True)
    for name, code in (('off', OFF), ('halt', HALT)):
        with open(os.path.join(out, name + '.bzImage'), 'wb') as f:
            f.write(bzimage(code))


if __name__ == '__main__':
    main()
