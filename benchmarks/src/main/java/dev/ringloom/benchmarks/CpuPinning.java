package dev.ringloom.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Optional CPU pinning of a benchmark's child processes, {@code -Dbench.pin=server:0,load:1}: each role's command
 * is started under {@code taskset -c CPUS}, so that a one-loop server and a one-thread load generator each have a
 * core of their own instead of taking turns by the scheduler's choice. Measured on this project's 2-core VMs it did
 * not narrow the round-to-round spread much (paired ranges 0.84-1.10x and 0.94-1.22x pinned against 0.90-1.33x and
 * 0.92-1.33x not, one run each, BENCHMARKS.md): most of the drift is the host's. Only for servers of one thread
 * (ringloom-1, netty-1): a server pinned to one CPU runs every thread it has there. Stateless.
 */
final class CpuPinning {
    private CpuPinning() {
    }

    /** {@code command} prefixed with {@code taskset -c CPUS} if {@code bench.pin} names {@code role}. */
    static List<String> apply(String role, List<String> command) {
        String spec = System.getProperty("bench.pin", "");
        for (String part : spec.split(",")) {
            String[] kv = part.split(":", 2);
            if (kv.length == 2 && kv[0].trim().equals(role)) {
                List<String> pinned = new ArrayList<>(List.of("taskset", "-c", kv[1].trim()));
                pinned.addAll(command);
                return pinned;
            }
        }
        return command;
    }

    /** What {@code bench.pin} says, for the report's header; empty if nothing is pinned. */
    static String describe() {
        String spec = System.getProperty("bench.pin", "");
        return spec.isBlank() ? "" : "pinned (taskset): " + spec;
    }
}
