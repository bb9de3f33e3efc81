package dev.ringloom.samples;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar ringloom-samples.jar <command> [args]}: the sample programs in one jar. Bad input gets one line
 * on stderr and a non-zero exit: 2 for a command line the sample cannot run, 1 for a failure while running.
 */
public final class Main {
    static final List<String> COMMANDS = List.of("demo", "cat", "copy", "echo-server");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs one command; returns its exit status. */
    static int run(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return 2;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
            usage();
            return 0;
        }
        if (!COMMANDS.contains(command)) {
            System.err.println("ringloom-samples: unknown command '" + command + "'");
            usage();
            return 2;
        }
        if (List.of(rest).contains("--help") || List.of(rest).contains("-h")) {
            usage();
            return 0;
        }
        try {
            return switch (command) {
                case "demo" -> Demo.run(rest);
                case "cat" -> Cat.run(rest);
                case "copy" -> Copy.run(rest);
                default -> EchoServer.run(rest);
            };
        } catch (Args.UsageException e) {
            System.err.println(command + ": " + e.getMessage() + " (see ringloom-samples --help)");
            return 2;
        } catch (UnknownHostException e) {
            System.err.println(command + ": unknown host " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    private static void usage() {
        System.err.println("""
                usage: ringloom-samples <command> [args]
                  demo                copy a 256 MiB file through io_uring, check its sha256, interrupt a blocked read
                  cat FILE...         print files to stdout
                  copy SRC DST        copy a file with parallel positional reads and writes
                  echo-server [--port P] [--bind ADDR] [--io ringloom|jdk] [--threads pollers|jdk] [--reads reader|copy]
                                      one virtual thread per connection, echoing what it reads (port 7007)
                                      from the buffer the kernel received into (--reads copy: through its own)
                a load generator for the echo server is in benchmarks/ (EchoClient)""");
    }
}
