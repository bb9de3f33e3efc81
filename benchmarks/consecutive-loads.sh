#!/bin/bash
# Consecutive loads against ONE server JVM: how a server settles from churn to churn (BENCHMARKS.md,
# "The first loads after a churn"). Each load is epoll_load for 4 s; the server's user/system clock ticks are read
# over 3.5 s of it. PERF=1 also records each load with perf into $OUT/loadK.data.
#
# usage: benchmarks/consecutive-loads.sh PORT CONNECTIONS SIZE LOADS -- SERVER COMMAND...
#   e.g. benchmarks/consecutive-loads.sh 7400 1000 64 8 -- java --enable-native-access=ALL-UNNAMED \
#          -Dringloom.pollers=1 -jar samples/target/ringloom-samples.jar echo-server --port 7400 --bind 127.0.0.1
# Run from the repository root after `mvn -DskipTests install` (the samples jar) and one EchoBenchmark run (which
# compiles benchmarks/target/epoll_load), or compile it: cc -O2 -o benchmarks/target/epoll_load \
#   benchmarks/src/main/c/epoll_load.c -pthread
set -eu
port=$1; conns=$2; size=$3; n=$4; shift 5
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
hz=$(getconf CLK_TCK)
"$@" > "$OUT/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
for k in $(seq "$n"); do
  benchmarks/target/epoll_load 127.0.0.1 "$port" "$conns" "$size" 4 > "$OUT/load.out" &
  lpid=$!
  sleep 1.2
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$spid/stat)
  if [ -n "${PERF:-}" ]; then
    perf record -F 4000 -p $spid -o "$OUT/load$k.data" -- sleep 3.5 > /dev/null 2>&1
  else
    sleep 3.5
  fi
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$spid/stat)
  wait $lpid
  # result <rt/s> <p50> <p99> <mismatches> <failed> <load cpu us> <reads/rt> <rt/wait>
  awk -v k="$k" -v du=$((u1 - u0)) -v ds=$((s1 - s0)) -v hz="$hz" '/^result/ {
    printf "load %d: %.0f rt/s, server user/sys ticks %d/%d, server cpu %.2f us/rt, load cpu %.2f us/rt, reads/rt %s, rt/wait %s\n",
      k, $2, du, ds, (du + ds) * 1e6 / hz / ($2 * 3.5), $7 / ($2 * 4), $8, $9 }' "$OUT/load.out"
done
echo "server log and perf data: $OUT"
