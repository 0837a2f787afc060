#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's summary: bench/report.py [RESULTS_DIR]   (default bench/results)

Reads startup.json (bench/startup.py) and whichever nested-*.json exist
(bench/tsv2json.py), writes latest.md (lkvm against the best peer for each
figure, the targets, every median) and the charts startup.png, ratios.png
and, when there are nested boots, nested-boot.png and nested-boot-arm64.png
(gnuplot).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NESTED = ('boot', 'boot-arm64', 'net', 'disk')
TARGET_RATIO = 1.3
TARGET_BOOT = 0.7	# boot to exit against the faster QEMU configuration
TARGET_RSS_MIB = 2.0
TARGET_DISK_CEILING = 0.9	# 4 KiB random reads at QD32 against the nested host's file
# (figure, lkvm / best peer) of every row of the main table, for the ratio chart.
RATIOS = []


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def lower_is_better(unit):
    return unit in ('ms', 'MiB', 'KiB')


def fmt(v, unit=''):
    if v is None:
        return 'n/a'
    s = '%.2f' % v if abs(v) < 100 else '%.0f' % v
    return s + (' ' + unit if unit else '')


def compare_row(figure, unit, lkvm, peers):
    """lkvm: (label, value); peers: [(label, value)]: one row of the main table."""
    peers = [p for p in peers if p[1] is not None]
    if lkvm is None or lkvm[1] is None or not peers:
        return None
    pick = min if lower_is_better(unit) else max
    best = pick(peers, key=lambda p: p[1])
    ratio = lkvm[1] / best[1] if best[1] else None
    ahead = (lkvm[1] <= best[1]) if lower_is_better(unit) else (lkvm[1] >= best[1])
    if ratio is not None:
        RATIOS.append((figure, ratio, lower_is_better(unit)))
    return '| %s | %s (%s) | %s (%s) | %s | %s |' % (
        figure, fmt(lkvm[1], unit), lkvm[0], fmt(best[1], unit), best[0],
        fmt(ratio), 'lkvm' if ahead else best[0])


def local_rows(st):
    rows, targets, detail = [], [], []
    s, mem = st['startup'], st['resident']
    peers = [n for n in s if n != 'floor' and not n.startswith('lkvm')]
    r = compare_row('start-up, exec to exit (median of %d)' % s['lkvm']['n'], 'ms',
                    ('lkvm', s['lkvm']['median']), [(n, s[n]['median']) for n in peers])
    if r:
        rows.append(r)
    mib = lambda n: mem[n]['vmm_rss_kib'] / 1024 if n in mem else None
    r = compare_row('resident memory without guest RAM', 'MiB', ('lkvm', mib('lkvm')),
                    [(n, mib(n)) for n in peers])
    if r:
        rows.append(r)
    # The default build, then the static one (bench/run makes it) when measured.
    builds = [(n, label) for n, label in (
        ('lkvm', None), ('lkvm-static', '`make STATIC=1`')) if n in s]
    for n, label in builds:
        ratio = s[n]['median'] / s['floor']['median']
        targets.append('| %s | %.2f (%s / %s ms) | <= %.1f | %s |' % (
            'the same, static build (%s)' % label if label else 'start-up, lkvm / floor',
            ratio, fmt(s[n]['median']), fmt(s['floor']['median']), TARGET_RATIO,
            'met' if ratio <= TARGET_RATIO else 'missed'))
    for n, label in builds:
        if n not in mem:
            continue
        targets.append('| %s | %.2f MiB (Pss %.2f, private %.2f) | <= %.0f MiB | %s |' % (
            'the same, static build (%s, no user-mode networking)' % label if label
            else 'resident memory of lkvm without guest RAM (Rss)',
            mib(n), mem[n].get('vmm_pss_kib', 0) / 1024, mem[n]['vmm_private_kib'] / 1024,
            TARGET_RSS_MIB, 'met' if mib(n) <= TARGET_RSS_MIB else 'missed'))
    for n in s:
        m = mem.get(n, {})
        detail.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
            n, fmt(s[n]['median']), fmt(s[n]['p25']), fmt(s[n]['p75']), s[n]['n'],
            fmt(m.get('vmm_rss_kib', 0) / 1024), fmt(m.get('vmm_pss_kib', 0) / 1024),
            fmt(m.get('vmm_private_kib', 0) / 1024)))
    return rows, targets, detail


def arch_of(name):
    return 'arm64' if name.endswith('-arm64') else 'x86'


def nested_rows(name, data):
    """Per figure and variant (vCPU count for boots), lkvm's best configuration
    against the best peer configuration."""
    rows, detail, groups = [], [], {}
    arch = ', arm64' if arch_of(name) == 'arm64' else ''
    for s in data['summary']:
        variant = s['config'].split(' ', 1)[1] if ' ' in s['config'] else ''
        groups.setdefault((s['figure'], variant, s['unit']), []).append(s)
        detail.append('| %s | %s | %s | %d | %d |' % (s['figure'], s['config'],
                                                      fmt(s['median'], s['unit']), s['n'], s['failed']))
    for (figure, variant, unit), items in groups.items():
        pick = min if lower_is_better(unit) else max
        lk = [(i['config'].split(' ')[0], i['median']) for i in items
              if i['vmm'] == 'lkvm' and i['median'] is not None]
        # The nested host's own file is the disk's ceiling, not a peer.
        peers = [(i['config'].split(' ')[0], i['median']) for i in items
                 if i['vmm'] not in ('lkvm', 'host')]
        label = figure + (' (%s vCPU%s)' % (variant[1:], arch) if variant else '')
        r = compare_row(label, unit, pick(lk, key=lambda p: p[1]) if lk else None, peers)
        if r:
            rows.append(r)
    return rows, detail


def boot_targets(name, data):
    """Boot to exit of each lkvm transport against the faster QEMU
    configuration, per vCPU count."""
    med, targets = {}, []
    for s in data['summary']:
        if s['figure'] == 'boot_to_exit_ms' and s['median'] is not None:
            config, cpus = s['config'].split(' ', 1)
            med.setdefault(cpus, {})[config] = s['median']
    for cpus in sorted(med):
        qemu = [(c, v) for c, v in med[cpus].items() if c.startswith('qemu')]
        if not qemu:
            continue
        peer = min(qemu, key=lambda p: p[1])
        for config in sorted(c for c in med[cpus] if c.startswith('lkvm')):
            r = med[cpus][config] / peer[1]
            targets.append('| boot to exit, %s, %s, %s vCPU, / %s | %.2f (%s / %s ms) | <= %.1f | %s |' % (
                arch_of(name), config, cpus[1:], peer[0], r, fmt(med[cpus][config]), fmt(peer[1]),
                TARGET_BOOT, 'met' if r <= TARGET_BOOT else 'missed'))
    return targets


def ceiling_rows(data):
    """Disk: lkvm's best configuration against the nested host's own file."""
    rows, targets, by = [], [], {}
    for s in data['summary']:
        if s['median'] is not None:
            by.setdefault(s['figure'], []).append(s)
    for figure in sorted(by):
        host = [i for i in by[figure] if i['vmm'] == 'host']
        lk = [i for i in by[figure] if i['vmm'] == 'lkvm']
        peers = [i for i in by[figure] if i['vmm'] not in ('lkvm', 'host')]
        if not host or not lk:
            continue
        best = max(lk, key=lambda i: i['median'])
        peer = max(peers, key=lambda i: i['median']) if peers else None
        ceil = host[0]['median']
        rows.append('| %s | %s (%s) | %s | %s | %s |' % (
            figure, fmt(best['median'], best['unit']), best['config'], fmt(ceil, best['unit']),
            fmt(best['median'] / ceil), fmt(peer['median'] / ceil) if peer else 'n/a'))
        if figure == 'disk_randread_qd32':
            r = best['median'] / ceil
            targets.append('| disk: 4 KiB random reads at QD32, lkvm / the nested host\'s file |'
                           ' %.2f (%s / %s IOPS) | >= %.1f | %s |' % (
                               r, fmt(best['median']), fmt(ceil), TARGET_DISK_CEILING,
                               'met' if r >= TARGET_DISK_CEILING else 'missed'))
    return rows, targets


def gnuplot(script):
    if not shutil.which('gnuplot'):
        print('report: no gnuplot here (scripts/setup installs gnuplot-nox); no chart', file=sys.stderr)
        return False
    subprocess.run(['gnuplot'], input=script, text=True, check=True)
    return True


def chart_startup(st, out):
    with tempfile.NamedTemporaryFile('w', suffix='.dat', delete=False) as f:
        for i, (n, s) in enumerate(st['startup'].items()):
            f.write('%d "%s" %f %f %f\n' % (i, n, s['median'], s['p25'], s['p75']))
        dat = f.name
    ok = gnuplot('''
set terminal pngcairo size 720,420 font "sans,10"
set output "%s"
set title "Start-up on the local /dev/kvm, exec to exit of a tiny guest (median, p25-p75)"
set ylabel "ms"
set yrange [0:*]
set style fill solid 0.6 border -1
set boxwidth 0.6
set offsets 0.5, 0.5, 0, 0
unset key
set grid ytics
plot "%s" using 1:3:4:5:(0.6):xtic(2) with boxerrorbars lc rgb "#4a7ebb", \\
     "" using 1:($3):(sprintf("%%.1f", $3)) with labels offset 0,1.2
''' % (out, dat))
    os.unlink(dat)
    return ok


def chart_boot(name, data, out):
    med = {}
    for s in data['summary']:
        med[(s['config'], s['figure'])] = s['median']
    configs = sorted({c for c, _ in med})
    with tempfile.NamedTemporaryFile('w', suffix='.dat', delete=False) as f:
        for c in configs:
            f.write('"%s" %s %s\n' % (c, med.get((c, 'boot_to_hello_ms')) or 0,
                                      med.get((c, 'boot_to_exit_ms')) or 0))
        dat = f.name
    ok = gnuplot('''
set terminal pngcairo size 900,440 font "sans,10"
set output "%s"
set title "Boot of the default guest in the nested %s host (median, ms)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set xtics rotate by -30
set ylabel "ms"
set yrange [0:*]
set grid ytics
plot "%s" using 2:xtic(1) title "to LKVM-GUEST: hello", "" using 3 title "to the VMM's exit"
''' % (out, arch_of(name), dat))
    os.unlink(dat)
    return ok


def chart_ratios(out):
    """Every figure of the main table as lkvm / best peer, scaled so that
    right of 1 is always lkvm ahead (times are inverted)."""
    if not RATIOS:
        return False
    with tempfile.NamedTemporaryFile('w', suffix='.dat', delete=False) as f:
        for i, (figure, ratio, lower) in enumerate(RATIOS):
            f.write('%d "%s" %f\n' % (i, figure.replace('"', "'"), 1 / ratio if lower else ratio))
        dat = f.name
    ok = gnuplot('''
set terminal pngcairo size 900,%d font "sans,9" noenhanced
set output "%s"
set title "lkvm against its best peer (right of 1: lkvm ahead; times and memory as peer / lkvm)"
set style fill solid 0.6 border -1
set logscale x 2
set xrange [0.25:16]
set yrange [-0.6:%f]
set grid xtics
unset key
lo(r) = r < 1 ? r : 1
hi(r) = r < 1 ? 1 : r
plot "%s" using (1):1:(lo($3)):(hi($3)):($1 - 0.35):($1 + 0.35):yticlabels(2) \\
       with boxxyerror lc rgb "#4a7ebb", \\
     "" using (hi($3)):1:(sprintf(" %%.2f", $3)) with labels left
''' % (140 + 22 * len(RATIOS), out, len(RATIOS) - 0.4, dat))
    os.unlink(dat)
    return ok


def main():
    res = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'bench', 'results')
    st = load(os.path.join(res, 'startup.json'))
    nested = {n: load(os.path.join(res, 'nested-%s.json' % n)) for n in NESTED}
    lines = ['# lkvm benchmark results', '']
    if st:
        h = st['host']
        idle = h.get('cpu_idle_during')
        lines += ['Local part: %s; %d CPUs (%s), kernel %s, /dev/kvm from %s; load average %s at'
                  ' the start, %s at the end; CPUs %s idle during the runs (idle includes'
                  ' the time the runs wait); every VMM at nice %d.' % (
                      st['date'], h['cpus'], h['cpu'], h['kernel'], h['kvm_module'],
                      ' '.join(h['loadavg_at_start']), ' '.join(h.get('loadavg_at_end', [])),
                      '%.0f%%' % (100 * idle) if idle is not None else 'n/a', st['nice']), '']
        lines += ['Peers: ' + '; '.join('%s: %s' % (n, s['version'])
                                          for n, s in st['startup'].items()), '']
        if st.get('kvmtool'):
            lines += ['kvmtool: ' + st['kvmtool'], '']
    for n, d in nested.items():
        if d:
            lines += ['Nested %s: %s (tests/e2e/nested.sh, %s L1 under QEMU TCG).' % (
                n, d['date'], arch_of(n))]
    lines += ['', '## lkvm against the best peer', '',
              'Ratio: lkvm / peer (below 1 is better for times, above 1 for rates).', '',
              '| figure | lkvm | best peer | ratio | ahead |', '| --- | --- | --- | --- | --- |']
    targets, details = [], []
    if st:
        rows, targets, detail = local_rows(st)
        lines += rows
        bd = st.get('breakdown_strace') or {}
        if bd:
            details += ['### Under strace (ioctl, close and exit traced; medians, ms)', '',
                        '| VMM | exec to the guest\'s first exit | from there to the end | close() of the VM fd |',
                        '| --- | --- | --- | --- |']
            for n, b in bd.items():
                get = lambda k: fmt(b[k]['median']) if k in b else '-'
                details.append('| %s | %s | %s | %s |' % (n, get('exec_to_first_guest_exit_ms'),
                                                          get('first_guest_exit_to_end_ms'),
                                                          get('close_vm_fd_ms')))
            details.append('')
        details += ['### Start-up on the local /dev/kvm', '',
                    '| VMM | median ms | p25 | p75 | runs | Rss without guest RAM, MiB | Pss | private |',
                    '| --- | --- | --- | --- | --- | --- | --- | --- |'] + detail + ['']
    ceiling, disk_targets = ceiling_rows(nested['disk']) if nested.get('disk') else ([], [])
    for n, d in nested.items():
        if not d:
            continue
        rows, detail = nested_rows(n, d)
        lines += rows
        if n.startswith('boot'):
            targets += boot_targets(n, d)
        details += ['### Nested %s' % n, '', '| figure | config | median | runs | failed |',
                    '| --- | --- | --- | --- | --- |'] + detail + ['']
    targets += disk_targets
    if ceiling:
        lines += ['', '## Disk against the nested host\'s own file (the ceiling)', '',
                  '| figure | lkvm, best backend | nested host\'s file | lkvm / file | best peer / file |',
                  '| --- | --- | --- | --- | --- |'] + ceiling
    if targets:
        lines += ['', '## Targets', '', '| target | measured | goal | |', '| --- | --- | --- | --- |']
        lines += targets
    lines += ['', '## Every median', ''] + details
    charts = []
    if st and chart_startup(st, os.path.join(res, 'startup.png')):
        charts.append('![start-up](startup.png)')
    for n in ('boot', 'boot-arm64'):
        if nested[n] and chart_boot(n, nested[n], os.path.join(res, 'nested-%s.png' % n)):
            charts.append('![nested %s](nested-%s.png)' % (n, n))
    if chart_ratios(os.path.join(res, 'ratios.png')):
        charts.append('![every figure against the best peer](ratios.png)')
    lines += charts
    with open(os.path.join(res, 'latest.md'), 'w') as f:
        f.write('\n'.join(lines).rstrip() + '\n')
    print('report: %s' % os.path.join(res, 'latest.md'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
