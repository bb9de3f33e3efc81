#!/bin/bash
# Two or more echo servers alive side by side, each warmed up, then loaded in turn: an A/B without a JVM start, a
# warm-up or a first churn between the two sides of a pair (BENCHMARKS.md, "Event-loop speed"). Each server command
# names its port as PORT (servers get 7500, 7501, ...). Every server first takes WARMUP_LOADS (4) loads of 2 s, the
# servers in turn; then LOADS rounds of one LOAD_SECONDS (4) load per server. For each load: round trips/s, the
# server's CPU per round trip and voluntary context switches per round trip (all its threads: a sleeping poller's
# wake-ups), both read over LOAD_SECONDS - 1 s from 1.5 s in, the load's CPU per round trip and round trips per
# epoll_wait. Last, each server's rate and CPU against the first server's, paired by round: median [min-max].
#
# usage: benchmarks/paired-loads.sh CONNECTIONS SIZE LOADS SERVER_COMMAND SERVER_COMMAND...
#   e.g. J="java --enable-native-access=ALL-UNNAMED -Dringloom.pollers=1"
#        E="-jar samples/target/ringloom-samples.jar echo-server --port PORT --bind 127.0.0.1"
#        benchmarks/paired-loads.sh 1000 4096 3 "$J $E" "$J -Dringloom.spinsBeforeSleep=0 $E"
# LOAD_THREADS (1) is epoll_load's threads. Run from the repository root after `mvn -DskipTests install` and one
# EchoBenchmark run (which compiles benchmarks/target/epoll_load), or: cc -O2 -o benchmarks/target/epoll_load \
#   benchmarks/src/main/c/epoll_load.c -pthread
set -eu
. "$(dirname "$0")/server-probes.sh"
conns=$1; size=$2; rounds=$3; shift 3
hz=$(getconf CLK_TCK)
secs=${LOAD_SECONDS:-4}
threads=${LOAD_THREADS:-1}
window=$(echo "$secs - 1" | bc)
out=$(mktemp -d)
ports=(); pids=()
for cmd in "$@"; do
  port=$((7500 + ${#ports[@]}))
  await_port_free "$port"
  ${cmd//PORT/$port} > "$out/server-${#ports[@]}.log" 2>&1 &
  pids+=($!); ports+=($port)
done
trap 'stop_servers ${pids[*]}' EXIT
for p in "${ports[@]}"; do
  await_listening "$p"
done
for _ in $(seq "${WARMUP_LOADS:-4}"); do
  for p in "${ports[@]}"; do
    benchmarks/target/epoll_load 127.0.0.1 "$p" "$conns" "$size" 2 "$threads" > /dev/null 2>&1
  done
done
echo "$conns connections x $size B, $threads load thread(s), $secs s per load; servers: $*" | tee "$out/summary"
for k in $(seq "$rounds"); do
  for j in "${!ports[@]}"; do
    spid=${pids[$j]}
    benchmarks/target/epoll_load 127.0.0.1 "${ports[$j]}" "$conns" "$size" "$secs" "$threads" > "$out/load.out" \
      2> /dev/null &
    lpid=$!
    sleep 1.5
    v0=$(voluntary_switches "$spid"); t0=$(cpu_ticks_total "$spid")
    sleep "$window"
    v1=$(voluntary_switches "$spid"); t1=$(cpu_ticks_total "$spid")
    wait $lpid
    # result <rt/s> <p50> <p99> <mismatches> <failed> <load cpu us> <reads/rt> <rt/wait>
    awk -v k="$k" -v j="$j" -v dv=$((v1 - v0)) -v dt=$((t1 - t0)) -v hz="$hz" -v secs="$secs" -v window="$window" \
      '/^result/ { rt = $2 * window
        printf "round %d server %d: %8.0f rt/s  cpu %5.2f us/rt  switches/rt %.3f  load cpu %5.2f us/rt  rt/wait %s\n",
          k, j, $2, dt * 1e6 / hz / rt, dv / rt, $7 / ($2 * secs), $9 }' "$out/load.out" | tee -a "$out/rounds"
  done
done
awk '{ n = $4 + 0; rate[$2, n] = $5; cpu[$2, n] = $8; if ($2 > rounds) rounds = $2; if (n > servers) servers = n }
  function median(a, m,   i, j, t) {  # sorts a in place: a[1] and a[m] are then the range
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  END { for (s = 1; s <= servers; s++) {
      for (r = 1; r <= rounds; r++) { x[r] = rate[r, s] / rate[r, 0]; y[r] = cpu[r, s] / cpu[r, 0] }
      mx = median(x, rounds); lo = x[1]; hi = x[rounds]; my = median(y, rounds); clo = y[1]; chi = y[rounds]
      printf "server %d vs server 0: rate %.2fx [%.2f-%.2f], cpu per round trip %.2fx [%.2f-%.2f]\n",
        s, mx, lo, hi, my, clo, chi } }' "$out/rounds"
