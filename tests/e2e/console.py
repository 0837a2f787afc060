#!/usr/bin/env python3
"""Console tests inside the nested host: lkvm on a real pseudo-terminal.

    tests/e2e/console.py LKVM KERNEL INITRD

- sigterm: SIGTERM ends a running lkvm within a second with status 143, and
  the terminal's settings are back as they were (they were raw meanwhile);
  also reports lkvm's resident memory beside the guest's.
- input: a line typed on the terminal reaches the guest's shell, which
  answers, and `poweroff -f` typed there ends lkvm with status 0.
- escape: Ctrl-a x ends lkvm with status 0.
Prints PASS:/FAIL: lines.
"""
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

LKVM, KERNEL, INITRD = sys.argv[1:4]
BOOT_TIMEOUT = float(os.environ.get("LKVM_E2E_BOOT_TIMEOUT", "120"))


class Guest:
    def __init__(self, name, action, extra=()):
        self.master, self.slave = pty.openpty()
        self.before = termios.tcgetattr(self.slave)
        params = ["-p", "quiet"] + (["-p", "lkvm.action=" + action] if action else [])
        self.proc = subprocess.Popen(
            [LKVM, "run", "-k", KERNEL, "-i", INITRD, "-m", "256", "-c", "2",
             "--name", name] + params + list(extra),
            stdin=self.slave, stdout=self.slave, stderr=self.slave, close_fds=True)
        self.out = b""

    def read_until(self, needle, timeout):
        end = time.monotonic() + timeout
        while needle not in self.out:
            left = end - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if r:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    return needle in self.out
        return True

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def drain(self):
        while True:
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.out += data

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)

    def tail(self):
        return "\n".join("    " + l for l in self.out.decode(errors="replace").splitlines()[-15:])


def rss_kib(pid, guest_bytes):
    """(resident KiB of the guest's RAM mapping, resident KiB of the rest)."""
    guest = total = 0
    size = 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            if "-" in line.split()[0] and not line.startswith(("Rss", "Size")):
                lo, hi = line.split()[0].split("-")
                size = int(hi, 16) - int(lo, 16)
            elif line.startswith("Rss:"):
                kib = int(line.split()[1])
                total += kib
                if size == guest_bytes:
                    guest += kib
    return guest, total - guest


def test_sigterm():
    g = Guest("e2e-sigterm", "sleep")
    try:
        if not g.read_until(b"LKVM-GUEST: sleeping", BOOT_TIMEOUT):
            return "FAIL: sigterm: the guest never reached init\n" + g.tail()
        raw = not (termios.tcgetattr(g.slave)[3] & termios.ICANON)
        guest_kib, vmm_kib = rss_kib(g.proc.pid, 256 << 20)
        start = time.monotonic()
        g.proc.send_signal(signal.SIGTERM)
        status = g.wait(5)
        took = time.monotonic() - start
        after = termios.tcgetattr(g.slave)
        if status != 143:
            return "FAIL: sigterm: exit %s, wanted 143\n%s" % (status, g.tail())
        if took > 1.0:
            return "FAIL: sigterm: lkvm took %.2f s to exit" % took
        if not raw:
            return "FAIL: sigterm: the terminal was not in raw mode while the guest ran"
        if after != g.before:
            return "FAIL: sigterm: terminal settings not restored"
        return ("PASS: sigterm (exit 143 after %.3f s, terminal restored; RSS: guest RAM %d KiB,"
                " lkvm itself %d KiB)" % (took, guest_kib, vmm_kib))
    finally:
        g.close()


def test_input():
    g = Guest("e2e-input", None)
    try:
        if not g.read_until(b"LKVM-GUEST: shell", BOOT_TIMEOUT):
            return "FAIL: input: no shell\n" + g.tail()
        time.sleep(1)
        os.write(g.master, b"echo LKVM-IN-$((6*7))\r")
        if not g.read_until(b"LKVM-IN-42", 30):
            return "FAIL: input: the guest shell did not answer\n" + g.tail()
        os.write(g.master, b"poweroff -f\r")
        status = g.wait(30)
        if status != 0:
            return "FAIL: input: poweroff from the shell gave exit %s\n%s" % (status, g.tail())
        return "PASS: input (typed line answered by the guest shell; poweroff -f -> exit 0)"
    finally:
        g.close()


def test_escape():
    g = Guest("e2e-escape", "sleep")
    try:
        if not g.read_until(b"LKVM-GUEST: sleeping", BOOT_TIMEOUT):
            return "FAIL: escape: the guest never reached init\n" + g.tail()
        os.write(g.master, b"\x01x")
        status = g.wait(5)
        g.drain()
        if status != 0 or b"Ctrl-a x" not in g.out:
            return "FAIL: escape: exit %s\n%s" % (status, g.tail())
        return "PASS: escape (Ctrl-a x -> exit 0)"
    finally:
        g.close()


for test in (test_sigterm, test_input, test_escape):
    try:
        print(test(), flush=True)
    except Exception as exc:  # a broken test is a failure, never a pass
        print("FAIL: %s: %r" % (test.__name__, exc), flush=True)
