package dev.ringloom.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samples answer bad input as a command-line tool should: one clear line on stderr and a non-zero exit (2 for
 * a command line they cannot run, 1 for a failure), never a stack trace, a silently ignored flag or lost data.
 */
class SamplesCommandLineTest {
    @TempDir
    Path dir;

    record Outcome(int status, String stderr) {
    }

    /** Runs {@link Main#run} with System.err captured. */
    private static Outcome run(String... args) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(args);
            return new Outcome(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private static void assertOneClearLine(Outcome o, int status, String says) {
        assertEquals(status, o.status(), o.stderr());
        assertTrue(o.stderr().contains(says), o.stderr());
        assertFalse(o.stderr().contains("\tat "), "a stack trace: " + o.stderr());
    }

    @Test
    void copyOfAFileOntoItselfRefusesAndKeepsTheData() throws Exception {
        Path f = dir.resolve("precious");
        Files.writeString(f, "do not truncate me");
        assertOneClearLine(run("copy", f.toString(), f.toString()), 1, "are the same file");
        assertEquals("do not truncate me", Files.readString(f));
        Path link = dir.resolve("alias");
        Files.createLink(link, f);
        assertOneClearLine(run("copy", f.toString(), link.toString()), 1, "are the same file");
        assertEquals("do not truncate me", Files.readString(f));
    }

    @Test
    void catOfAMissingFileNamesItOnceAndSaysWhy() throws Exception {
        String missing = dir.resolve("missing.txt").toString();
        Outcome o = run("cat", missing);
        assertOneClearLine(o, 1, "No such file");
        assertEquals(o.stderr().indexOf(missing), o.stderr().lastIndexOf(missing), "the path once: " + o.stderr());
    }

    @Test
    void copyOfAMissingFileNamesItAndSaysWhy() throws Exception {
        String missing = dir.resolve("missing.bin").toString();
        Outcome o = run("copy", missing, dir.resolve("copy.bin").toString());
        assertOneClearLine(o, 1, "No such file");
        assertTrue(o.stderr().contains(missing), o.stderr());
    }

    @Test
    void badFlagsAndValuesGetOneLineAndExitStatus2() throws Exception {
        assertOneClearLine(run("echo-server", "--port", "abc"), 2, "--port must be a number, not 'abc'");
        assertOneClearLine(run("echo-server", "--port", "70000"), 2, "--port must be between 0 and 65535");
        assertOneClearLine(run("echo-server", "--prot", "7007"), 2, "unknown option --prot");
        assertOneClearLine(run("echo-server", "--io", "netty"), 2, "--io must be one of ringloom, jdk");
        assertOneClearLine(run("echo-server", "--port"), 2, "--port needs a value");
        assertOneClearLine(run("demo", "extra"), 2, "demo takes no arguments");
        assertOneClearLine(run("fly"), 2, "unknown command 'fly'");
    }

    @Test
    void helpPrintsTheUsageAndExits0() throws Exception {
        for (List<String> help : List.of(List.of("--help"), List.of("echo-server", "--help"), List.of("cat", "-h"))) {
            assertOneClearLine(run(help.toArray(String[]::new)), 0, "usage: ringloom-samples");
        }
    }

    @Test
    void aPortInUseAndAnUnknownHostAreNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            for (String io : List.of("ringloom", "jdk")) {
                assertOneClearLine(run("echo-server", "--bind", "127.0.0.1", "--port", port, "--io", io), 1,
                        "cannot listen on /127.0.0.1:" + port);
            }
        }
        assertOneClearLine(run("echo-server", "--bind", "no-such-host.invalid"), 1, "unknown host no-such-host.invalid");
    }

    /**
     * {@code (echo first; cat FILE; echo last) > out}: cat writes through the shell's own fd 1, so its bytes sit
     * between the shell's, none overwritten.
     */
    @Test
    void catWritesToTheStdoutTheShellGaveIt() throws Exception {
        Path f = dir.resolve("in.txt"), out = dir.resolve("out.txt");
        Files.writeString(f, "middle\n");
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cmd = "echo first; '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.ringloom.samples.Main cat '" + f + "'; echo last";
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cat hung");
        assertEquals(0, p.exitValue());
        assertEquals("first\nmiddle\nlast\n", Files.readString(out));
    }
}
