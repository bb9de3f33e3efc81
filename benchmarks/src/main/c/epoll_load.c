/*
 * A lean echo load generator in C on epoll, for EchoBenchmark: the same ping-pong and checks as the Java load
 * generators (each connection sends SIZE bytes, waits for the SIZE echoed bytes, compares every byte with what it
 * sent, repeats), a one-second ramp-up, then a measured window.
 *
 * Why: client and server share the machine's two cores, so round trips/s are bounded by (server + load) CPU per
 * round trip; this one costs a read, a write and a share of an epoll_wait per round trip, has no runtime of its
 * own, and shares no code with any server it measures.
 *
 *   cc -O2 -pthread -o benchmarks/target/epoll_load benchmarks/src/main/c/epoll_load.c
 *   benchmarks/target/epoll_load HOST PORT CONNECTIONS SIZE SECONDS [THREADS]
 *
 * Prints "open" when the measured window opens and "close" when it closes (a caller samples the server's CPU
 * between the two), then one line:
 *   result <round trips/s> <p50 us> <p99 us> <mismatches> <failed connections> <own CPU us over the window>
 *          <reads per round trip> <round trips per epoll_wait>
 * (the last two over the whole run: how the server's replies arrive — in one piece or several, one connection at a
 * time or in bursts — is what the generator's CPU per round trip depends on)
 * Exit code 1 on any mismatch or failed connection.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RAMP_UP_NS 1000000000LL
#define HIST_US (1 << 21)           /* latencies up to ~2.1 s at 1 us resolution; longer ones land in the last */

struct conn {
    int fd, id;
    uint64_t round;
    int got, wrote;
    int64_t sent_at;
    unsigned char *out, *in;
};

struct worker {
    pthread_t thread;
    struct conn *conns;
    int count;
    uint32_t *hist;
    uint64_t counted, mismatches, failures;
    uint64_t reads, waits, rounds;      /* over the whole run */
};

static int size;
static int64_t window_start, window_end;
static atomic_int stop;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_until(int64_t t) {
    struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* A pattern unique to (connection, round), so a byte echoed to the wrong place is caught. */
static void fill(unsigned char *b, int connection, uint64_t round) {
    uint64_t x = (uint64_t) connection * 0x9E3779B97F4A7C15ULL + round * 0xBF58476D1CE4E5B9ULL;
    for (int i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (unsigned char) x;
    }
}

static void fail(struct worker *w, struct conn *c) {
    w->failures++;
    close(c->fd);
    c->fd = -1;
}

/* Writes what is left of the message; returns 0 when all of it went out, 1 if the socket is full, -1 on error. */
static int write_rest(struct conn *c) {
    while (c->wrote < size) {
        ssize_t n = write(c->fd, c->out + c->wrote, size - c->wrote);
        if (n < 0) {
            return errno == EAGAIN ? 1 : -1;
        }
        c->wrote += (int) n;
    }
    return 0;
}

static int send_next(int ep, struct conn *c, int64_t t) {
    fill(c->out, c->id, c->round);
    c->got = c->wrote = 0;
    c->sent_at = t;
    int r = write_rest(c);
    if (r == 1) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return r < 0 ? -1 : 0;
}

static void *run(void *arg) {
    struct worker *w = arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int64_t t = now_ns();
    for (int i = 0; i < w->count; i++) {
        struct conn *c = &w->conns[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        if (send_next(ep, c, t)) {
            fail(w, c);
        }
    }
    struct epoll_event events[256];
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        int n = epoll_wait(ep, events, 256, 100);
        w->waits += n > 0;
        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            if (c->fd < 0) {
                continue;
            }
            if (events[e].events & EPOLLOUT) {
                int r = write_rest(c);
                if (r < 0) {
                    fail(w, c);
                    continue;
                }
                if (r == 0) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
                continue;
            }
            ssize_t got = read(c->fd, c->in + c->got, size - c->got);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) {
                    continue;
                }
                fail(w, c);     /* the server closed the connection or reset it */
                continue;
            }
            w->reads++;
            c->got += (int) got;
            if (c->got < size) {
                continue;
            }
            if (c->wrote < size || memcmp(c->in, c->out, size) != 0) {
                w->mismatches++;   /* an echo of bytes not yet sent is a mismatch too */
            }
            int64_t done = now_ns();
            if (c->sent_at >= window_start && done <= window_end) {
                int64_t us = (done - c->sent_at) / 1000;
                w->hist[us < HIST_US ? us : HIST_US - 1]++;
                w->counted++;
            }
            c->round++;
            w->rounds++;
            if (send_next(ep, c, done)) {
                fail(w, c);
            }
        }
    }
    close(ep);
    return NULL;
}

static double percentile(const uint64_t *hist, uint64_t count, double p) {
    uint64_t rank = (uint64_t) (p * (double) count), seen = 0;
    for (int i = 0; i < HIST_US; i++) {
        seen += hist[i];
        if (seen > rank) {
            return i;
        }
    }
    return HIST_US - 1;
}

static int64_t cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000LL + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

static int connect_to(const struct addrinfo *ai) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SIZE SECONDS [THREADS]\n", argv[0]);
        return 2;
    }
    int connections = atoi(argv[3]), seconds = atoi(argv[5]), threads = argc > 6 ? atoi(argv[6]) : 1;
    size = atoi(argv[4]);
    if (connections <= 0 || size <= 0 || seconds <= 0 || threads <= 0) {
        fprintf(stderr, "connections, size, seconds and threads must be positive\n");
        return 2;
    }
    if (threads > connections) {
        threads = connections;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    int e = getaddrinfo(argv[1], argv[2], &hints, &ai);
    if (e) {
        fprintf(stderr, "%s:%s: %s\n", argv[1], argv[2], gai_strerror(e));
        return 2;
    }
    struct conn *conns = calloc(connections, sizeof *conns);
    uint64_t failures = 0;
    for (int i = 0; i < connections; i++) {
        conns[i].id = i;
        conns[i].out = malloc(size);
        conns[i].in = malloc(size);
        if ((conns[i].fd = connect_to(ai)) < 0) {
            fprintf(stderr, "connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
            failures++;
        }
    }
    freeaddrinfo(ai);
    int64_t start = now_ns();
    window_start = start + RAMP_UP_NS;
    window_end = window_start + seconds * 1000000000LL;
    struct worker *workers = calloc(threads, sizeof *workers);
    for (int t = 0, from = 0; t < threads; t++) {
        int count = connections / threads + (t < connections % threads);
        workers[t].conns = conns + from;
        workers[t].count = count;
        workers[t].hist = calloc(HIST_US, sizeof(uint32_t));
        from += count;
        pthread_create(&workers[t].thread, NULL, run, &workers[t]);
    }
    sleep_until(window_start);
    int64_t cpu = -cpu_us();
    printf("open\n");
    fflush(stdout);
    sleep_until(window_end);
    cpu += cpu_us();
    printf("close\n");
    fflush(stdout);
    atomic_store(&stop, 1);
    uint64_t *hist = calloc(HIST_US, sizeof(uint64_t)), counted = 0, mismatches = 0, reads = 0, waits = 0, rounds = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(workers[t].thread, NULL);
        for (int i = 0; i < HIST_US; i++) {
            hist[i] += workers[t].hist[i];
        }
        counted += workers[t].counted;
        mismatches += workers[t].mismatches;
        failures += workers[t].failures;
        reads += workers[t].reads;
        waits += workers[t].waits;
        rounds += workers[t].rounds;
    }
    for (int i = 0; i < connections; i++) {
        if (conns[i].fd >= 0) {
            close(conns[i].fd);
        }
    }
    printf("result %.1f %.0f %.0f %llu %llu %lld %.3f %.2f\n", counted / (double) seconds,
           percentile(hist, counted, 0.50), percentile(hist, counted, 0.99), (unsigned long long) mismatches,
           (unsigned long long) failures, (long long) cpu, rounds ? reads / (double) rounds : 0.0,
           waits ? rounds / (double) waits : 0.0);
    return mismatches == 0 && failures == 0 ? 0 : 1;
}
