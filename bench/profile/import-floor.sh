#!/usr/bin/env bash
# The import's floor on this pwsh: a bare start, an empty binary module (GiftStudio.Loader.dll
# as the root of a manifest that exports nothing) and GiftStudio, interleaved, N rounds; medians
# of the wall clock and of the process's CPU (user + sys). Needs a staged module (build.ps1 -Task Build).
# Usage: bench/profile/import-floor.sh [rounds]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pwsh="$(dotnet pwsh -NoProfile -Command 'Join-Path $PSHOME pwsh' | tail -1)"
module="$root/out/GiftStudio/GiftStudio.psd1"
floor="$(mktemp -d)"
trap 'rm -rf "$floor"' EXIT
cp "$root/out/GiftStudio/GiftStudio.Loader.dll" "$floor/"
printf "@{ ModuleVersion = '1.0'; RootModule = 'GiftStudio.Loader.dll'; CmdletsToExport = @(); FunctionsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }\n" > "$floor/Floor.psd1"
t() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
out="$floor/times"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "${1:-15}"); do
  echo "bare $(t "$pwsh" -NoProfile -NonInteractive -Command 'exit 0')"
  echo "empty-binary-module $(t "$pwsh" -NoProfile -NonInteractive -Command "Import-Module $floor/Floor.psd1; exit 0")"
  echo "GiftStudio $(t "$pwsh" -NoProfile -NonInteractive -Command "Import-Module $module; exit 0")"
done > "$out"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import statistics as st, sys
d = {}
for line in open(sys.argv[1]):
    k, w, u, s = line.split()
    d.setdefault(k, []).append((float(w), float(u) + float(s)))
bw = st.median([x[0] for x in d['bare']]); bc = st.median([x[1] for x in d['bare']])
print('| process | wall (median) | CPU (median) | adds to a bare pwsh, wall / CPU |')
print('|---|---:|---:|---:|')
for k, v in d.items():
    w = st.median([x[0] for x in v]); c = st.median([x[1] for x in v])
    print(f'| {k} ({len(v)}) | {w:.3f} s | {c:.3f} s | {(w - bw) * 1000:+.0f} ms / {(c - bc) * 1000:+.0f} ms |')
PY
