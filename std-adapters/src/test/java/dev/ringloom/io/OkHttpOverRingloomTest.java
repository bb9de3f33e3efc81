package dev.ringloom.io;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ringloom.runtime.Ringloom;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real third-party client library on ringloom through nothing but {@code javax.net.SocketFactory}: OkHttp (its
 * {@code socketFactory(...)} option, the one line the README shows) against the JDK's own HTTP server on loopback,
 * started by the test. OkHttp makes unconnected sockets, connects them with its connect timeout, sets its read
 * timeout as {@code SO_TIMEOUT}, pools and reuses connections, layers TLS over them and cancels a call by closing
 * its socket from another thread — each of which is asserted here, through ringloom, on both backends.
 */
class OkHttpOverRingloomTest {
    private static final MediaType BYTES = MediaType.get("application/octet-stream");
    static Ringloom ring;
    static TestCertificate certificate;
    static ExecutorService handlers;
    HttpServer http;
    HttpsServer https;
    /** Counted down when a {@code /slow} request has reached its handler. */
    final CountDownLatch slowHeld = new CountDownLatch(1);
    /** Lets a held {@code /slow} response go (after each test); the handler never waits longer than a test. */
    final CountDownLatch slowRelease = new CountDownLatch(1);
    final RecordingFactory sockets = new RecordingFactory();

    @BeforeAll
    static void setUp() throws Exception {
        ring = Ringloom.open();
        certificate = TestCertificate.make("okhttp-test");
        handlers = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterAll
    static void tearDown() {
        handlers.close();
        ring.close();
    }

    @BeforeEach
    void startServers() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        http = HttpServer.create(loopback, 0);
        https = HttpsServer.create(loopback, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(certificate.context()));
        for (HttpServer server : List.of(http, https)) {
            server.setExecutor(handlers);
            server.createContext("/hello", this::hello);
            server.createContext("/echo", this::echo);
            server.createContext("/slow", this::slow);
            server.start();
        }
    }

    @AfterEach
    void stopServers() {
        slowRelease.countDown();
        http.stop(0);
        https.stop(0);
    }

    @Test
    void sequentialRequestsShareOnePooledRingloomConnection() throws IOException {
        OkHttpClient client = client().build();
        for (int i = 0; i < 50; i++) {
            try (Response r = client.newCall(get(http, "/hello?n=" + i)).execute()) {
                assertEquals(200, r.code());
                assertEquals("hello n=" + i, r.body().string());
            }
        }
        assertEquals(1, sockets.created.size(), "keep-alive reused the first connection for all 50 requests");
        sockets.assertAllRingloom();
        client.connectionPool().evictAll();
        await().until(() -> sockets.created.getFirst().isClosed());
    }

    @Test
    void aLargeUploadComesBackByteForByteAsAChunkedResponse() throws IOException {
        byte[] body = new byte[8 << 20];
        new Random(19).nextBytes(body);
        OkHttpClient client = client().build();
        try (Response r = client.newCall(new Request.Builder().url(url(http, "/echo"))
                .post(RequestBody.create(body, BYTES)).build()).execute()) {
            assertEquals(200, r.code());
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertArrayEquals(body, r.body().bytes());
        }
        sockets.assertAllRingloom();
    }

    @Test
    void manyVirtualThreadsCallAtOnce() throws Exception {
        OkHttpClient client = client().build();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String query = "n=" + i;
                results.add(callers.submit(() -> {
                    try (Response r = client.newCall(get(http, "/hello?" + query)).execute()) {
                        return r.body().string();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("hello n=" + i, results.get(i).get(60, TimeUnit.SECONDS));
            }
        }
        assertFalse(sockets.created.isEmpty());
        sockets.assertAllRingloom();
    }

    @Test
    void theReadTimeoutEndsAStalledResponseWithSocketTimeoutException() {
        OkHttpClient client = client().readTimeout(Duration.ofMillis(300)).build();
        assertThrows(SocketTimeoutException.class, () -> client.newCall(get(http, "/slow")).execute().close());
        sockets.assertAllRingloom();
    }

    @Test
    void cancellingFromAnotherThreadClosesTheSocketAndWakesTheBlockedRead() throws Exception {
        OkHttpClient client = client().readTimeout(Duration.ZERO).build();
        Call call = client.newCall(get(http, "/slow"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                call.execute().close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        // The request has reached the server (its handler is holding the response), so the caller is in a read.
        await().until(() -> slowHeld.getCount() == 0);
        call.cancel();
        assertTrue(caller.join(Duration.ofSeconds(60)), "the blocked read woke");
        assertInstanceOf(IOException.class, failure.get());
        assertEquals(1, sockets.created.size());
        assertTrue(sockets.created.getFirst().isClosed());
        sockets.assertAllRingloom();
    }

    @Test
    void tlsLayeredOverTheRingloomSocketCarriesHttps() throws IOException {
        OkHttpClient client = client()
                .sslSocketFactory(certificate.context().getSocketFactory(), certificate.trust()).build();
        byte[] body = "over io_uring, encrypted".repeat(5_000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            try (Response r = client.newCall(new Request.Builder().url(url(https, "/echo"))
                    .post(RequestBody.create(body, BYTES)).build()).execute()) {
                assertEquals(200, r.code());
                assertEquals("TLS_1_3", r.handshake().tlsVersion().name());
                assertArrayEquals(body, r.body().bytes());
            }
        }
        assertEquals(1, sockets.created.size(), "the TLS connection was pooled and reused");
        sockets.assertAllRingloom();
    }

    private OkHttpClient.Builder client() {
        return new OkHttpClient.Builder().socketFactory(sockets).retryOnConnectionFailure(false);
    }

    private static Request get(HttpServer server, String path) {
        return new Request.Builder().url(url(server, path)).build();
    }

    private static String url(HttpServer server, String path) {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void hello(HttpExchange exchange) throws IOException {
        byte[] reply = ("hello " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, reply.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply);
        }
    }

    /**
     * The whole request body, then the same bytes back chunked. Read first: OkHttp sends all of a body before it
     * reads the response, so a server that answered while still receiving would fill both directions' socket
     * buffers and wait for a client that waits for it.
     */
    private void echo(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int at = 0; at < body.length; at += 100_000) {
                out.write(body, at, Math.min(100_000, body.length - at));
            }
        }
    }

    private void slow(HttpExchange exchange) throws IOException {
        slowHeld.countDown();
        try {
            slowRelease.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    /** Hands out ringloom's sockets, as OkHttp asks for them, and remembers each for the test to look at. */
    static final class RecordingFactory extends SocketFactory {
        final SocketFactory ringloom = RingSocketFactory.of(ring);
        final List<Socket> created = new CopyOnWriteArrayList<>();

        @Override
        public Socket createSocket() throws IOException {
            return record(ringloom.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return record(ringloom.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return record(ringloom.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return record(ringloom.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return record(ringloom.createSocket(address, port, localAddress, localPort));
        }

        private Socket record(Socket s) {
            created.add(s);
            return s;
        }

        void assertAllRingloom() {
            for (Socket s : created) {
                assertInstanceOf(RingloomSocket.class, s);
            }
        }
    }
}
