package dev.ringloom.samples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} pairs of a sample's command line, checked against the names the sample knows: a typo or a
 * bad value is a {@link UsageException} with one clear line, never a silently ignored flag or a stack trace.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    /** A command line the sample cannot run: the message says what is wrong, the caller exits with 2. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    Args(String[] args, String... known) {
        List<String> names = List.of(known);
        String options = " (options are " + String.join(", ", names) + ")";
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + name + "'" + options);
            }
            if (!names.contains(name)) {
                throw new UsageException("unknown option " + name + options);
            }
            if (i + 1 == args.length) {
                throw new UsageException(name + " needs a value");
            }
            values.put(name, args[++i]);
        }
    }

    String value(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The value of {@code name} if it is one of {@code choices}. */
    String choice(String name, String fallback, String... choices) {
        String v = value(name, fallback);
        if (!List.of(choices).contains(v)) {
            throw new UsageException(name + " must be one of " + String.join(", ", choices) + ", not '" + v + "'");
        }
        return v;
    }

    int intValue(String name, int fallback, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, not '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    int port(String name, int fallback) {
        return intValue(name, fallback, 0, 65535);
    }
}
