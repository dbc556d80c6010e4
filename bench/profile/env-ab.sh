#!/bin/bash
# Issue 26: env-ab.sh MODE CONNS SECS "DIR|ENV" ...: one sandbox per spec, wrk on each in turn, 3 rounds
lua="$(cd "$(dirname "$0")/.." && pwd)/server/score.lua"
mode=$1; conns=$2; secs=$3; shift 3
work=$(mktemp -d); key=sk_bench_$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n'); echo -n $key > $work/key
declare -a pids ports envs; i=0
for spec in "$@"; do
  dir=${spec%%|*}; e=${spec#*|}
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  if [ "$mode" = file ]; then store="--data $work/d$i.db"; else store="--storage memory"; fi
  env $e dotnet "$dir/GiftStudio.Sandbox.dll" --urls http://127.0.0.1:$port --api-key-file $work/key $store > /dev/null 2>&1 &
  pids[$i]=$!; ports[$i]=$port; envs[$i]="$(basename $dir) $e"; i=$((i+1))
done
for p in "${ports[@]}"; do for k in $(seq 1 300); do curl -sf http://127.0.0.1:$p/health >/dev/null && break; sleep 0.1; done; done
export GS_KEY=$key
for round in 1 2 3; do
  for j in $(seq 0 $((i-1))); do
    export GS_RUN=r$round.$j.$RANDOM
    wrk -t1 -c$conns -d${WARM:-4}s -s $lua http://127.0.0.1:${ports[$j]} > /dev/null
    pid=${pids[$j]}
    c0=$(awk '{print $14+$15}' /proc/$pid/stat)
    out=$(wrk -t1 -c$conns -d${secs}s -s $lua http://127.0.0.1:${ports[$j]})
    c1=$(awk '{print $14+$15}' /proc/$pid/stat)
    n=$(echo "$out" | grep -oE '^ *[0-9]+ requests in' | grep -oE '[0-9]+')
    echo "r$round [${envs[$j]}] $(echo "$out" | grep -E 'Requests/sec|Non-2xx' | tr -s ' ' | tr '\n' ' ') cpu_us/req $(( (c1-c0)*10000*1000/n/1000 )) load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for p in "${pids[@]}"; do kill -TERM $p; wait $p; done
rm -rf $work
