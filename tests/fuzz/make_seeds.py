#!/usr/bin/env python3
# Writes the seed corpora under tests/fuzz/corpus/TARGET/: a few well-formed
# inputs per target, laid out the way each fuzz_*.c takes its input, so the
# fuzzers start from the valid paths rather than find them. The regress-*
# files next to them are crashes the fuzzers found, kept as they were.
#
#   tests/fuzz/make_seeds.py        (rewrites every seed-* file)
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def u8(v):
    return struct.pack("<B", v & 0xff)


def u16(v):
    return struct.pack("<H", v & 0xffff)


def u32(v):
    return struct.pack("<I", v & 0xffffffff)


def u64(v):
    return struct.pack("<Q", v & 0xffffffffffffffff)


def desc(addr, length, flags=0, nxt=0):
    return u64(addr) + u32(length) + u16(flags) + u16(nxt)


NEXT, WRITE, INDIRECT = 1, 2, 4


def ram(chunks, size=0x10000):
    """Guest RAM of region 0: (offset, bytes) pairs."""
    b = bytearray(size)
    for off, data in chunks:
        b[off:off + len(data)] = data
    return bytes(b).rstrip(b"\0")


def ring_gpa(off):
    return u32(off << 1)  # region 0, offset


def avail(heads):
    return u16(0) + u16(len(heads)) + b"".join(u16(h) for h in heads)


def virtq():
    # flags, pops, size code 3 (8 entries), desc 0x0, avail 0x100, used 0x200
    hdr = u8(0) + u8(8) + u8(3) + ring_gpa(0) + ring_gpa(0x100) + ring_gpa(0x200)
    table = desc(0x2000, 16, NEXT, 1) + desc(0x3000, 512, WRITE)
    chain = ram([(0, table + desc(0x4000, 48, INDIRECT)),
                 (0x100, avail([0, 2])),
                 (0x4000, desc(0x5000, 8, NEXT, 1) + desc(0x6000, 8, NEXT | WRITE, 2) +
                  desc(0x7000, 8, WRITE))])
    put("virtq", "chains", hdr + chain)
    put("virtq", "event-idx", u8(1) + hdr[1:] + chain)


def blk():
    hdr = u8(0) + u8(3) + ring_gpa(0) + ring_gpa(0x100) + ring_gpa(0x200)

    def req(kind, sector):
        return u32(kind) + u32(0) + u64(sector)

    table = (desc(0x1000, 16, NEXT, 1) + desc(0x2000, 512, NEXT | WRITE, 2) +
             desc(0x3000, 1, WRITE) +
             desc(0x1010, 16, NEXT, 4) + desc(0x2200, 1024, NEXT, 5) + desc(0x3001, 1, WRITE) +
             desc(0x1020, 16, NEXT, 7) + desc(0x3002, 1, WRITE) +
             desc(0x1030, 16, NEXT, 9) + desc(0x2800, 64, NEXT | WRITE, 10) +
             desc(0x3003, 1, WRITE))
    mem = ram([(0, table), (0x100, avail([0, 3, 6, 8])),
               (0x1000, req(0, 1) + req(1, 2) + req(4, 0) + req(8, 0))])
    put("blk", "read-write-flush-id", hdr + mem)
    seg = u64(0) + u32(8) + u32(0)
    table = (desc(0x1000, 16, NEXT, 1) + desc(0x1100, 16, NEXT, 2) + desc(0x3000, 1, WRITE))
    mem = ram([(0, table), (0x100, avail([0])), (0x1000, req(11, 0)), (0x1100, seg)])
    put("blk", "discard", hdr + mem)


def frame_tcp4(payload):
    ip = bytearray(20)
    ip[0] = 0x45
    ip[2:4] = struct.pack(">H", 40 + len(payload))
    ip[8] = 64
    ip[9] = 6
    ip[12:20] = bytes([10, 0, 2, 15, 10, 0, 2, 2])
    tcp = bytearray(20)
    tcp[0:4] = struct.pack(">HH", 40000, 80)
    tcp[12] = 5 << 4
    tcp[13] = 0x18
    return b"\x52\x55\x0a\x00\x02\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + \
        bytes(ip) + bytes(tcp) + payload


def frame_tcp6(payload):
    ip = bytearray(40)
    ip[0] = 0x60
    ip[4:6] = struct.pack(">H", 20 + len(payload))
    ip[6] = 6
    ip[7] = 64
    ip[23] = 1
    ip[39] = 2
    tcp = bytearray(20)
    tcp[12] = 5 << 4
    return b"\x52\x55\x0a\x00\x02\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x86\xdd" + \
        bytes(ip) + bytes(tcp) + payload


def frame_udp4(payload, opts=b""):
    ip = bytearray(20) + opts
    ip[0] = 0x40 | len(ip) // 4
    ip[2:4] = struct.pack(">H", len(ip) + 8 + len(payload))
    ip[8] = 64
    ip[9] = 17
    ip[12:20] = bytes([10, 0, 2, 15, 10, 0, 2, 2])
    udp = struct.pack(">HHHH", 40000, 53, 8 + len(payload), 0)
    return b"\x52\x55\x0a\x00\x02\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + \
        bytes(ip) + udp + payload


def frame_udp6(payload):
    ip = bytearray(40)
    ip[0] = 0x60
    ip[4:6] = struct.pack(">H", 8 + len(payload))
    ip[6] = 17
    ip[7] = 64
    ip[23] = 1
    ip[39] = 2
    udp = struct.pack(">HHHH", 40000, 53, 8 + len(payload), 0)
    return b"\x52\x55\x0a\x00\x02\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x86\xdd" + \
        bytes(ip) + udp + payload


def vnet(flags=0, gso=0, hdr_len=0, gso_size=0, start=0, off=0):
    return u8(flags) + u8(gso) + u16(hdr_len) + u16(gso_size) + u16(start) + u16(off) + u16(0)


def net_hdr():
    feats = (1 << 0) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 32)
    arp = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x06" + bytes(46)
    put("net_hdr", "plain-arp", u64(feats) + u8(0) + vnet() + arp)
    put("net_hdr", "csum-tcp4", u64(feats) + u8(0) + vnet(1, 0, 0, 0, 34, 16) +
        frame_tcp4(b"x" * 100))
    put("net_hdr", "tso-tcp4", u64(feats) + u8(0) + vnet(1, 1, 54, 1000, 34, 16) +
        frame_tcp4(b"y" * 3000))
    put("net_hdr", "tso-tcp6", u64(feats) + u8(2) + vnet(1, 4, 74, 1200, 54, 16) +
        frame_tcp6(b"z" * 4000))
    put("net_hdr", "csum-only", u64(feats) + u8(1) + vnet(1, 0, 0, 0, 14, 10) + arp)
    # UFO (HOST_UFO, bit 14) and USO (HOST_USO, bit 56): gso_type 3 and 5.
    udp_feats = feats | (1 << 14) | (1 << 56)
    put("net_hdr", "ufo-udp4", u64(udp_feats) + u8(0) + vnet(1, 3, 42, 1480, 34, 6) +
        frame_udp4(b"u" * 4000))
    # Router Alert (copied into each fragment) and a timestamp (the first only).
    put("net_hdr", "ufo-udp4-opts", u64(udp_feats) + u8(2) + vnet(1, 3, 54, 1000, 46, 6) +
        frame_udp4(b"o" * 3000, bytes([0x94, 4, 0, 0, 0x44, 4, 5, 0, 1, 1, 1, 1])))
    put("net_hdr", "ufo-udp6", u64(udp_feats) + u8(0) + vnet(1, 3, 62, 1448, 54, 6) +
        frame_udp6(b"v" * 3000))
    put("net_hdr", "uso-udp4", u64(udp_feats) + u8(0) + vnet(1, 5, 42, 1000, 34, 6) +
        frame_udp4(b"w" * 4500))
    put("net_hdr", "uso-udp6", u64(udp_feats) + u8(2) + vnet(1, 5, 62, 1200, 54, 6) +
        frame_udp6(b"x" * 5000))


def p9msg(kind, tag, body):
    return u32(7 + len(body)) + u8(kind) + u16(tag) + body


def s9(text):
    return u16(len(text)) + text.encode()


def p9():
    msgs = [
        p9msg(100, 0xffff, u32(8192) + s9("9P2000.L")),
        p9msg(104, 1, u32(1) + u32(0xffffffff) + s9("") + s9("") + u32(0)),
        p9msg(110, 2, u32(1) + u32(2) + u16(1) + s9("a")),
        p9msg(12, 3, u32(2) + u32(2)),
        p9msg(116, 4, u32(2) + u64(0) + u32(100)),
        p9msg(118, 5, u32(2) + u64(4) + u32(3) + b"abc"),
        p9msg(24, 6, u32(2) + u64(0x7ff)),
        p9msg(110, 7, u32(1) + u32(3) + u16(0)),
        p9msg(14, 8, u32(3) + s9("new") + u32(0o102) + u32(0o644) + u32(0)),
        p9msg(72, 9, u32(1) + s9("d2") + u32(0o755) + u32(0)),
        p9msg(16, 10, u32(1) + s9("ln") + s9("a") + u32(0)),
        p9msg(74, 11, u32(1) + s9("new") + u32(1) + s9("new2")),
        p9msg(110, 12, u32(1) + u32(4) + u16(0)),
        p9msg(12, 13, u32(4) + u32(0o200000)),
        p9msg(40, 14, u32(4) + u64(0) + u32(4000)),
        p9msg(110, 15, u32(1) + u32(5) + u16(1) + s9("up")),
        p9msg(22, 16, u32(5)),
        p9msg(26, 17, u32(2) + u32(0x1ff) + u32(0o600) + u32(0) + u32(0) + u64(2) +
              u64(0) + u64(0) + u64(0) + u64(0)),
        p9msg(52, 18, u32(2) + u8(1) + u32(0) + u64(0) + u64(10) + u32(1) + s9("c")),
        p9msg(54, 19, u32(2) + u8(1) + u64(0) + u64(10) + u32(1) + s9("c")),
        p9msg(70, 20, u32(1) + u32(2) + s9("hard")),
        p9msg(76, 21, u32(1) + s9("d2") + u32(0x200)),
        p9msg(8, 22, u32(1)),
        p9msg(30, 23, u32(2) + u32(6) + s9("user.x")),
        p9msg(50, 24, u32(2) + u32(0)),
        p9msg(108, 25, u16(4)),
        p9msg(120, 26, u32(2)),
        p9msg(122, 27, u32(3)),
    ]
    put("p9", "session", u8(0) + b"".join(u16(len(m)) + m for m in msgs))
    put("p9", "session-ro", u8(1) + b"".join(u16(len(m)) + m for m in msgs[:8]))


def tail(*vals):
    """The 16 parameter bytes after a kernel file."""
    b = b"".join(vals)
    assert len(b) == 16
    return b


def bzimage():
    f = bytearray(0x1000)
    f[0x1f1] = 1                                  # setup_sects
    f[0x201] = 0x6a                               # header runs to 0x26c
    f[0x202:0x206] = b"HdrS"
    f[0x206:0x208] = u16(0x020f)
    f[0x211] = 1                                  # loadflags: LOADED_HIGH
    f[0x218:0x21c] = u32(0)                       # ramdisk_image
    f[0x22c:0x230] = u32(0x7fffffff)              # initrd_addr_max
    f[0x234] = 1                                  # relocatable_kernel
    f[0x236:0x238] = u16(1)                       # xloadflags: XLF_KERNEL_64
    f[0x238:0x23c] = u32(2048)                    # cmdline_size
    f[0x258:0x260] = u64(0x1000000)               # pref_address
    f[0x260:0x264] = u32(0x800000)                # init_size
    params = tail(u32(0x40000000 >> 8), u16(0), u32(0x100000 >> 4), u32(40), u16(0))
    put("bzimage", "relocatable", bytes(f) + params)
    f[0x234] = 0
    put("bzimage", "fixed-initrd", bytes(f) + tail(u32(0x20000000 >> 8), u16(1),
                                                   u32(0x4000000 >> 4), u32(3000), u16(0)))
    # An ELF vmlinux: header, two PT_LOADs (text at 16 MiB; data with a bss
    # tail at 32 MiB), their bytes.
    e = bytearray(0x3000)
    e[0:4] = b"\x7fELF"
    e[4], e[5], e[6] = 2, 1, 1                    # 64-bit, little-endian, version 1
    e[0x10:0x12] = u16(2)                         # ET_EXEC
    e[0x12:0x14] = u16(62)                        # EM_X86_64
    e[0x18:0x20] = u64(0x1000000)                 # e_entry
    e[0x20:0x28] = u64(0x40)                      # e_phoff
    e[0x36:0x38] = u16(56)                        # e_phentsize
    e[0x38:0x3a] = u16(2)                         # e_phnum
    for i, (off, paddr, filesz, memsz) in enumerate(((0x1000, 0x1000000, 0x1000, 0x1000),
                                                     (0x2000, 0x2000000, 0x1000, 0x100000))):
        ph = 0x40 + 56 * i
        e[ph:ph + 4] = u32(1)                     # PT_LOAD
        e[ph + 8:ph + 16] = u64(off)
        e[ph + 24:ph + 32] = u64(paddr)
        e[ph + 32:ph + 40] = u64(filesz)
        e[ph + 40:ph + 48] = u64(memsz)
    put("bzimage", "vmlinux", bytes(e) + tail(u32(0x10000000 >> 8), u16(0), u32(0x100000 >> 4),
                                              u32(40), u16(0)))


def arm64_image():
    h = bytearray(0x1000)
    h[0x08:0x10] = u64(0)                         # text_offset
    h[0x10:0x18] = u64(0x2000000)                 # image_size
    h[0x18:0x20] = u64(0xa)                       # 4K pages, anywhere
    h[0x38:0x3c] = b"ARM\x64"
    put("arm64_image", "modern", bytes(h) + tail(u8(0), u32(0x40000000 >> 12), u32(0x100000),
                                                 u8(4), bytes(6)))
    h[0x10:0x18] = u64(0)
    put("arm64_image", "legacy", bytes(h) + tail(u8(1), u32(0x10000000 >> 12), bytes(11)))


def config():
    words = ["-k", "/boot/vmlinuz", "-i", "/boot/initrd", "-m", "512M", "-c", "2",
             "-p", "console=ttyS0 quiet", "--name", "vm-1", "-d", "/tmp/disk.img,ro,serial=d0",
             "--disk=/tmp/b.img,direct,io=uring", "-n", "mode=user,hostfwd=tcp:127.0.0.1:8080-:80",
             "--network", "mode=tap,tapif=tap0,mac=02:00:00:00:00:01",
             "--9p", "/tmp,share,ro", "--virtio-transport", "mmio", "--console", "virtio",
             "--rng", "--balloon", "--vsock", "3", "--nodefaults", "--irqchip", "gicv3-its"]
    put("config", "everything", b"\0".join(w.encode() for w in words))
    put("config", "small", b"\0".join(w.encode() for w in ["-k", "k", "-m", "2G", "--help"]))


def control():
    for name, line in [
        ("info", b'{"v":1,"cmd":"info"}'),
        ("sysrq", b'{"v":1,"cmd":"sysrq","key":"h"}'),
        ("balloon", b'{"v":1,"cmd":"balloon","mib":-64}'),
        ("stat", b'{"v":1,"cmd":"stat"}'),
        ("reply-ok", b'{"v":1,"ok":true,"name":"vm","vcpus":[{"id":0}]}'),
        ("reply-error", b'{"v":1,"ok":false,"error":"no such thing"}'),
    ]:
        put("control", name, line)


def fdt():
    b = u16(0xffff) + u8(0) + u16(4)              # buffer, MPIDRs from i, 4 CPUs
    b += u64(0x80000000) + u64(0x40000000)        # RAM
    b += u8(3)                                    # GICv3 with ITS
    b += u64(0x3fff0000) + u64(0x10000)           # dist
    b += u64(0x3ffd0000) + u64(0x20000)           # redist
    b += u64(0) + u64(0)                          # cpu
    b += u64(0x3ffb0000) + u64(0x20000)           # its
    b += u64(0) + u64(0) + u32(0) + u32(0)        # v2m
    b += u8(1)                                    # pmu
    b += u64(0x1000000) + u64(0x1000) + u32(1)    # uart
    b += u64(0x1010000) + u64(0x1000) + u32(2)    # rtc
    args = b"console=ttyAMA0 earlycon"
    b += u16(len(args)) + args + u8(0)
    b += u64(0x88000000) + u64(0x88100000) + u64(0x1234) + bytes(32)
    b += u8(2)                                    # two virtio-mmio devices
    for i in range(2):
        b += b"VR%02X\0\0\0" % i + u64(0x10000000 + i * 0x200) + u64(0x200) + u32(32 + i) + u8(1)
    b += u8(1) + u64(0x30000000) + u64(0x1000000) + u8(0) + u8(0)
    b += u64(0x3eff0000) + u64(0) + u64(0x10000)
    b += u64(0x40000000) + u64(0x40000000) + u64(0x8000000000) + u64(0x8000000000)
    b += u32(36) + u32(37) + u32(38) + u32(39) + u8(3) + u8(0)
    put("fdt", "gicv3-its", b)
    put("fdt", "gicv2", b[:3 + 2 + 16] + u8(1) + b[3 + 2 + 16 + 1:])


def acpi():
    b = u32(0x20000) + u16(2) + u8(0) + u8(0) + u8(2) + u32(0)
    b += u16(0x600) + u16(0x601) + u16(0x602) + u8(1) + u8(5) + u16(0x3f8) + u8(4) + u16(0x70)
    b += u8(2)
    for i in range(2):
        b += b"VR%02X" % i + u8(0) + u32(i) + u64(0xd0000000 + i * 0x1000) + u64(0x200) + \
            u32(5 + i) + u8(1)
    b += u8(0)
    b += u8(1) + u64(0xe0000000) + u64(0x100000) + u8(0) + u8(0) + u8(0) + u64(0) + u64(0)
    b += u64(0xc0000000) + u64(0x10000000) + u64(0x4000000000) + u64(0x4000000000)
    b += u32(20) + u32(21) + u32(22) + u32(23) + u8(3) + u8(0)
    put("acpi", "pci-and-mmio", b)
    put("acpi", "no-pci", b[:-1] + u8(1))


if __name__ == "__main__":
    for gen in (virtq, blk, net_hdr, p9, bzimage, arm64_image, config, control, fdt, acpi):
        gen()
