package dev.ringloom.samples;

import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samples started the ways a user starts them, after {@code package} (failsafe, in {@code mvn verify}): the
 * executable jar with plain {@code java -jar}, and the modules on the module path with only the flags the README
 * names. Each must run on the backend this machine offers — io_uring where this JVM gets it — and print no
 * warning at all (no FFM restricted-method warning, no {@code sun.misc.Unsafe} one from a dependency).
 */
class LaunchIT {
    static String expectedBackend;
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    @TempDir
    Path dir;

    @BeforeAll
    static void backendHere() throws IOException {
        try (Ringloom ring = Ringloom.open()) {
            expectedBackend = ring.backendName();
        }
    }

    record Run(int status, String out) {
    }

    private Run launch(List<String> command) throws Exception {
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the sample hung: " + command);
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void assertRanCleanly(Run run) {
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("sha256") && run.out().contains("matches"), run.out());
        assertTrue(run.out().contains("ringloom on " + expectedBackend), run.out());
        assertFalse(run.out().contains("WARNING"), "a warning: " + run.out());
        assertFalse(run.out().contains("falls back") || run.out().contains("failed to load"), run.out());
    }

    @Test
    void javaDashJarRunsTheDemoWithoutAWarning() throws Exception {
        Path jar = Path.of("target", "ringloom-samples.jar");
        assertTrue(Files.isRegularFile(jar), "package builds " + jar);
        assertRanCleanly(launch(List.of(JAVA, "-jar", jar.toString(), "demo")));
    }

    @Test
    void theModulePathRunsTheDemoWithTheFlagsTheReadmeNames() throws Exception {
        // This module's classes (an exploded module) and the jars of the modules it needs, as the build made them.
        String modulePath = "target/classes" + File.pathSeparator + Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.matches(".*/(ringloom-[a-z-]+-[^/]*|jctools-core(-jdk11)?-[^/]*)\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(modulePath.contains("ringloom-runtime") && modulePath.contains("jctools-core-jdk11"), modulePath);
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--module-path", modulePath));
        cmd.addAll(Readme.MODULE_PATH_FLAGS);
        cmd.addAll(List.of("-m", "dev.ringloom.samples/dev.ringloom.samples.Main", "demo"));
        assertRanCleanly(launch(cmd));
    }
}
