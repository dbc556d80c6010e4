#!/bin/bash
# Issue 26: trace-wrk.sh DLLDIR MODE(memory|file) CONNS NAME: the sandbox under wrk (CONNS
# connections, bench/server/score.lua), dotnet-trace's sampled thread time for 12 s, written as
# NAME.speedscope.json in $OUT (a new temp folder when unset); read it with busy-frames.py.
set -e
lua="$(cd "$(dirname "$0")/.." && pwd)/server/score.lua"
dir=$1; mode=$2; conns=$3; name=$4
out=${OUT:-$(mktemp -d)}
work=$(mktemp -d); key=sk_bench_$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n'); echo -n $key > $work/key
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
if [ "$mode" = file ]; then store="--data $work/d.db"; else store="--storage memory"; fi
dotnet "$dir/GiftStudio.Sandbox.dll" --urls http://127.0.0.1:$port --api-key-file $work/key $store > $work/log 2>&1 &
pid=$!
for i in $(seq 1 300); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
export GS_KEY=$key GS_RUN=$name
wrk -t1 -c$conns -d3s -s $lua http://127.0.0.1:$port > /dev/null
wrk -t1 -c$conns -d20s -s $lua http://127.0.0.1:$port > $out/$name.wrk &
w=$!
sleep 2
(cd "$(dirname "$0")" && dotnet dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time --duration 00:00:00:12 --format Speedscope -o $out/$name.nettrace > $out/$name.trace.out 2>&1)
wait $w
kill -TERM $pid; wait $pid || true
rm -rf $work
grep Requests/sec $out/$name.wrk; cat /proc/loadavg
