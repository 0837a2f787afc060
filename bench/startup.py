#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Start-up cost and resident memory on this machine's /dev/kvm.

  bench/startup.py [--runs N] [--out DIR]      (from the repository root, after make)

Every VMM starts the same tiny guest (bench/tiny-guest.py) with 256 MiB of
RAM, and the guest's first instruction writes the i8042 reset port, which
ends each VMM:

  floor    bench/startup_floor: only the KVM ioctls (irqchip, one 256 MiB
           slot, one vCPU in real mode), to the first port write
  lkvm     ./lkvm run -k off.bzImage -m 256 --nodefaults
  qemu     qemu-system-x86_64 -M microvm -accel kvm -m 256 -nodefaults ...
           -kernel off.bzImage, with isa-debug-exit on port 0x64 (QEMU has
           no i8042 there, so the same write ends it)
  kvmtool  $KVMTOOL run -k off.bzImage -m 256 (when KVMTOOL names a kvmtool
           binary; Debian 12 does not package it)

Runs are interleaved (floor, lkvm, qemu, kvmtool, floor, ...) so that load
from other processes spreads over all of them, at nice 10. Each is timed from
posix_spawn to waitpid by bench/spawn_time. Then each VMM runs halt.bzImage
(the guest sleeps in HLT) and /proc/PID/smaps is read: its resident memory
without the guest RAM mapping. Then lkvm runs a few times under strace, to
show where its time goes. Writes DIR/startup.json (default bench/results).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'bench', 'out')
MEM_MIB = 256
QEMU_EXIT = 253     # isa-debug-exit: (0xfe << 1 | 1) & 0xff


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def build():
    os.makedirs(OUT, exist_ok=True)
    for name in ('startup_floor', 'spawn_time'):
        sh('gcc', '-O2', '-Wall', '-Wextra', '-Werror', '-o', os.path.join(OUT, name),
           os.path.join(ROOT, 'bench', name + '.c'))
    sh(sys.executable, os.path.join(ROOT, 'bench', 'tiny-guest.py'), OUT)


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = (out.stdout or out.stderr).strip().splitlines()
    return line[0] if line else None


def find_kvmtool():
    path = os.environ.get('KVMTOOL')
    if not path:
        return None
    path = shutil.which(path)
    if not path:
        print('startup: KVMTOOL=%s is not an executable; kvmtool left out'
              % os.environ['KVMTOOL'], file=sys.stderr)
        return None
    ver = version([path, 'version'])
    return (path, ver or 'unknown')


def vmms(payload):
    """name -> (argv, expected exit status or None for any, version) for the peers present."""
    lkvm = os.path.join(ROOT, 'lkvm')
    image = os.path.join(OUT, payload + '.bzImage')
    out = {
        'floor': ([os.path.join(OUT, 'startup_floor')] + (['--halt'] if payload == 'halt' else []),
                  0, 'bench/startup_floor.c'),
        'lkvm': ([lkvm, 'run', '-k', image, '-m', str(MEM_MIB), '--nodefaults'], 0,
                 version([lkvm, 'version'])),
    }
    # The static build (bench/run makes it): no user-mode networking, as
    # Debian has no static libslirp, and no shared libraries to map.
    static = os.path.join(ROOT, 'lkvm-static')
    if os.access(static, os.X_OK):
        out['lkvm-static'] = ([static, 'run', '-k', image, '-m', str(MEM_MIB), '--nodefaults'], 0,
                              version([static, 'version']))
    qemu = shutil.which('qemu-system-x86_64')
    if qemu:
        out['qemu-microvm'] = ([qemu, '-M', 'microvm', '-accel', 'kvm', '-m', str(MEM_MIB),
                                '-nodefaults', '-no-user-config', '-display', 'none',
                                '-kernel', image,
                                '-device', 'isa-debug-exit,iobase=0x64,iosize=1'],
                               QEMU_EXIT, version([qemu, '--version']))
    kvmtool = find_kvmtool()
    if kvmtool:
        # kvmtool's exit status after an i8042 reset is not pinned down here: any
        # exit that is not by a signal counts.
        out['kvmtool'] = ([kvmtool[0], 'run', '-k', image, '-m', str(MEM_MIB), '-c', '1'], None,
                          kvmtool[1])
    return out


def time_once(argv):
    res = subprocess.run([os.path.join(OUT, 'spawn_time')] + argv, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(res.stderr.strip())
    ms, status = res.stdout.split()
    return float(ms), int(status)


def summary(values):
    v = sorted(values)
    q = statistics.quantiles(v, n=4) if len(v) > 1 else [v[0]] * 3
    return {'median': round(statistics.median(v), 3), 'p25': round(q[0], 3),
            'p75': round(q[2], 3), 'min': round(v[0], 3), 'max': round(v[-1], 3), 'n': len(v)}


def startup(runs):
    table = vmms('off')
    times = {name: [] for name in table}
    failures = {name: [] for name in table}
    for r in range(runs + 1):
        for name, (argv, want, _) in table.items():
            ms, status = time_once(argv)
            if r == 0:
                continue    # one warm-up round: page cache, first KVM VM of the system
            if status != want and not (want is None and status < 128):
                failures[name].append(status)
            else:
                times[name].append(ms)
    out = {}
    for name, (argv, want, ver) in table.items():
        if not times[name]:
            raise RuntimeError('%s never ended as expected (exit %s): %s'
                               % (name, failures[name][:3], ' '.join(argv)))
        out[name] = {'version': ver, 'argv': argv, 'times_ms': times[name],
                     'failed_runs': len(failures[name]), **summary(times[name])}
    return out


def smaps(pid):
    """KiB resident: (total Rss, Rss of the guest RAM mappings, and outside
    them: Pss, private Rss)."""
    total = guest = pss = private = 0
    cur = None

    def flush():
        nonlocal total, guest, pss, private
        if cur is None:
            return
        total += cur['Rss']
        if cur['anon'] and cur['Size'] >= MEM_MIB * 1024:
            guest += cur['Rss']
        else:
            pss += cur['Pss']
            private += cur['Private_Clean'] + cur['Private_Dirty']

    with open('/proc/%d/smaps' % pid) as f:
        for line in f:
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                flush()
                fields = line.split()
                cur = {'anon': len(fields) < 6 or fields[5].startswith('[anon'), 'Size': 0,
                       'Rss': 0, 'Pss': 0, 'Private_Clean': 0, 'Private_Dirty': 0}
            else:
                key = line.split(':', 1)[0]
                if cur is not None and key in cur and key != 'anon':
                    cur[key] = int(line.split()[1])
    flush()
    return total, guest, pss, private


def resident(samples):
    table = vmms('halt')
    out = {}
    for name, (argv, _, _) in table.items():
        rows = []
        for _ in range(samples):
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            try:
                time.sleep(0.5)
                if p.poll() is not None:
                    raise RuntimeError('%s ended (exit %s) before its memory was read'
                                       % (name, p.returncode))
                rows.append(smaps(p.pid))
            finally:
                p.kill()
                p.wait()
        med = lambda i: statistics.median(r[i] for r in rows)
        out[name] = {'rss_kib': med(0), 'guest_ram_rss_kib': med(1),
                     'vmm_rss_kib': med(0) - med(1), 'vmm_pss_kib': med(2),
                     'vmm_private_kib': med(3), 'n': len(rows)}
    return out


def breakdown(runs):
    """floor and lkvm under strace (seccomp-bpf, only ioctl/close/exit traced, so
    little slowed down): exec to the guest's first exit, the rest, and lkvm's
    close() of the VM fd, where the kernel tears the VM down."""
    if not shutil.which('strace'):
        return None
    table = vmms('off')
    out = {}
    for name in ('floor', 'lkvm'):
        argv = table[name][0]
        parts = {'exec_to_first_guest_exit_ms': [], 'first_guest_exit_to_end_ms': [],
                 'close_vm_fd_ms': []}
        for _ in range(runs):
            with tempfile.NamedTemporaryFile('r', suffix='.strace') as log:
                subprocess.run(['strace', '-f', '--seccomp-bpf', '-e',
                                'trace=execve,ioctl,close,exit_group', '-ttt', '-T',
                                '-o', log.name] + argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                lines = log.read().splitlines()
            t = lambda l: float(l.split()[1])
            start, end = t(lines[0]), t(lines[-1])
            vm_fd = first_exit = close_ms = run_pid = None
            for line in lines:
                m = re.search(r'KVM_CREATE_VM, 0\) = (\d+)', line)
                if m:
                    vm_fd = m.group(1)
                if run_pid is None and 'KVM_RUN <unfinished' in line:
                    run_pid = line.split()[0]
                if first_exit is None and (re.search(r'KVM_RUN, 0\) = ', line) or
                                           (line.split()[0] == run_pid and 'ioctl resumed>' in line)):
                    first_exit = t(line)
                if vm_fd and re.search(r'close\(%s\)\s+= 0 <' % vm_fd, line):
                    close_ms = float(re.search(r'<([\d.]+)>', line).group(1)) * 1e3
            if first_exit is None:
                continue
            parts['exec_to_first_guest_exit_ms'].append((first_exit - start) * 1e3)
            parts['first_guest_exit_to_end_ms'].append((end - first_exit) * 1e3)
            if close_ms is not None:
                parts['close_vm_fd_ms'].append(close_ms)
        out[name] = {k: summary(v) for k, v in parts.items() if v}
    return out


def cpu_times():
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]     # all, idle + iowait


def idle_share(before, after):
    total, idle = after[0] - before[0], after[1] - before[1]
    return round(idle / total, 3) if total else None


def wait_quiet(seconds, want=0.8):
    """Waits (up to SECONDS) until the CPUs were WANT idle over 2 s: other
    processes' load spreads the runs out and multiplies the slow cases."""
    deadline = time.time() + seconds
    while True:
        before = cpu_times()
        time.sleep(2)
        share = idle_share(before, cpu_times())
        if share is not None and share >= want:
            return share
        if time.time() >= deadline:
            print('startup: the machine is busy (%.0f%% idle); measuring anyway' % (100 * (share or 0)),
                  file=sys.stderr)
            return share
        print('startup: waiting for a quieter machine (%.0f%% idle)' % (100 * (share or 0)),
              file=sys.stderr)
        time.sleep(8)


def host():
    cpu = ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    kvm = 'kvm_pvm' if os.path.isdir('/sys/module/kvm_pvm') else 'kvm'
    try:
        load = open('/proc/loadavg').read().split()[:3]
    except OSError:
        load = []
    return {'cpus': os.cpu_count(), 'cpu': cpu, 'kernel': platform.release(),
            'kvm_module': kvm, 'loadavg_at_start': load}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=30)
    ap.add_argument('--out', default=os.path.join(ROOT, 'bench', 'results'))
    ap.add_argument('--quiet-wait', type=int, default=120, metavar='SECS',
                    help='wait up to SECS for the CPUs to be 80%% idle first (default 120)')
    args = ap.parse_args()
    if args.runs < 20:
        ap.error('--runs: give 20 or more (medians of fewer runs are too noisy here)')
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        print('startup: /dev/kvm is not usable here; nothing measured', file=sys.stderr)
        return 77
    os.nice(10)
    build()
    xdg = tempfile.mkdtemp(prefix='lkvm-bench-')
    os.environ['XDG_RUNTIME_DIR'] = xdg     # lkvm's control sockets
    idle_before = wait_quiet(args.quiet_wait)
    h = host()
    t0 = cpu_times()
    res = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
           'host': h, 'guest_ram_mib': MEM_MIB, 'nice': 10,
           'startup': startup(args.runs), 'resident': resident(5),
           'breakdown_strace': breakdown(10)}
    res['host']['loadavg_at_end'] = open('/proc/loadavg').read().split()[:3]
    res['host']['cpu_idle_before'] = idle_before
    res['host']['cpu_idle_during'] = idle_share(t0, cpu_times())
    if 'kvmtool' not in res['startup']:
        res['kvmtool'] = 'not measured: Debian 12 has no kvmtool package; set KVMTOOL=/path/to/lkvm-of-kvmtool'
    shutil.rmtree(xdg, ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'startup.json'), 'w') as f:
        json.dump(res, f, indent=1)
    for name, s in res['startup'].items():
        mem = res['resident'].get(name, {})
        print('startup: %-13s median %6.2f ms (p25 %6.2f, p75 %6.2f, n=%d)  VMM RSS %5.0f KiB'
              ' (private %5.0f KiB)' % (name, s['median'], s['p25'], s['p75'], s['n'],
                                         mem.get('vmm_rss_kib', 0), mem.get('vmm_private_kib', 0)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
