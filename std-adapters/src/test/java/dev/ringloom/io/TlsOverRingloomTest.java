package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS layered over a connected ringloom socket, the way JDBC drivers upgrade a plain connection mid-stream
 * ({@code SSLSocketFactory.createSocket(socket, host, port, autoClose)}): a plain-text exchange first, then the
 * handshake and an encrypted echo against a JDK {@code SSLServerSocket}, with a self-signed certificate made for
 * the test by the JDK's {@code keytool}.
 */
class TlsOverRingloomTest {
    static Ringloom ring;
    static SSLContext tls;

    @BeforeAll
    static void setUp() throws Exception {
        ring = Ringloom.open();
        tls = TestCertificate.make("tls-test").context();
    }

    @AfterAll
    static void tearDown() {
        ring.close();
    }

    @Test
    void aPlainConnectionUpgradesToTlsAndEchoes() throws Exception {
        try (java.net.ServerSocket plain = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket raw = plain.accept()) {
                    DataInputStream in = new DataInputStream(raw.getInputStream());
                    assertEquals("STARTTLS", in.readUTF());
                    new DataOutputStream(raw.getOutputStream()).writeUTF("GO");
                    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(),
                            false)) {
                        s.setUseClientMode(false);
                        DataInputStream sin = new DataInputStream(s.getInputStream());
                        DataOutputStream sout = new DataOutputStream(s.getOutputStream());
                        for (String line; !(line = sin.readUTF()).equals("BYE"); ) {
                            sout.writeUTF(line.toUpperCase());
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket raw = RingSocketFactory.of(ring).createSocket(InetAddress.getLoopbackAddress(),
                    plain.getLocalPort())) {
                new DataOutputStream(raw.getOutputStream()).writeUTF("STARTTLS");
                assertEquals("GO", new DataInputStream(raw.getInputStream()).readUTF());
                try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1",
                        raw.getPort(), true)) {
                    s.startHandshake();
                    assertEquals("TLSv1.3", s.getSession().getProtocol());
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    String big = "x".repeat(40_000);
                    for (String line : new String[]{"hello", big, "over io_uring"}) {
                        out.writeUTF(line);
                        assertEquals(line.toUpperCase(), in.readUTF());
                    }
                    out.writeUTF("BYE");
                }
                assertTrue(raw.isClosed(), "autoClose closed the ringloom socket with the TLS one");
            }
            server.join();
        }
    }

    @Test
    void aRingloomServerSocketServesTls() throws Exception {
        try (java.net.ServerSocket plain = RingServerSocketFactory.of(ring).createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket raw = plain.accept();
                     SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true)) {
                    s.setUseClientMode(false);
                    new DataOutputStream(s.getOutputStream()).writeUTF(
                            new DataInputStream(s.getInputStream()).readUTF() + "!");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SSLSocket c = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    plain.getLocalPort())) {
                new DataOutputStream(c.getOutputStream()).writeUTF("served by ringloom");
                assertEquals("served by ringloom!", new DataInputStream(c.getInputStream()).readUTF());
            }
            server.join();
        }
    }
}
