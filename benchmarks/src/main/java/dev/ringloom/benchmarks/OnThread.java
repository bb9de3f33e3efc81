package dev.ringloom.benchmarks;

import java.util.concurrent.Callable;

/** Runs a measured body on a thread of the kind a case asks for and hands back its result. */
final class OnThread {
    private OnThread() {
    }

    /** {@code body}'s result, computed on a thread {@code builder} starts; what it threw is rethrown here. */
    static <T> T call(Thread.Builder builder, Callable<T> body) throws Exception {
        Object[] out = new Object[1];
        Exception[] failed = new Exception[1];
        builder.start(() -> {
            try {
                out[0] = body.call();
            } catch (Exception e) {
                failed[0] = e;
            }
        }).join();
        if (failed[0] != null) {
            throw failed[0];
        }
        @SuppressWarnings("unchecked")
        T result = (T) out[0];
        return result;
    }
}
