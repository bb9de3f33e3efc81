package dev.ringloom.benchmarks;

/**
 * Round-trip latencies in log-linear buckets (16 per power of two, so within about 4%) from 1 µs to about
 * 70 s. One per thread, merged at the end; not thread-safe.
 */
public final class LatencyHistogram {
    private static final int SUB = 16, POWERS = 37;
    private final long[] counts = new long[SUB * POWERS];
    private long total;

    public void record(long nanos) {
        long us = Math.max(1, nanos / 1000);
        int power = 63 - Long.numberOfLeadingZeros(us);
        int sub = power < 4 ? (int) (us << (4 - power)) - SUB : (int) (us >>> (power - 4)) - SUB;
        int i = Math.min(power * SUB + sub, counts.length - 1);
        counts[i]++;
        total++;
    }

    public void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    public long count() {
        return total;
    }

    /** The latency below which {@code q} (0..1) of the samples fall, in microseconds. */
    public double percentileMicros(double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                int power = i / SUB, sub = i % SUB;
                return Math.scalb((double) (SUB + sub), power - 4);
            }
        }
        return 0;
    }
}
