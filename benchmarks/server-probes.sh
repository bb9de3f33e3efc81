# Sourced by the benchmark scripts beside it: starting, stopping and reading an echo server process.

# Waits (up to 10 s) until something accepts on 127.0.0.1:PORT.
await_listening() {
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
}

# Waits (up to 20 s) until nothing accepts on 127.0.0.1:PORT: a ring's multishot accept keeps its port until the
# process is gone, and a server started meanwhile would fail while await_listening is answered by the dying one.
await_port_free() {
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null || return 0; sleep 0.2; done
}

# Kills the servers PID... and waits for them to exit.
stop_servers() {
  kill "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
}

# The user and system clock ticks PID has used so far, as "USER SYSTEM".
cpu_ticks() {
  awk '{print $14, $15}' /proc/"$1"/stat
}

# The clock ticks PID has used so far, user and system together.
cpu_ticks_total() {
  awk '{print $14 + $15}' /proc/"$1"/stat
}

# The voluntary context switches of all of PID's threads so far.
voluntary_switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {v += $2} END {print v}'
}
