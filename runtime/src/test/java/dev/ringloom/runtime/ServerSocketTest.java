package dev.ringloom.runtime;

import dev.ringloom.poller.sys.Libc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listening socket holds what {@code accept(2)} would: no more connections than its backlog while nobody
 * accepts, and every waiting acceptor learns of an error that ends the accepting.
 */
class ServerSocketTest {
    static Ringloom ring;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    @Test
    void aListenerHoldsNoMoreConnectionsThanItsBacklogWhileNobodyAccepts() throws Exception {
        int backlog = 4, clients = 300;
        List<SocketChannel> connecting = new ArrayList<>();
        try (RingServerSocket server = ring.listen(new InetSocketAddress(LOOPBACK, 0), backlog)) {
            InetSocketAddress address = server.localAddress();
            SocketChannel first = SocketChannel.open(address);
            connecting.add(first);
            server.accept().close();                     // one accept: on io_uring the multishot is armed now
            long baseline = OpenFds.count();
            for (int i = 0; i < clients; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(address);
                connecting.add(c);
            }
            // Nobody accepts: the accept op must stop taking connections at the bound, not hold one fd each.
            await().atMost(Duration.ofSeconds(20)).until(() -> ring.inFlight() == 0);
            long held = OpenFds.count() - baseline - clients;
            assertTrue(held <= 4L * backlog, "the listener holds " + held + " accepted fds with backlog " + backlog);

            // Accepting again re-arms it: what waited in the queue and in the kernel's backlog arrives.
            server.setSoTimeout(30_000);
            for (int i = 0; i < 2 * backlog; i++) {
                server.accept().close();
            }
        } finally {
            for (SocketChannel c : connecting) {
                c.close();
            }
        }
    }

    /** The listening fd's number, from the io_uring server socket's description. */
    private static int fdOf(RingServerSocket server) {
        Matcher m = Pattern.compile("fd=(\\d+)").matcher(server.toString());
        assertTrue(m.find(), server.toString());
        return Integer.parseInt(m.group(1));
    }

    /**
     * An error end of the accept all acceptors share (EMFILE in the field; here a shutdown(2) of the listener,
     * after which accept(2) answers EINVAL) wakes every acceptor waiting, each with the error, not one of them.
     */
    @Test
    void anErrorThatEndsAcceptingWakesEveryWaitingAcceptor() throws Exception {
        Backends.assumeIoUring(ring, "one multishot accept shared by all acceptors");
        try (RingServerSocket server = ring.listen(new InetSocketAddress(LOOPBACK, 0))) {
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> acceptors = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acceptors.add(Thread.ofVirtual().start(() -> {
                    try {
                        server.accept().close();
                        failures.add(new AssertionError("accepted a connection nobody made"));
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 1
                    && acceptors.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            assertEquals(0, Libc.shutdown(fdOf(server), Libc.SHUT_RD));
            for (Thread t : acceptors) {
                assertTrue(t.join(Duration.ofSeconds(30)), "an acceptor was never woken: " + failures);
            }
            assertEquals(3, failures.size());
            for (Throwable t : failures) {
                assertTrue(t instanceof IOException && t.getMessage().contains("EINVAL"), () -> "got " + t);
            }
        }
    }
}
