#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rows of a nested benchmark (bench/nested-lib.sh) to JSON with medians.

  bench/tsv2json.py NAME IN.tsv OUT.json

IN.tsv rows: figure, vmm, config, run, value ("fail" for a failed run), unit.
OUT.json: {"name", "date", "rows": [...], "summary": [{figure, vmm, config,
unit, median, n, failed, values}]}, one summary per figure and config.
"""
import datetime
import json
import statistics
import sys


def main():
    name, src, dst = sys.argv[1:4]
    rows, groups = [], {}
    with open(src) as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if len(parts) != 6:
                continue
            figure, vmm, config, run, value, unit = parts
            rows.append(dict(figure=figure, vmm=vmm, config=config, run=int(run),
                             value=None if value == 'fail' else float(value), unit=unit))
            groups.setdefault((figure, vmm, config, unit), []).append(rows[-1]['value'])
    summary = []
    for (figure, vmm, config, unit), values in groups.items():
        ok = [v for v in values if v is not None]
        summary.append(dict(figure=figure, vmm=vmm, config=config, unit=unit,
                            median=statistics.median(ok) if ok else None, n=len(ok),
                            failed=len(values) - len(ok), values=ok))
    out = dict(name=name, date=datetime.datetime.now(datetime.timezone.utc)
               .strftime('%Y-%m-%d %H:%M UTC'), rows=rows, summary=summary)
    with open(dst, 'w') as f:
        json.dump(out, f, indent=1)
    return 0 if rows else 1


if __name__ == '__main__':
    sys.exit(main())
