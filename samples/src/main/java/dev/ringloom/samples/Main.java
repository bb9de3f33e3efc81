package dev.ringloom.samples;

import java.util.Arrays;

/** {@code java -jar ringloom-samples.jar <command> [args]}: the sample programs in one jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int status = switch (args[0]) {
            case "demo" -> Demo.run(rest);
            case "cat" -> Cat.run(rest);
            case "copy" -> Copy.run(rest);
            case "echo-server" -> EchoServer.run(rest);
            case "echo-client" -> EchoClient.run(rest);
            default -> {
                usage();
                yield 2;
            }
        };
        System.exit(status);
    }

    private static void usage() {
        System.err.println("""
                usage: ringloom-samples <command> [args]
                  demo                copy a 256 MiB file through io_uring, check its sha256, interrupt a blocked read
                  cat FILE...         print files to stdout
                  copy SRC DST        copy a file with parallel positional reads and writes
                  echo-server --port P [--bind ADDR] [--io ringloom|jdk]
                                      one virtual thread per connection, echoing what it reads
                  echo-client --host H --port P --connections C --size M --seconds S
                                      load generator (java.net): round trips/s, p50/p99, checks every byte""");
    }
}
