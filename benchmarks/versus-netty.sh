#!/bin/bash
# ringloom's echo sample against Netty's io_uring echo, paired by round: the four servers (the sample with its two
# pollers, the sample with one, Netty with two event loops, Netty with one) alive side by side and loaded in turn by
# benchmarks/paired-loads.sh, so a round's four loads meet the same host. Per round: ringloom's best configuration
# over Netty's best (the issue's "best of 1 and 2 event loops"), with each best's server CPU per round trip; then
# the median and range of that ratio (BENCHMARKS.md, "Event-loop speed: paired against Netty").
#
# usage: benchmarks/versus-netty.sh CONNS:SIZE...     e.g. benchmarks/versus-netty.sh 64:64 1000:64 1000:4096
# ROUNDS (5) rounds per point; LOAD_THREADS (1) is epoll_load's threads; OUT (a temporary folder) keeps each
# point's rounds. Run from the repository root after `mvn -DskipTests install` (the samples jar and the benchmark
# classes) with a JDK 25 `java` on the PATH; epoll_load is compiled here if it is missing.
set -eu
[ $# -gt 0 ] || { sed -n '2,12p' "$0"; exit 2; }
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
[ -x benchmarks/target/epoll_load ] || cc -O2 -o benchmarks/target/epoll_load benchmarks/src/main/c/epoll_load.c -pthread
cp="$OUT/classpath"
mvn -B -ntp -q -o dependency:build-classpath -pl benchmarks -Dmdep.outputFile="$cp" > /dev/null
J="java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
E="-jar samples/target/ringloom-samples.jar echo-server --port PORT --bind 127.0.0.1"
N="-cp $(cat "$cp"):$PWD/benchmarks/target/classes dev.ringloom.benchmarks.NettyEchoServer PORT"
for point in "$@"; do
  conns=${point%:*}; size=${point#*:}
  benchmarks/paired-loads.sh "$conns" "$size" "${ROUNDS:-5}" "$J $E" "$J -Dringloom.pollers=1 $E" "$J $N 2" \
    "$J $N 1" > "$OUT/$conns-$size.txt"
  echo "$conns connections x $size B, ${LOAD_THREADS:-1} load thread(s):"
  awk '/^round/ { k = $2 + 0; j = $4 + 0; rate[k, j] = $5; cpu[k, j] = $8; if (k > n) n = k }
    END { split("ringloom ringloom-1 netty netty-1", name, " ")
      for (k = 1; k <= n; k++) {
        r = rate[k, 0] >= rate[k, 1] ? 0 : 1; t = rate[k, 2] >= rate[k, 3] ? 2 : 3; x[k] = rate[k, r] / rate[k, t]
        printf "  round %d: %.2fx  %s %d rt/s at %.2f us/rt, %s %d at %.2f\n", k, x[k], name[r + 1], rate[k, r],
          cpu[k, r], name[t + 1], rate[k, t], cpu[k, t] }
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { q = x[i]; x[i] = x[j]; x[j] = q }
      printf "  best vs best, paired: %.2fx [%.2f-%.2f]\n", n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2,
        x[1], x[n] }' "$OUT/$conns-$size.txt"
done
echo "each point's rounds: $OUT"
