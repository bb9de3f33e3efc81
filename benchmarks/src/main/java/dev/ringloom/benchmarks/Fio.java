package dev.ringloom.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device's limit for 4 KiB O_DIRECT random reads, as fio's {@code io_uring} engine reaches it from one thread
 * at a given queue depth: the yardstick the file benchmarks put beside their figures, measured in the same run.
 * Needs {@code fio} on the PATH (Debian: {@code apt-get install fio}); without it the row says so.
 */
final class Fio {
    private static final Pattern IOPS = Pattern.compile("\"iops\"\\s*:\\s*([0-9.]+)");

    private Fio() {
    }

    /** "fio io_uring QD{depth}: N IOPS", or why there is no figure. */
    static String randomReads(Path file, int depth, int seconds) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("fio", "--name=randread", "--filename=" + file, "--readonly",
                    "--rw=randread", "--bs=4k", "--direct=1", "--ioengine=io_uring", "--iodepth=" + depth,
                    "--numjobs=1", "--time_based", "--runtime=" + seconds, "--output-format=json")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                return "fio failed: " + out.strip();
            }
            Matcher m = IOPS.matcher(out.substring(Math.max(0, out.indexOf("\"read\""))));
            return m.find() ? String.format("fio io_uring QD%d, 1 thread: %,.0f IOPS", depth,
                    Double.parseDouble(m.group(1))) : "fio printed no read IOPS";
        } catch (IOException notInstalled) {
            return "fio not installed (" + notInstalled.getMessage() + "): no device-limit figure";
        }
    }
}
