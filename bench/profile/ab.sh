#!/bin/bash
# Issue 17: see bench/ANALYSIS.md. The sandbox builds to compare are copied to /tmp/gs17/before and /tmp/gs17/after,
# the bench generator to /tmp/gs17/bench (or BENCH=path), the seeded file is /tmp/gs17/big.db.
cd "$(dirname "$0")"
echo "start: $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
for round in 1 2 3; do
  for mode in file memory; do
    for build in before after; do ./run.sh /tmp/gs17/$build $mode 8 8000; done
  done
done
for round in 1 2; do
  for mode in file memory; do
    for build in before after; do ./run.sh /tmp/gs17/$build $mode 1 2000; done
  done
done
echo "end: $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
