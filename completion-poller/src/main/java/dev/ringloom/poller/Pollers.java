package dev.ringloom.poller;

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

    private Pollers(Poller[] pollers) {
        this.pollers = pollers;
    }

    /** Starts {@code config.pollers()} pollers; on failure, the ones already started are closed. */
    public static Pollers start(PollerConfig config) throws IOException {
        List<Poller> started = new ArrayList<>();
        try {
            for (int i = 0; i < config.pollers(); i++) {
                started.add(Poller.start(i, config));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Poller::close);
            throw e;
        }
        return new Pollers(started.toArray(Poller[]::new));
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
        long faults = 0;
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
        }
        String description = pollers[0].features() + ", " + pollers.length + " poller(s)";
        return new IoStats("io_uring", description, open, inFlight, abandonedInFlight, abandoned, released, completed,
                submitted, wakeups, overflows, strays, faults, buffersHeld);
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

    @Override
    public void close() {
        for (Poller p : pollers) {
            p.close();
        }
    }
}
