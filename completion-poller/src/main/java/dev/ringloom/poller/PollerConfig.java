package dev.ringloom.poller;

/**
 * How pollers are set up. Immutable.
 *
 * @param pollers    number of pollers (each one platform thread with one ring)
 * @param sqEntries  submission queue size per ring (a power of two)
 * @param cqEntries  completion queue size per ring; generous, because an overflowing CQ costs a slow path
 * @param ioWorkers  cap on the kernel's io-wq worker threads per ring for blocking file IO (0: kernel default)
 * @param yieldsBeforeSleep how often a poller with many ops in flight gives its CPU away and looks for work again
 *                   before it sleeps in the kernel; 0 sleeps at once
 * @param spinsBeforeSleep spin-wait turns a poller with at most a few ops busy watches its ring before it
 *                   sleeps in the kernel; 0 sleeps at once
 * @param recvBuffers buffers in each ring's provided-buffer ring, which sockets receive into (a power of two);
 *                   0: none, every read lends its own buffer
 * @param recvBufferSize bytes per provided buffer
 * @param registeredBuffers slots of the memory registered with every ring for owned buffers
 *                   ({@link RegisteredBuffers}, at most 16384); 0: none
 * @param registeredBufferSize bytes per registered slot, a power of two from 4 KiB to 1 MiB; owned buffers up to
 *                   this size take a slot while one is free
 * @param deviceOpsPerEnter device reads and writes (O_DIRECT, or reads the page cache could not answer) one
 *                   {@code io_uring_enter} may carry: more than one and the block layer's plug hands them to the
 *                   device as one batch ({@code PlugLimit}); 0: no limit
 */
public record PollerConfig(int pollers, int sqEntries, int cqEntries, int ioWorkers, int yieldsBeforeSleep,
                           int spinsBeforeSleep, int recvBuffers, int recvBufferSize, int registeredBuffers,
                           int registeredBufferSize, int deviceOpsPerEnter) {
    public PollerConfig {
        if (pollers < 1) {
            throw new IllegalArgumentException("pollers must be at least 1: " + pollers);
        }
        if (sqEntries < 2 || Integer.bitCount(sqEntries) != 1 || sqEntries > 32768) {
            throw new IllegalArgumentException("sqEntries must be a power of two in [2, 32768]: " + sqEntries);
        }
        if (cqEntries < sqEntries || Integer.bitCount(cqEntries) != 1) {
            throw new IllegalArgumentException("cqEntries must be a power of two >= sqEntries: " + cqEntries);
        }
        if (ioWorkers < 0) {
            throw new IllegalArgumentException("ioWorkers must be >= 0: " + ioWorkers);
        }
        if (yieldsBeforeSleep < 0) {
            throw new IllegalArgumentException("yieldsBeforeSleep must be >= 0: " + yieldsBeforeSleep);
        }
        if (spinsBeforeSleep < 0) {
            throw new IllegalArgumentException("spinsBeforeSleep must be >= 0: " + spinsBeforeSleep);
        }
        if (recvBuffers < 0 || recvBuffers > 32768 || (recvBuffers != 0 && Integer.bitCount(recvBuffers) != 1)) {
            throw new IllegalArgumentException("recvBuffers must be 0 or a power of two up to 32768: " + recvBuffers);
        }
        if (recvBufferSize < 1) {
            throw new IllegalArgumentException("recvBufferSize must be positive: " + recvBufferSize);
        }
        if (registeredBuffers < 0 || registeredBuffers > 16384) {
            throw new IllegalArgumentException("registeredBuffers must be in [0, 16384]: " + registeredBuffers);
        }
        if (Integer.bitCount(registeredBufferSize) != 1 || registeredBufferSize < 4096
                || registeredBufferSize > 1 << 20) {
            throw new IllegalArgumentException("registeredBufferSize must be a power of two in [4096, 1 MiB]: "
                    + registeredBufferSize);
        }
        if (deviceOpsPerEnter < 0) {
            throw new IllegalArgumentException("deviceOpsPerEnter must be >= 0: " + deviceOpsPerEnter);
        }
    }

    /**
     * Defaults: one poller per four carrier threads (at least one), 1024 SQEs, 8192 CQEs, io-wq capped at
     * 64 workers per ring, one yield of the CPU before a busy poller sleeps, 2000 spin-wait turns (~60 us) before
     * a nearly idle one sleeps, 1024 provided receive buffers of 8 KiB per ring, no registered buffers (measured,
     * they win nothing on the machines ringloom is benchmarked on, and each ring pins them against
     * {@code RLIMIT_MEMLOCK}: BENCHMARKS.md; {@code ringloom.registeredBuffers=256} asks for 256 slots of
     * {@code ringloom.registeredBufferSize}, 8 KiB unless set), one device read or write per enter (measured: the
     * plug's batches cost the benchmark machine's virtio disk a fifth of its rate). Overridable with the system
     * properties {@code ringloom.pollers}, {@code ringloom.sqEntries}, {@code ringloom.cqEntries},
     * {@code ringloom.ioWorkers}, {@code ringloom.yieldsBeforeSleep}, {@code ringloom.spinsBeforeSleep},
     * {@code ringloom.recvBuffers}, {@code ringloom.recvBufferSize}, {@code ringloom.registeredBuffers},
     * {@code ringloom.registeredBufferSize} and {@code ringloom.deviceOpsPerEnter}.
     */
    public static PollerConfig defaults() {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        return new PollerConfig(
                Integer.getInteger("ringloom.pollers", Math.max(1, carriers / 4)),
                Integer.getInteger("ringloom.sqEntries", 1024),
                Integer.getInteger("ringloom.cqEntries", 8192),
                Integer.getInteger("ringloom.ioWorkers", 64),
                Integer.getInteger("ringloom.yieldsBeforeSleep", 1),
                Integer.getInteger("ringloom.spinsBeforeSleep", 2000),
                Integer.getInteger("ringloom.recvBuffers", 1024),
                Integer.getInteger("ringloom.recvBufferSize", 8192),
                Integer.getInteger("ringloom.registeredBuffers", 0),
                Integer.getInteger("ringloom.registeredBufferSize", 8192),
                Integer.getInteger("ringloom.deviceOpsPerEnter", 1));
    }

    public PollerConfig withPollers(int n) {
        return new PollerConfig(n, sqEntries, cqEntries, ioWorkers, yieldsBeforeSleep, spinsBeforeSleep, recvBuffers,
                recvBufferSize, registeredBuffers, registeredBufferSize, deviceOpsPerEnter);
    }

    public PollerConfig withRing(int sq, int cq) {
        return new PollerConfig(pollers, sq, cq, ioWorkers, yieldsBeforeSleep, spinsBeforeSleep, recvBuffers,
                recvBufferSize, registeredBuffers, registeredBufferSize, deviceOpsPerEnter);
    }

    public PollerConfig withRecvBuffers(int count, int size) {
        return new PollerConfig(pollers, sqEntries, cqEntries, ioWorkers, yieldsBeforeSleep, spinsBeforeSleep, count,
                size, registeredBuffers, registeredBufferSize, deviceOpsPerEnter);
    }

    /** {@code count} registered slots of {@code size} bytes; 0 slots: owned buffers are never registered. */
    public PollerConfig withRegisteredBuffers(int count, int size) {
        return new PollerConfig(pollers, sqEntries, cqEntries, ioWorkers, yieldsBeforeSleep, spinsBeforeSleep,
                recvBuffers, recvBufferSize, count, size, deviceOpsPerEnter);
    }
}
