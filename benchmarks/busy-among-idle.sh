#!/bin/bash
# A few busy connections beside many idle ones, the shape of a server holding keep-alive connections (BENCHMARKS.md,
# "Event-loop speed"): IDLE connections are opened and left silent for the whole run, then epoll_load drives 1, 2,
# 4 and 8 busy connections × 64 B for 3 s each, twice, printing round trips/s, p50/p99 (us) and the server's CPU per
# round trip (over the whole load, its 1 s ramp-up included).
#
# usage: benchmarks/busy-among-idle.sh PORT IDLE -- SERVER COMMAND...
#   e.g. benchmarks/busy-among-idle.sh 7460 200 -- java --enable-native-access=ALL-UNNAMED -Dringloom.pollers=1 \
#          -jar samples/target/ringloom-samples.jar echo-server --port 7460 --bind 127.0.0.1
# Run from the repository root after `mvn -DskipTests install` and one EchoBenchmark run (which compiles
# benchmarks/target/epoll_load), or: cc -O2 -o benchmarks/target/epoll_load benchmarks/src/main/c/epoll_load.c -pthread
set -eu
. "$(dirname "$0")/server-probes.sh"
port=$1; idle=$2; shift 3
hz=$(getconf CLK_TCK)
await_port_free "$port"
"$@" > /tmp/busy-among-idle-server.log 2>&1 &
spid=$!
hold=
trap 'stop_servers $spid $hold' EXIT
await_listening "$port"
benchmarks/target/epoll_load 127.0.0.1 "$port" 1000 64 2 > /dev/null 2>&1     # JIT warm-up, and the first churn
(
  for _ in $(seq "$idle"); do exec {fd}<>/dev/tcp/127.0.0.1/"$port"; done
  exec sleep 3600
) &
hold=$!
sleep 1
for busy in 1 2 4 8 1 2 4 8; do
  t0=$(cpu_ticks_total $spid)
  benchmarks/target/epoll_load 127.0.0.1 "$port" "$busy" 64 3 2> /dev/null > /tmp/busy-among-idle-load.out
  t1=$(cpu_ticks_total $spid)
  # result <rt/s> <p50> <p99> ...; the load runs 1 s of ramp-up and 3 s measured
  awk -v b="$busy" -v i="$idle" -v dt=$((t1 - t0)) -v hz="$hz" '/^result/ {
    printf "%d busy among %d idle: %8.0f rt/s  p50 %4d  p99 %4d  server cpu %5.1f us/rt\n",
      b, i, $2, $3, $4, dt * 1e6 / hz / ($2 * 4) }' /tmp/busy-among-idle-load.out
done
