package dev.ringloom.runtime.jdk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Positional reads of a read-only file on the calling thread, through {@link RandomAccessFile}: java.io ignores
 * interrupts, so no interrupt can close the file as it would close a {@code FileChannel} whose reader it interrupts.
 * A read the page cache answers then costs a seek and a read instead of a helper thread's start, hand-off and copy
 * (4 KiB cached reads on one thread: 0.29× the JDK through a helper; BENCHMARKS.md).
 *
 * <p>The file's one pointer makes a seek and its read one turn: a caller that finds the turn taken (again, after one
 * yield of a virtual thread's carrier) goes to a helper instead of waiting, so readers never queue behind one
 * another's disk reads. The {@code FileChannel} of the same
 * {@code RandomAccessFile} serves the helpers, so both read the same file whatever happens to its path. Thread-safe.
 */
final class CallerReads {
    /** The most a direct destination takes through this class's heap copy; larger reads go to a helper. */
    private static final int SCRATCH = 64 * 1024;
    static final int NOT_HERE = -2;

    private final RandomAccessFile file;
    private final ReentrantLock turn = new ReentrantLock();
    private byte[] scratch;             // guarded by turn
    private boolean closed;             // guarded by turn

    CallerReads(RandomAccessFile file) {
        this.file = file;
    }

    /**
     * Reads at {@code pos} into {@code dst} on this thread if the turn is free.
     *
     * @return bytes read, -1 at end of file, or {@link #NOT_HERE} (nothing done: read on a helper)
     */
    int read(ByteBuffer dst, long pos, int max) throws IOException {
        if (!turn.tryLock()) {
            if (!Thread.currentThread().isVirtual()) {
                return NOT_HERE;
            }
            Thread.yield();                 // a cached read's turn ends within a microsecond or so
            if (!turn.tryLock()) {
                return NOT_HERE;
            }
        }
        try {
            if (closed) {
                return NOT_HERE;            // the helper's channel reports the close
            }
            int len = Math.min(dst.remaining(), max);
            if (!dst.hasArray() && len > SCRATCH) {
                return NOT_HERE;            // a helper reads it whole, as FileChannel would
            }
            file.seek(pos);
            if (dst.hasArray()) {
                int n = file.read(dst.array(), dst.arrayOffset() + dst.position(), len);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            if (scratch == null) {
                scratch = new byte[SCRATCH];
            }
            int n = file.read(scratch, 0, len);
            if (n > 0) {
                dst.put(scratch, 0, n);
            }
            return n;
        } finally {
            turn.unlock();
        }
    }

    /** Waits for a read in progress (its fd must not be closed under it) and refuses later ones. */
    void close() {
        turn.lock();
        try {
            closed = true;
            scratch = null;
        } finally {
            turn.unlock();
        }
    }
}
