#!/bin/bash
# Runs a command and samples its resident set size every 0.5 s, for the scale
# figures in DESIGN.md ("The command-line tool at scale").
#
#   scripts/bench/rss.sh OUT outcomes match --data FILE ...
#
# Writes OUT.stdout, OUT.err (the command's stderr, then its exit code, the
# wall time and the largest sample) and OUT.rss ("seconds kB" per sample).
set -u
out=$1
shift
now() { date +%s.%N; }
start=$(now)
"$@" >"$out.stdout" 2>"$out.err" &
pid=$!
: >"$out.rss"
while kill -0 "$pid" 2>/dev/null; do
  kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$kb" ] && awk -v a="$(now)" -v b="$start" -v k="$kb" 'BEGIN {printf "%.2f %d\n", a - b, k}' >>"$out.rss"
  sleep 0.5
done
wait "$pid"
echo "rc=$?" >>"$out.err"
awk -v a="$(now)" -v b="$start" 'BEGIN {printf "wall %.2f s\n", a - b}' >>"$out.err"
sort -k2 -n "$out.rss" | tail -1 | awk '{printf "peak %.2f GB at %.1f s\n", $2 / 1e6, $1}' >>"$out.err"
