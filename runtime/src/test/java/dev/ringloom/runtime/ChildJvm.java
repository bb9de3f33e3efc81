package dev.ringloom.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second JVM on the test class path, for what one JVM can decide only once (its seccomp filter, its module
 * opens): native access granted, nothing else of the build's JVM options.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** What the child printed. */
    record Output(String stdout, String stderr) {
        String both() {
            return stdout + stderr;
        }
    }

    /** Runs {@code main} with {@code jvmArgs} and asserts it exits with 0 within two minutes. */
    static Output run(Class<?> main, String... jvmArgs) throws IOException, InterruptedException {
        return runUnder(List.of(), main, jvmArgs);
    }

    /** As {@link #run}, the JVM started by the command {@code launcher} begins with (setpriv, prlimit). */
    static Output runUnder(List<String> launcher, Class<?> main, String... jvmArgs)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("ringloom-child", ".out"), err = Files.createTempFile("ringloom-child", ".err");
        try {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED"));
            cmd.addAll(List.of(jvmArgs));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
            Process child = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM hung");
            Output o = new Output(Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            assertEquals(0, child.exitValue(), o.both());
            return o;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
