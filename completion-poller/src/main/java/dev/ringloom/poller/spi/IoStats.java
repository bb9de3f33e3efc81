package dev.ringloom.poller.spi;

/**
 * What a backend is doing and has done, in the same terms for every backend: a snapshot for metrics, samples and
 * tests, so that none of them needs a backend's own types. Each figure is read on its own (a recent value, not one
 * instant's); counters a backend does not have are 0. Immutable.
 *
 * @param backend               the backend's name: {@code io_uring}, {@code jdk}, or a provider's
 * @param description           one line on how it runs (io_uring: the kernel release, ring features and flags)
 * @param eventLoops            threads that reap completions and are still running (io_uring: open pollers)
 * @param inFlight              ops the backend owns right now (in the kernel or on its helper threads)
 * @param abandonedInFlight     ops whose waiter left (interrupt, timeout, close) and whose buffers the backend
 *                              still holds until they complete
 * @param abandonedTotal        ops ever abandoned while the kernel owned them
 * @param abandonedReleasedTotal of those, the ones whose own completion arrived and released their buffers
 * @param completedTotal        ops completed
 * @param submittedTotal        submissions the kernel consumed
 * @param wakeupsTotal          times a sleeping event loop was woken by a submitter
 * @param overflowsTotal        times an event loop found its completion queue overflowed (nothing is lost: the
 *                              kernel keeps them; a sign the queue is small for the load)
 * @param strayCompletionsTotal completions that matched no op: a ringloom bug if ever non-zero
 * @param faultsTotal           tasks or completion handlers that threw (each logged; the loop went on)
 * @param receiveBuffersHeld    pooled receive buffers that sockets hold: received into, not yet read
 * @param registeredBufferBytes memory the kernel keeps pinned for owned buffers to use as fixed buffers, per event
 *                              loop that registered it (io_uring: the registered slab); 0 if none
 * @param fixedBufferOpsTotal   reads and writes that used such memory ({@code READ_FIXED}, {@code WRITE_FIXED})
 */
public record IoStats(String backend, String description, int eventLoops, int inFlight, int abandonedInFlight,
                      long abandonedTotal, long abandonedReleasedTotal, long completedTotal, long submittedTotal,
                      long wakeupsTotal, long overflowsTotal, long strayCompletionsTotal, long faultsTotal,
                      int receiveBuffersHeld, long registeredBufferBytes, long fixedBufferOpsTotal) {

    /** Stats of a backend that has no event loops of its own and counts only what it owns. */
    public static IoStats ofGauges(String backend, String description, int inFlight, int abandonedInFlight) {
        return new IoStats(backend, description, 0, inFlight, abandonedInFlight, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
