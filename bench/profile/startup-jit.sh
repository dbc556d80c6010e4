#!/bin/bash
# Issue 26: where a start goes. Starts a server (any ASP.NET Core app taking --urls) with the
# StartupJit hook, polls /health until 200, stops it, and prints what the hook saw at the end of
# that first request: uptime, the process's CPU time, JIT time, methods and IL bytes compiled,
# assemblies loaded. Usage: startup-jit.sh LABEL dotnet APP.dll [args...]
set -e
here="$(cd "$(dirname "$0")" && pwd)"
hook="$here/StartupJit/bin/Release/net10.0/StartupJit.dll"
[ -f "$hook" ] || dotnet build "$here/StartupJit" -c Release --nologo -v q > /dev/null
label=$1; shift
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
out=$(mktemp)
JITHOOK_OUT=$out JITHOOK_LABEL=$label DOTNET_STARTUP_HOOKS=$hook "$@" --urls http://127.0.0.1:$port > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do curl -sf http://127.0.0.1:$port/health > /dev/null && break; sleep 0.01; done
sleep 0.2; kill -TERM $pid; wait $pid || true
cat "$out"; rm -f "$out"
