package dev.ringloom.samples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the README, ARCHITECTURE and BENCHMARKS documents name exists: every sample and benchmark a command runs,
 * every module a command builds, every class or test named in code spans — ringloom's own, the JDK's, or one of
 * the few outside names listed here with the reason they are named. (The commands themselves are run by
 * {@code .ci/run} after the tests, and {@link LaunchIT} runs the module-path command's flags.)
 */
class ReadmeTest {
    private static final List<String> DOCUMENTS = List.of("README.md", "ARCHITECTURE.md", "BENCHMARKS.md");

    /** Names in the documents that are neither ringloom's nor the JDK's public types, and what each is. */
    private static final Map<String, String> OUTSIDE_NAMES = Map.ofEntries(
            Map.entry("BufRead", "Rust's trait the RingReader is modelled on"),
            Map.entry("Blocker", "jdk.internal.misc.Blocker, named where the JDK compensates pinned carriers"),
            Map.entry("Thaw", "the JDK's continuation thaw, named in a profile"),
            Map.entry("VmRSS", "the /proc/self/status field the idle benchmark reads"),
            Map.entry("Call", "OkHttp's Call, cancelled in the drop-in test"),
            Map.entry("Threads", "a column of a benchmark table"),
            Map.entry("Provider", "a column of the backend table"));

    private static final List<String> JDK_PACKAGES = List.of("java.lang", "java.io", "java.net", "java.nio",
            "java.nio.channels", "java.nio.file", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
            "java.util.concurrent.locks", "java.lang.invoke", "java.lang.foreign", "javax.net", "javax.net.ssl",
            "sun.nio.ch");

    private static Set<String> sourceTypes() throws IOException {
        try (Stream<Path> files = Files.walk(Readme.ROOT)) {
            return files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/")
                            && !p.toString().contains("/target/"))
                    .flatMap(ReadmeTest::typesIn)
                    .collect(Collectors.toSet());
        }
    }

    /** The file's top-level type and the types declared inside it. */
    private static Stream<String> typesIn(Path file) {
        try {
            Matcher m = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)")
                    .matcher(Files.readString(file));
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            return names.stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isJdkType(String name) {
        for (String pkg : JDK_PACKAGES) {
            try {
                Class.forName(pkg + "." + name, false, ClassLoader.getPlatformClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        return false;
    }

    @Test
    void everyTypeNamedInCodeExists() throws IOException {
        Set<String> ours = sourceTypes();
        Set<String> missing = new TreeSet<>();
        Pattern span = Pattern.compile("`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?=[`.#(<\\s])");
        for (String doc : DOCUMENTS) {
            Matcher m = span.matcher(Readme.text(doc));
            while (m.find()) {
                String name = m.group(1);
                if (!ours.contains(name) && !isJdkType(name) && !OUTSIDE_NAMES.containsKey(name)) {
                    missing.add(doc + ": " + name);
                }
            }
        }
        assertEquals(Set.of(), missing, "named in the documents but found nowhere");
    }

    @Test
    void everySampleBenchmarkAndModuleACommandNamesExists() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String doc : DOCUMENTS) {
            for (String cmd : Readme.commands(doc)) {
                Matcher sample = Pattern.compile("-Dsample=\"([^\"\\s]+)").matcher(cmd);
                if (sample.find()) {
                    checked++;
                    if (!Main.COMMANDS.contains(sample.group(1))) {
                        problems.add(doc + ": no sample '" + sample.group(1) + "' in " + cmd);
                    }
                }
                Matcher bench = Pattern.compile("-Dbench=\"(\\w+)").matcher(cmd);
                if (bench.find()) {
                    checked++;
                    Path src = Readme.ROOT.resolve("benchmarks/src/main/java/dev/ringloom/benchmarks/"
                            + bench.group(1) + ".java");
                    if (!Files.isRegularFile(src)) {
                        problems.add(doc + ": no benchmark " + bench.group(1) + " in " + cmd);
                    }
                }
                Matcher module = Pattern.compile("-pl (\\S+)").matcher(cmd);
                if (module.find() && !Files.isRegularFile(Readme.ROOT.resolve(module.group(1)).resolve("pom.xml"))) {
                    problems.add(doc + ": no module " + module.group(1) + " in " + cmd);
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(checked >= 5, "the documents' commands were not found: " + checked);
    }
}
