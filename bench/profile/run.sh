#!/bin/bash
# Issue 17: see bench/ANALYSIS.md. The sandbox builds to compare are copied to /tmp/gs17/before and /tmp/gs17/after,
# the bench generator to /tmp/gs17/bench (or BENCH=path), the seeded file is /tmp/gs17/big.db.
# run.sh DLLDIR MODE(file|memory) CLIENTS COUNT [extra sandbox args]
# Starts the sandbox from DLLDIR, drives COUNT score updates with CLIENTS clients, stops it.
set -e
dir=$1; mode=$2; clients=$3; count=$4; shift 4
key=sk_bench_key_0123456789
log=$(mktemp /tmp/gs17/sb.XXXX.log)
if [ "$mode" = file ]; then store="--data /tmp/gs17/big.db"; else store="--storage memory"; fi
dotnet $dir/GiftStudio.Sandbox.dll --urls http://127.0.0.1:0 --api-key $key $store "$@" > $log 2>&1 &
pid=$!
for i in $(seq 1 600); do grep -q "^Listening on" $log && break; sleep 0.2; done
url=$(grep -m1 "^Listening on" $log | sed 's/Listening on //')/v2
# warm-up: JIT and the page cache, not measured
dotnet ${BENCH:-/tmp/gs17/bench/GiftStudio.Bench.dll} score --url $url --key $key --clients $clients --count 500 --users 1000 > /dev/null
echo "$(basename $dir) $mode $(dotnet ${BENCH:-/tmp/gs17/bench/GiftStudio.Bench.dll} score --url $url --key $key --clients $clients --count $count --users 1000)"
kill -TERM $pid; wait $pid || true
rm -f $log
