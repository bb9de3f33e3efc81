#!/bin/bash
# Consecutive loads against ONE server JVM: how a server settles from churn to churn (BENCHMARKS.md,
# "The first loads after a churn"). Each load is epoll_load for LOAD_SECONDS (4) after its 1 s ramp-up; the
# server's user/system clock ticks are read over LOAD_SECONDS - 0.5 s from 1.2 s in, inside epoll_load's measured
# window. PERF=1 also records each load with perf into $OUT/loadK.data; LOAD_THREADS (1) is epoll_load's threads.
#
# usage: benchmarks/consecutive-loads.sh PORT CONNECTIONS SIZE LOADS -- SERVER COMMAND...
#   e.g. benchmarks/consecutive-loads.sh 7400 1000 64 8 -- java --enable-native-access=ALL-UNNAMED \
#          -Dringloom.pollers=1 -jar samples/target/ringloom-samples.jar echo-server --port 7400 --bind 127.0.0.1
# Run from the repository root after `mvn -DskipTests install` (the samples jar) and one EchoBenchmark run (which
# compiles benchmarks/target/epoll_load), or compile it: cc -O2 -o benchmarks/target/epoll_load \
#   benchmarks/src/main/c/epoll_load.c -pthread
set -eu
. "$(dirname "$0")/server-probes.sh"
port=$1; conns=$2; size=$3; n=$4; shift 5
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
hz=$(getconf CLK_TCK)
secs=${LOAD_SECONDS:-4}
window=$(echo "$secs - 0.5" | bc)
await_port_free "$port"
"$@" > "$OUT/server.log" 2>&1 &
spid=$!
trap 'stop_servers $spid' EXIT
await_listening "$port"
for k in $(seq "$n"); do
  benchmarks/target/epoll_load 127.0.0.1 "$port" "$conns" "$size" "$secs" "${LOAD_THREADS:-1}" > "$OUT/load.out" &
  lpid=$!
  sleep 1.2
  read -r u0 s0 < <(cpu_ticks $spid)
  if [ -n "${PERF:-}" ]; then
    perf record -F 4000 -p $spid -o "$OUT/load$k.data" -- sleep "$window" > /dev/null 2>&1
  else
    sleep "$window"
  fi
  read -r u1 s1 < <(cpu_ticks $spid)
  wait $lpid
  # result <rt/s> <p50> <p99> <mismatches> <failed> <load cpu us> <reads/rt> <rt/wait>
  awk -v k="$k" -v du=$((u1 - u0)) -v ds=$((s1 - s0)) -v hz="$hz" -v secs="$secs" -v window="$window" '/^result/ {
    printf "load %d: %.0f rt/s, server user/sys ticks %d/%d, server cpu %.2f us/rt, load cpu %.2f us/rt, reads/rt %s, rt/wait %s\n",
      k, $2, du, ds, (du + ds) * 1e6 / hz / ($2 * window), $7 / ($2 * secs), $8, $9 }' "$OUT/load.out"
done
echo "server log and perf data: $OUT"
