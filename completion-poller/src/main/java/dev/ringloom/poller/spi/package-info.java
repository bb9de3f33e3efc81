/**
 * The backend SPI: what ringloom's runtime needs from a kernel interface, apart from how a kernel does it.
 *
 * <p>The runtime's public channels ({@code RingFile}, {@code RingSocket}, {@code RingServerSocket}) delegate to a
 * {@link dev.ringloom.poller.spi.IoBackend}'s {@link dev.ringloom.poller.spi.FileIo},
 * {@link dev.ringloom.poller.spi.SocketIo} and {@link dev.ringloom.poller.spi.ServerSocketIo}. Two backends ship:
 * {@code io_uring} (a poller thread per ring, the fast path) and {@code jdk} (the JDK's own channels on helper
 * virtual threads, for kernels and platforms without io_uring). A further backend plugs in through
 * {@link dev.ringloom.poller.spi.IoBackendProvider} and {@link java.util.ServiceLoader}, without changes to the
 * runtime.
 *
 * <h2>The contract every backend keeps</h2>
 * Each blocking call parks only its caller. Beneath it, a backend works in four steps, which is what the SPI
 * separates from the kernel:
 * <ol>
 *   <li><b>Submit an op</b> that owns its buffer from then on: memory handed to the kernel is never the
 *       caller's buffer unless the caller waits for the op's completion whatever happens.</li>
 *   <li><b>Cancel</b> when the caller gives up (interrupt, timeout): the caller returns at once; the op's buffer
 *       stays owned by the backend until the kernel reports the op finished.</li>
 *   <li><b>Keep what a cancelled op did anyway</b>: bytes a given-up read received are returned first by the next
 *       read of that stream; a connection a given-up accept took is returned by the next accept.</li>
 *   <li><b>Close after drain</b>: close wakes blocked callers, cancels every op on the handle, and releases the
 *       handle (the fd, the HANDLE) only after the last of them completed, so a reused handle value can never
 *       receive a stale completion.</li>
 * </ol>
 *
 * <h2>Windows IOCP, where it would sit and how it differs</h2>
 * An IOCP backend implements these interfaces beside io_uring's: one completion port per poller thread,
 * sockets and files associated with it ({@code CreateIoCompletionPort}) with the ringloom handle as the
 * completion key, and an {@code OVERLAPPED} per op — embedded in the op object, which must stay pinned (native
 * memory) until its completion packet, exactly like io_uring's user_data and buffer. The file offset lives in the
 * {@code OVERLAPPED}, not in the call. Cancel is {@code CancelIoEx(handle, overlapped)}: like
 * {@code IORING_OP_ASYNC_CANCEL} it is a request, the packet still arrives (with {@code ERROR_OPERATION_ABORTED}
 * or with the data), so steps 2 and 3 above carry over unchanged. Differences: IOCP has no multishot accept or
 * recv ({@code AcceptEx} needs a pre-created socket per accept; zero-byte {@code WSARecv} plays the role of
 * "idle connections hold no buffer"), no linked timeouts (timeouts are timers that call {@code CancelIoEx}),
 * closing a handle cancels its pending IO itself (step 4 waits for those packets), and file IO to a handle
 * opened without {@code FILE_FLAG_OVERLAPPED} cannot be made asynchronous at all.
 */
package dev.ringloom.poller.spi;
