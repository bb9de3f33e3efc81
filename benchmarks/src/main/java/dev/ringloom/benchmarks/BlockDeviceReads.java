package dev.ringloom.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The read counters of the block device a file lives on ({@code /sys/dev/block/MAJ:MIN/stat}): how many reads the
 * device completed and the milliseconds they spent in it, summed over reads. Between two samples that gives the time
 * a read spent in the device and how many were there on average — what separates a reader that keeps the device
 * busy from one whose reads wait elsewhere (in a hand-off, a queue, a parked carrier). Linux only; where the file
 * has no such counters (tmpfs, overlayfs) {@link #of} returns null.
 *
 * @param stat the device's (or partition's) stat file
 */
record BlockDeviceReads(Path stat) {

    /** One sample: reads completed and their summed milliseconds in the device, at {@code nanos}. */
    record Sample(long reads, long readMillis, long nanos) {

        /** Microseconds a read spent in the device between {@code before} and this sample. */
        double microsPerRead(Sample before) {
            long n = reads - before.reads;
            return n == 0 ? 0 : (readMillis - before.readMillis) * 1000.0 / n;
        }

        /** Reads in the device on average between {@code before} and this sample. */
        double depth(Sample before) {
            return (readMillis - before.readMillis) * 1e6 / Math.max(1, nanos - before.nanos);
        }
    }

    /** The counters of the device {@code file} is on, or null if it has none. */
    static BlockDeviceReads of(Path file) {
        try {
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = (dev >>> 8) & 0xfff | (dev >>> 32) & ~0xfffL;
            long minor = dev & 0xff | (dev >>> 12) & ~0xffL;
            Path stat = Path.of("/sys/dev/block/" + major + ":" + minor + "/stat");
            return Files.isReadable(stat) ? new BlockDeviceReads(stat) : null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException noCounters) {
            return null;
        }
    }

    /** The counters now (fields 1 and 4 of the stat file: reads completed, milliseconds spent reading). */
    Sample sample() {
        try {
            String[] f = Files.readString(stat).trim().split("\\s+");
            return new Sample(Long.parseLong(f[0]), Long.parseLong(f[3]), System.nanoTime());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
