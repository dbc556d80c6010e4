#!/bin/bash
# Issue 17: see bench/ANALYSIS.md. The sandbox builds to compare are copied to /tmp/gs17/before and /tmp/gs17/after,
# the bench generator to /tmp/gs17/bench (or BENCH=path), the seeded file is /tmp/gs17/big.db.
# trace.sh DLLDIR MODE NAME : sandbox under 8-client load; dotnet-trace 20 s + dotnet-counters 20 s
dir=$1; mode=$2; name=$3
key=sk_bench_key_0123456789
log=/tmp/gs17/$name.sandbox.log
if [ "$mode" = file ]; then store="--data /tmp/gs17/big.db"; else store="--storage memory"; fi
dotnet $dir/GiftStudio.Sandbox.dll --urls http://127.0.0.1:0 --api-key $key $store > $log 2>&1 &
pid=$!
for i in $(seq 1 600); do grep -q "^Listening on" $log && break; sleep 0.2; done
url=$(grep -m1 "^Listening on" $log | sed 's/Listening on //')/v2
dotnet ${BENCH:-/tmp/gs17/bench/GiftStudio.Bench.dll} score --url $url --key $key --clients 8 --count 1000 --users 1000 > /dev/null
dotnet ${BENCH:-/tmp/gs17/bench/GiftStudio.Bench.dll} score --url $url --key $key --clients 8 --count 1000000 --users 1000 > /tmp/gs17/$name.bench.out &
bench=$!
sleep 3
cd "$(dirname "$0")/../.."
dotnet dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time --duration 00:00:00:20 --format Speedscope -o /tmp/gs17/$name.nettrace > /tmp/gs17/$name.trace.out 2>&1
dotnet dotnet-counters collect -p $pid --duration 00:00:00:20 --refresh-interval 5 --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel --format csv -o /tmp/gs17/$name.counters.csv > /tmp/gs17/$name.counters.out 2>&1
kill $bench; wait $bench
kill -TERM $pid; wait $pid
echo done
