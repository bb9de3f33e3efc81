package dev.ringloom.poller;

/**
 * A poller's OS thread, and so the carrier of the virtual threads scheduled on that poller: the type lets such a
 * thread find its poller from its carrier ({@link Carriers#current()}). Immutable apart from what {@link Thread} has.
 */
final class PollerThread extends Thread {
    final Poller poller;

    PollerThread(Poller poller, String name, Runnable loop) {
        super(null, loop, name);
        setDaemon(true);
        this.poller = poller;
    }
}
