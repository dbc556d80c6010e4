#!/bin/bash
# Issue 26: perf-per-request.sh NAME (in $OUT or the current folder): CPU µs per request by bucket,
# from perf-wrk.sh's NAME.perf (999 Hz for 10 s) and the requests/s of NAME.wrk.
here="$(cd "$(dirname "$0")" && pwd)"; cd "${OUT:-.}"
name=$1; rps=$(grep Requests/sec $name.wrk | awk '{print $2}')
perf script -i $name.perf 2>/dev/null | python3 "$here/perf-classify.py" | python3 -c "
import sys
rows=[l.split() for l in sys.stdin]; n=int(rows[-1][0]); rps=float('$rps')
per=lambda share: share/100*n/999/10/rps*1e6
print(f'$name: {rps:,.0f} requests/s, {n/999/10/rps*1e6:.0f} µs of CPU per request')
for pct,cat in rows[:-1]: print(f'  {cat:14s} {per(float(pct.rstrip(\"%\"))):6.1f} µs')"
