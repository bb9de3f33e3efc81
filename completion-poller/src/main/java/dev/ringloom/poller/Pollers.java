package dev.ringloom.poller;

import dev.ringloom.poller.spi.BufferPool;
import dev.ringloom.poller.spi.IoStats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The set of pollers a runtime uses; each channel is bound to one of them for its whole life (so its ops
 * stay ordered on one ring). Thread-safe.
 */
public final class Pollers implements AutoCloseable {
    private final Poller[] pollers;
    private final AtomicInteger next = new AtomicInteger();
    private final RegisteredBuffers registered;    // null: none configured
    private final NativeBufferPool plainOwned;     // owned buffers that take no registered slot
    private final BufferPool ownedBuffers;

    private Pollers(Poller[] pollers, RegisteredBuffers registered, NativeBufferPool plainOwned) {
        this.pollers = pollers;
        this.registered = registered;
        this.plainOwned = plainOwned;
        this.ownedBuffers = registered != null ? registered : plainOwned;
    }

    /**
     * Starts {@code config.pollers()} pollers, each ring with the runtime's registered buffers if the config asks
     * for some; on failure, the ones already started are closed.
     */
    public static Pollers start(PollerConfig config) throws IOException {
        NativeBufferPool plain = new NativeBufferPool(64);
        RegisteredBuffers registered = config.registeredBuffers() == 0 ? null
                : new RegisteredBuffers(config.registeredBuffers(), config.registeredBufferSize(), plain);
        List<Poller> started = new ArrayList<>();
        try {
            for (int i = 0; i < config.pollers(); i++) {
                started.add(Poller.start(i, config, registered));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Poller::close);
            if (registered != null) {
                registered.close();
            }
            throw e;
        }
        return new Pollers(started.toArray(Poller[]::new), registered, plain);
    }

    /**
     * Where owned buffers come from: registered slots first (a ring that registered them reads and writes them as
     * fixed buffers), then plain pooled memory.
     */
    public BufferPool ownedBuffers() {
        return ownedBuffers;
    }

    /** Frees the idle plain memory of owned buffers (registered slots stay: the rings hold them). */
    public void trimOwnedBuffers() {
        plainOwned.trim();
    }

    /** The poller a new channel binds to (round robin). */
    public Poller next() {
        return pollers[Math.floorMod(next.getAndIncrement(), pollers.length)];
    }

    public List<Poller> all() {
        return List.of(pollers);
    }

    /** Everything the pollers counted, summed, as the backend-neutral {@link IoStats}. */
    public IoStats stats() {
        int open = 0, inFlight = 0, abandonedInFlight = 0, buffersHeld = 0;
        long abandoned = 0, released = 0, completed = 0, submitted = 0, wakeups = 0, overflows = 0, strays = 0;
        long faults = 0, registeredBytes = 0;
        for (Poller p : pollers) {
            open += p.isOpen() ? 1 : 0;
            inFlight += p.inFlight();
            abandonedInFlight += p.registry().size();
            abandoned += p.registry().adoptedTotal();
            released += p.registry().releasedTotal();
            completed += p.completedTotal();
            submitted += p.submittedTotal();
            wakeups += p.wakeupsTotal();
            overflows += p.overflowsTotal();
            strays += p.strayCompletionsTotal();
            faults += p.faultsTotal();
            ProvidedBuffers b = p.providedBuffers();
            buffersHeld += b == null ? 0 : b.outstanding();
            registeredBytes += p.registeredBuffers() == null ? 0 : registered.bytes();
        }
        String description = pollers[0].features() + ", " + pollers.length + " poller(s)";
        return new IoStats("io_uring", description, open, inFlight, abandonedInFlight, abandoned, released, completed,
                submitted, wakeups, overflows, strays, faults, buffersHeld, registeredBytes,
                registered == null ? 0 : registered.fixedOpsTotal());
    }

    /** Abandoned ops in all registries whose CQE has not arrived yet. */
    public int registrySize() {
        int n = 0;
        for (Poller p : pollers) {
            n += p.registry().size();
        }
        return n;
    }

    /** Ops the kernel owns, over all pollers. */
    public int inFlight() {
        int n = 0;
        for (Poller p : pollers) {
            n += p.inFlight();
        }
        return n;
    }

    /** Provided receive buffers that sockets hold (received into, not yet read), over all pollers. */
    public int receiveBuffersHeld() {
        int n = 0;
        for (Poller p : pollers) {
            ProvidedBuffers b = p.providedBuffers();
            n += b == null ? 0 : b.outstanding();
        }
        return n;
    }

    /** Closes every poller, then the registered memory (freed once the last owned buffer on it is back). */
    @Override
    public void close() {
        for (Poller p : pollers) {
            p.close();
        }
        if (registered != null) {
            registered.close();
        }
    }
}
