#!/bin/bash
# Issue 26: perf-wrk.sh SERVER MODE CONNS NAME: perf's CPU samples (999 Hz, call stacks, 10 s) of
# one server under wrk (CONNS connections, bench/server/score.lua) after WARM seconds (default 3).
# SERVER: a folder holding GiftStudio.Sandbox.dll (MODE memory|file), or the floor's dll (MODE floor).
# Writes NAME.perf and NAME.wrk in $OUT (a new temp folder when unset); then perf-per-request.sh NAME.
here="$(cd "$(dirname "$0")" && pwd)"; lua="$here/../server/score.lua"
server=$1; mode=$2; conns=$3; name=$4; out=${OUT:-$(mktemp -d)}
work=$(mktemp -d); key=sk_bench_$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n'); echo -n $key > $work/key
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
case $mode in
  floor) cmd=("$server" --urls http://127.0.0.1:$port) ;;
  file) cmd=("$server/GiftStudio.Sandbox.dll" --urls http://127.0.0.1:$port --api-key-file $work/key --data $work/d.db) ;;
  *) cmd=("$server/GiftStudio.Sandbox.dll" --urls http://127.0.0.1:$port --api-key-file $work/key --storage memory) ;;
esac
# Perf maps name the JIT-compiled frames; W^X off lets perf read them.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "${cmd[@]}" > $work/log 2>&1 &
pid=$!
for i in $(seq 1 300); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
export GS_KEY=$key GS_RUN=$name
wrk -t1 -c$conns -d${WARM:-3}s -s $lua http://127.0.0.1:$port > /dev/null
wrk -t1 -c$conns -d14s -s $lua http://127.0.0.1:$port > $out/$name.wrk &
w=$!
sleep 2
perf record -F 999 -g -p $pid -o $out/$name.perf -- sleep 10 2> /dev/null
wait $w
kill -TERM $pid; wait $pid
rm -rf $work
echo "$out/$name: $(grep Requests/sec $out/$name.wrk | tr -s ' '), load $(cut -d' ' -f1-3 /proc/loadavg)"
