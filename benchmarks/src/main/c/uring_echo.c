/*
 * A plain single-threaded C echo server on liburing: the "room" issue 3 names (a C liburing echo against the JDK),
 * measured in the same harness as the Java servers. One ring with SINGLE_ISSUER | DEFER_TASKRUN, a multishot
 * accept, and per connection one recv into its own buffer, then one send of what came, then the next recv.
 *
 *   cc -O2 -o benchmarks/target/uring_echo benchmarks/src/main/c/uring_echo.c -luring   (Debian: liburing-dev)
 *   benchmarks/target/uring_echo PORT
 */
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ACCEPT = 0, RECV = 1, SEND = 2 };
#define BUF 16384
#define MAX_FD 65536

static char *bufs[MAX_FD];
static int sent[MAX_FD], pending[MAX_FD];

static struct io_uring_sqe *sqe(struct io_uring *r) {
    struct io_uring_sqe *s = io_uring_get_sqe(r);
    if (!s) {
        io_uring_submit(r);
        s = io_uring_get_sqe(r);
    }
    return s;
}

static void recv_on(struct io_uring *r, int fd) {
    struct io_uring_sqe *s = sqe(r);
    io_uring_prep_recv(s, fd, bufs[fd], BUF, 0);
    io_uring_sqe_set_data64(s, ((__u64) fd << 2) | RECV);
}

static void send_rest(struct io_uring *r, int fd) {
    struct io_uring_sqe *s = sqe(r);
    io_uring_prep_send(s, fd, bufs[fd] + sent[fd], pending[fd] - sent[fd], MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, ((__u64) fd << 2) | SEND);
}

static void accept_on(struct io_uring *r, int lfd) {
    struct io_uring_sqe *s = sqe(r);
    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, 0);
    io_uring_sqe_set_data64(s, ((__u64) lfd << 2) | ACCEPT);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 7304;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    // A previous instance's ring releases its multishot accept, and with it the port, only after that process
    // exited (the kernel tears rings down asynchronously): retry for a while instead of failing.
    for (int tries = 0; bind(lfd, (struct sockaddr *) &a, sizeof a); tries++) {
        if (errno != EADDRINUSE || tries == 200) {
            perror("bind");
            return 1;
        }
        usleep(25000);
    }
    if (listen(lfd, 4096)) {
        perror("listen");
        return 1;
    }
    struct io_uring r;
    struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE,
                                .cq_entries = 16384};
    int e = io_uring_queue_init_params(4096, &r, &p);
    if (e) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-e));
        return 1;
    }
    accept_on(&r, lfd);
    printf("uring_echo on 127.0.0.1:%d\n", port);
    fflush(stdout);
    for (;;) {
        io_uring_submit_and_wait(&r, 1);
        struct io_uring_cqe *c;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&r, head, c) {
            n++;
            int fd = (int) (c->user_data >> 2), kind = (int) (c->user_data & 3), res = c->res;
            if (kind == ACCEPT) {
                if (res >= 0 && res < MAX_FD) {
                    setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (!bufs[res]) {
                        bufs[res] = malloc(BUF);
                    }
                    recv_on(&r, res);
                }
                if (!(c->flags & IORING_CQE_F_MORE)) {
                    accept_on(&r, lfd);
                }
            } else if (kind == RECV) {
                if (res <= 0) {
                    close(fd);
                } else {
                    sent[fd] = 0;
                    pending[fd] = res;
                    send_rest(&r, fd);
                }
            } else {
                if (res <= 0) {
                    close(fd);
                } else if ((sent[fd] += res) < pending[fd]) {
                    send_rest(&r, fd);
                } else {
                    recv_on(&r, fd);
                }
            }
        }
        io_uring_cq_advance(&r, n);
    }
}
