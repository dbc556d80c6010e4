#!/bin/bash
# Issue 26: builds or runtime settings of the sandbox side by side. wrk-ab.sh MODE(memory|file) CONNS SECONDS SPEC...
# SPEC is DIR (a folder holding GiftStudio.Sandbox.dll) or DIR|ENV (environment variables for that
# one, e.g. "out/sandbox|DOTNET_TieredPGO=0"). Starts one sandbox per SPEC at once, then in ROUNDS
# rounds (default 2) runs wrk on each in turn (WARM s warm-up, default 2; SECONDS measured) and
# prints requests/s, the server's CPU time and voluntary context switches per request, and the 1-min load.
lua="$(cd "$(dirname "$0")/.." && pwd)/server/score.lua"
mode=$1; conns=$2; secs=$3; shift 3
work=$(mktemp -d); key=sk_bench_$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n'); echo -n $key > $work/key
declare -a pids ports
i=0
for spec in "$@"; do
  dir=${spec%%|*}; settings=; [ "$spec" != "$dir" ] && settings=${spec#*|}
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  if [ "$mode" = file ]; then store="--data $work/d$i.db"; else store="--storage memory"; fi
  env $settings dotnet "$dir/GiftStudio.Sandbox.dll" --urls http://127.0.0.1:$port --api-key-file $work/key $store > /dev/null 2>&1 &
  pids[$i]=$!; ports[$i]=$port; i=$((i+1))
done
for p in "${ports[@]}"; do for k in $(seq 1 300); do curl -sf http://127.0.0.1:$p/health >/dev/null && break; sleep 0.1; done; done
export GS_KEY=$key
for round in $(seq ${ROUNDS:-2}); do
  i=0
  for spec in "$@"; do
    settings=; [ "$spec" != "${spec%%|*}" ] && settings=${spec#*|}
    export GS_RUN=r$round.$i.$RANDOM
    wrk -t1 -c$conns -d${WARM:-2}s -s $lua http://127.0.0.1:${ports[$i]} > /dev/null
    pid=${pids[$i]}; spid=$(pgrep -P $pid | head -1); spid=${spid:-$pid}
    c0=$(awk '{print $14+$15}' /proc/$spid/stat); v0=$(grep -h '^voluntary_ctxt_switches' /proc/$spid/task/*/status | awk '{s+=$2} END {print s}')
    out=$(wrk -t1 -c$conns -d${secs}s -s $lua http://127.0.0.1:${ports[$i]})
    c1=$(awk '{print $14+$15}' /proc/$spid/stat); v1=$(grep -h '^voluntary_ctxt_switches' /proc/$spid/task/*/status | awk '{s+=$2} END {print s}')
    n=$(echo "$out" | grep -oE '^ *[0-9]+ requests in' | grep -oE '[0-9]+')
    echo "r$round $(basename ${spec%%|*})${settings:+ [$settings]} $mode c$conns $(echo "$out" | grep -E 'Requests/sec|Non-2xx' | tr -s ' ' | tr '\n' ' ') cpu_us/req $(( (c1-c0)*10000*1000/n/1000 )) vcs/req $(echo "scale=2; ($v1-$v0)/$n" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
    i=$((i+1))
  done
done
for p in "${pids[@]}"; do kill -TERM $p; wait $p; done
rm -rf $work
