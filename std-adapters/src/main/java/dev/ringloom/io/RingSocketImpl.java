package dev.ringloom.io;

import dev.ringloom.runtime.RingServerSocket;
import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code java.net}'s socket primitives on a ringloom runtime: the {@link SocketImpl} behind {@link RingloomSocket}
 * and {@link RingloomServerSocket}. {@code java.net.Socket} and {@code ServerSocket} keep their own state and
 * argument rules and call this for the IO; this holds the {@link RingSocket} (a connection) or the
 * {@link RingServerSocket} (a listener) once there is one.
 *
 * <p>Options set before there is one (a {@code setTcpNoDelay} before {@code connect}) are kept and applied to
 * the socket the moment it exists, right after its connect or listen: a ringloom socket's descriptor is created by
 * the connect itself. So {@code SO_RCVBUF} set before connect takes effect after the handshake (the receive
 * window's scale is settled by then), and binding a client socket to a local address before connect is refused.
 *
 * <p>Thread-safe: the socket and listener fields are written once and published through volatile fields; the
 * pending options are guarded by {@code this}.
 */
final class RingSocketImpl extends SocketImpl {
    /** Every option a ringloom socket or listener takes ({@link #supportedOptions()}). */
    static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.IP_TOS);

    private final Ringloom ring;
    private final boolean server;
    private volatile RingSocket socket;             // once connected or accepted
    private volatile RingServerSocket listener;     // once listening
    private volatile boolean closed;
    private InetSocketAddress bindAddress;          // a listener's, between bind and listen
    private final Map<SocketOption<?>, Object> pending = new LinkedHashMap<>();   // guarded by this
    private volatile int timeoutMillis;             // SO_TIMEOUT: java.net keeps it on the impl
    private InputStream in;                         // guarded by this
    private OutputStream out;                       // guarded by this
    private RingSocketInputStream.Closer owner = this::close;   // what a stream's close closes: the Socket

    RingSocketImpl(Ringloom ring, boolean server) {
        this.ring = ring;
        this.server = server;
    }

    /**
     * Makes the streams' {@code close()} close {@code socket}, java.net's rule (closing the Socket, not only its
     * impl, so that its state says closed). Called by the Socket that owns this impl, before any stream exists.
     */
    void closedWith(RingSocketInputStream.Closer socket) {
        this.owner = socket;
    }

    /** The runtime whose socket this is. */
    Ringloom ring() {
        return ring;
    }

    /** The connection, for the streams and {@link RingloomSocket}; throws if there is none (yet or any more). */
    RingSocket socket() throws SocketException {
        RingSocket s = socket;
        if (s == null) {
            throw new SocketException(closed ? "Socket is closed" : "Socket is not connected");
        }
        return s;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("ringloom sockets are TCP: datagram sockets are not supported");
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress address, int timeoutMillis) throws IOException {
        if (!(address instanceof InetSocketAddress remote)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        if (server) {
            throw new SocketException("a listening socket does not connect");
        }
        RingSocket s = ring.connect(remote, Duration.ofMillis(timeoutMillis));
        attach(s);
    }

    /** The connection this impl now stands for (connected here, or accepted by a listener). */
    void attach(RingSocket s) throws IOException {
        try {
            synchronized (this) {
                for (Map.Entry<SocketOption<?>, Object> e : pending.entrySet()) {
                    set(s, e.getKey(), e.getValue());
                }
                pending.clear();
            }
            s.setSoTimeout(timeoutMillis);
            InetSocketAddress remote = s.remoteAddress(), local = s.localAddress();
            this.address = remote.getAddress();
            this.port = remote.getPort();
            this.localport = local.getPort();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        this.socket = s;
        if (closed) {
            s.close();      // a close overtook the connect: the new connection is nobody's
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void set(RingSocket s, SocketOption<T> option, Object value) throws IOException {
        s.setOption(option, (T) value);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        if (!server) {
            throw new SocketException("ringloom client sockets cannot be bound before connect: the connect"
                    + " creates the socket (leave the local address to the kernel)");
        }
        bindAddress = new InetSocketAddress(host, port);
    }

    @Override
    protected void listen(int backlog) throws IOException {
        if (bindAddress == null) {
            throw new SocketException("not bound");
        }
        RingServerSocket l = ring.listen(bindAddress, backlog);
        try {
            synchronized (this) {
                for (Map.Entry<SocketOption<?>, Object> e : pending.entrySet()) {
                    setOnListener(l, e.getKey(), e.getValue());
                }
                pending.clear();
            }
            l.setSoTimeout(timeoutMillis);
            InetSocketAddress local = l.localAddress();
            this.address = local.getAddress();
            this.localport = local.getPort();
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        this.listener = l;
        if (closed) {
            l.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void setOnListener(RingServerSocket l, SocketOption<T> option, Object value)
            throws IOException {
        l.setOption(option, (T) value);
    }

    @Override
    protected void accept(SocketImpl into) throws IOException {
        RingServerSocket l = listener;
        if (l == null) {
            throw new SocketException(closed ? "Socket is closed" : "Socket is not bound yet");
        }
        if (!(into instanceof RingSocketImpl target)) {
            throw new IOException("a ringloom server socket accepts into ringloom sockets only, not "
                    + into.getClass().getName());
        }
        target.attach(l.accept());
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new RingSocketInputStream(socket(), owner);
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new RingSocketOutputStream(socket(), owner);
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        return socket().available();
    }

    @Override
    protected void close() throws IOException {
        closed = true;
        RingSocket s = socket;
        RingServerSocket l = listener;
        if (s != null) {
            s.close();
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        socket().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        socket().shutdownOutput();
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported by ringloom sockets");
    }

    // ---------------------------------------------------------------- options

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        RingSocket s = socket;
        RingServerSocket l = listener;
        if (s != null) {
            s.setOption(name, value);
        } else if (l != null) {
            l.setOption(name, value);
        } else if (closed) {
            throw new SocketException("Socket is closed");
        } else {
            synchronized (this) {
                pending.put(name, value);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        RingSocket s = socket;
        RingServerSocket l = listener;
        if (s != null) {
            return s.getOption(name);
        } else if (l != null) {
            return l.getOption(name);
        } else if (closed) {
            throw new SocketException("Socket is closed");
        }
        synchronized (this) {
            Object v = pending.get(name);
            if (v != null) {
                return (T) v;
            }
        }
        return (T) defaultOf(name);
    }

    /**
     * What a fresh TCP socket reports, for an option asked before ringloom's socket exists: read once from an
     * unconnected JDK socket, so the answer is the kernel's (and reported the JDK's way), not a guess.
     */
    private static Object defaultOf(SocketOption<?> name) {
        return FreshSocketDefaults.VALUES.get(name);
    }

    private static final class FreshSocketDefaults {
        static final Map<SocketOption<?>, Object> VALUES = read();

        private static Map<SocketOption<?>, Object> read() {
            Map<SocketOption<?>, Object> values = new HashMap<>();
            try (java.net.Socket fresh = new java.net.Socket()) {
                for (SocketOption<?> o : OPTIONS) {
                    values.put(o, fresh.getOption(o));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read a fresh socket's option defaults", e);
            }
            return Map.copyOf(values);
        }
    }

    // The legacy int-keyed options (java.net.SocketOptions), which Socket's setters and getters use.

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        try {
            switch (optID) {
                case SocketOptions.SO_TIMEOUT -> setTimeout(intValue(value, "SO_TIMEOUT"));
                case SocketOptions.TCP_NODELAY -> setOption(StandardSocketOptions.TCP_NODELAY,
                        booleanValue(value, "TCP_NODELAY"));
                case SocketOptions.SO_KEEPALIVE -> setOption(StandardSocketOptions.SO_KEEPALIVE,
                        booleanValue(value, "SO_KEEPALIVE"));
                case SocketOptions.SO_SNDBUF -> setOption(StandardSocketOptions.SO_SNDBUF, intValue(value, "SO_SNDBUF"));
                case SocketOptions.SO_RCVBUF -> setOption(StandardSocketOptions.SO_RCVBUF, intValue(value, "SO_RCVBUF"));
                case SocketOptions.SO_REUSEADDR -> setOption(StandardSocketOptions.SO_REUSEADDR,
                        booleanValue(value, "SO_REUSEADDR"));
                case SocketOptions.SO_REUSEPORT -> setOption(StandardSocketOptions.SO_REUSEPORT,
                        booleanValue(value, "SO_REUSEPORT"));
                case SocketOptions.IP_TOS -> setOption(StandardSocketOptions.IP_TOS, intValue(value, "IP_TOS"));
                case SocketOptions.SO_LINGER -> setOption(StandardSocketOptions.SO_LINGER,
                        value instanceof Boolean b && !b ? -1 : intValue(value, "SO_LINGER"));
                case SocketOptions.SO_OOBINLINE -> {
                    if (booleanValue(value, "SO_OOBINLINE")) {
                        throw new SocketException("SO_OOBINLINE is not supported by ringloom sockets");
                    }
                }
                default -> throw new SocketException("Unknown option " + optID);
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            SocketException se = new SocketException(e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    private void setTimeout(int millis) throws IOException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMillis = millis;
        RingSocket s = socket;
        RingServerSocket l = listener;
        if (s != null) {
            s.setSoTimeout(millis);
        } else if (l != null) {
            l.setSoTimeout(millis);
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        try {
            return switch (optID) {
                case SocketOptions.SO_TIMEOUT -> timeoutMillis;
                case SocketOptions.TCP_NODELAY -> getOption(StandardSocketOptions.TCP_NODELAY);
                case SocketOptions.SO_KEEPALIVE -> getOption(StandardSocketOptions.SO_KEEPALIVE);
                case SocketOptions.SO_SNDBUF -> getOption(StandardSocketOptions.SO_SNDBUF);
                case SocketOptions.SO_RCVBUF -> getOption(StandardSocketOptions.SO_RCVBUF);
                case SocketOptions.SO_REUSEADDR -> getOption(StandardSocketOptions.SO_REUSEADDR);
                case SocketOptions.SO_REUSEPORT -> getOption(StandardSocketOptions.SO_REUSEPORT);
                case SocketOptions.IP_TOS -> getOption(StandardSocketOptions.IP_TOS);
                case SocketOptions.SO_LINGER -> {
                    int secs = getOption(StandardSocketOptions.SO_LINGER);
                    yield secs < 0 ? Boolean.FALSE : (Object) secs;
                }
                case SocketOptions.SO_OOBINLINE -> Boolean.FALSE;
                case SocketOptions.SO_BINDADDR -> localAddressOrAny();
                default -> throw new SocketException("Unknown option " + optID);
            };
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            SocketException se = new SocketException(e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    private InetAddress localAddressOrAny() throws IOException {
        RingSocket s = socket;
        RingServerSocket l = listener;
        InetSocketAddress local = s != null ? s.localAddress() : l != null ? l.localAddress() : null;
        return local != null ? local.getAddress() : new InetSocketAddress(0).getAddress();
    }

    private static int intValue(Object value, String option) throws SocketException {
        if (value instanceof Integer i) {
            return i;
        }
        throw new SocketException("Bad value for " + option);
    }

    private static boolean booleanValue(Object value, String option) throws SocketException {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new SocketException("Bad value for " + option);
    }
}
