/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-offload-ddp-recv: receives TCP streams through libovs-offload-ddp
 * (or plain recv(), to compare), checks every byte against the test
 * pattern, and reports how many the NIC placed; with --send, the sender of
 * that pattern.  See ovs-offload-ddp-recv(1). */

#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/ovs-offload-ddp.h"

#define CHUNK (256 * 1024)

/* The byte at stream offset 'off': never the same for two offsets a
 * segment (or a power of two) apart, so that a misplaced byte shows. */
static inline uint8_t
pattern_byte(uint64_t off)
{
    return (uint8_t) (off * 7 + (off >> 9) + (off >> 17));
}

struct options {
    const char *control;            /* NULL: plain recv(). */
    uint32_t vf;
    const char *bind_ip;
    struct sockaddr_in peer;
    size_t buffer;
    uint64_t bytes;                 /* Expected (receiver), sent (sender). */
    unsigned int count;             /* Connections, one after another. */
    bool send;
    bool json;
    bool no_verify;                 /* Benchmarks: receive path only. */
    size_t batch;                   /* SO_RCVLOWAT, if nonzero. */
    bool no_reuse;                  /* A buffer per connection. */
    int rcvbuf;                     /* Plain recv()'s SO_RCVBUF, if set. */
};

static void
usage(void)
{
    printf("usage: ovs-offload-ddp-recv [OPTIONS] --bind IP --peer IP:PORT\n"
           "       ovs-offload-ddp-recv --send --peer IP:PORT --bytes N\n"
           "  --control PATH   NIC placement control socket (else plain "
           "recv())\n"
           "  --vf N|host      port to register for (default 0)\n"
           "  --buffer BYTES   shared buffer size (default 1048576)\n"
           "  --bytes N        stream length (expected or sent)\n"
           "  --count N        connections one after another (default 1)\n"
           "  --json           print the report as JSON\n"
           "  --batch BYTES    wake only once BYTES are ready "
           "(SO_RCVLOWAT)\n"
           "  --no-verify      do not check (nor read) the bytes: "
           "benchmarks\n"
           "  --no-reuse       hand the NIC a new buffer for each "
           "connection\n"
           "  --rcvbuf BYTES   plain recv(): SO_RCVBUF (the library sets "
           "a quarter of\n"
           "                   its buffer)\n");
}

static void
fatal(const char *fmt, const char *arg)
{
    fprintf(stderr, "ovs-offload-ddp-recv: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(2);
}

static void
parse_peer(const char *s, struct sockaddr_in *sin)
{
    char ip[64];
    const char *colon = strrchr(s, ':');

    if (!colon || colon - s >= (int) sizeof ip) {
        fatal("%s: use IP:PORT", s);
    }
    memcpy(ip, s, colon - s);
    ip[colon - s] = '\0';
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(atoi(colon + 1));
    if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1 || !sin->sin_port) {
        fatal("%s: use IP:PORT", s);
    }
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    static const struct option longopts[] = {
        { "control", required_argument, NULL, 'c' },
        { "vf", required_argument, NULL, 'v' },
        { "bind", required_argument, NULL, 'b' },
        { "peer", required_argument, NULL, 'p' },
        { "buffer", required_argument, NULL, 'B' },
        { "bytes", required_argument, NULL, 'n' },
        { "count", required_argument, NULL, 'N' },
        { "send", no_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "no-verify", no_argument, NULL, 'V' },
        { "batch", required_argument, NULL, 'L' },
        { "no-reuse", no_argument, NULL, 'R' },
        { "rcvbuf", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool have_peer = false;
    int c;

    memset(o, 0, sizeof *o);
    o->buffer = 1 << 20;
    o->count = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->control = optarg; break;
        case 'v':
            o->vf = !strcmp(optarg, "host") ? OVS_OFFLOAD_DDP_HOST
                                            : strtoul(optarg, NULL, 10);
            break;
        case 'b': o->bind_ip = optarg; break;
        case 'p': parse_peer(optarg, &o->peer); have_peer = true; break;
        case 'B': o->buffer = strtoull(optarg, NULL, 10); break;
        case 'n': o->bytes = strtoull(optarg, NULL, 10); break;
        case 'N': o->count = strtoul(optarg, NULL, 10); break;
        case 's': o->send = true; break;
        case 'j': o->json = true; break;
        case 'V': o->no_verify = true; break;
        case 'L': o->batch = strtoull(optarg, NULL, 10); break;
        case 'R': o->no_reuse = true; break;
        case 'r': o->rcvbuf = atoi(optarg); break;
        case 'h': usage(); exit(0);
        default: exit(2);
        }
    }
    if (!have_peer || (!o->send && !o->bind_ip) || !o->count) {
        usage();
        exit(2);
    }
}

/* The sender: listens on the peer address and sends each of 'count'
 * connections 'bytes' bytes of the pattern. */
static int
run_sender(const struct options *o)
{
    static uint8_t buf[CHUNK];
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);

    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (const struct sockaddr *) &o->peer, sizeof o->peer)
        || listen(lfd, 4)) {
        fatal("listen: %s", strerror(errno));
    }
    printf("listening\n");
    fflush(stdout);
    for (unsigned int i = 0; i < o->count; i++) {
        int fd = accept(lfd, NULL, NULL);
        uint64_t off = 0;

        if (fd < 0) {
            fatal("accept: %s", strerror(errno));
        }
        while (off < o->bytes) {
            size_t n = o->bytes - off < CHUNK ? o->bytes - off : CHUNK;
            ssize_t k;

            for (size_t j = 0; j < n; j++) {
                buf[j] = pattern_byte(off + j);
            }
            k = send(fd, buf, n, MSG_NOSIGNAL);
            if (k <= 0) {
                fatal("send: %s", strerror(errno));
            }
            off += k;
        }
        close(fd);
    }
    close(lfd);
    return 0;
}

struct totals {
    uint64_t bytes, placed, copied, rearms, gaps, errors;
    uint64_t first_error;           /* Offset of the first bad byte. */
};

static bool
check_bytes(const uint8_t *p, size_t n, uint64_t off, struct totals *t)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != pattern_byte(off + i)) {
            if (!t->errors++) {
                t->first_error = off + i;
            }
        }
    }
    return true;
}

/* Binds 'fd' to the --bind address and a local port of its own.  The
 * port is bound before connect() (the NIC must know the connection
 * first), when the kernel cannot yet avoid ports whose last connection to
 * the same peer is still in the peer's TIME-WAIT, which would refuse
 * the SYN: so many connections in a row walk the port range instead. */
static void
bind_local(const struct options *o, int fd)
{
    static unsigned int next_port;
    struct sockaddr_in local;

    if (!next_port) {
        next_port = 20000 + getpid() % 20000;
    }
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, o->bind_ip, &local.sin_addr) != 1) {
        fatal("%s: bad --bind address", o->bind_ip);
    }
    for (int i = 0; i < 40000; i++) {
        local.sin_port = htons(next_port);
        next_port = next_port >= 60000 ? 20000 : next_port + 1;
        if (!bind(fd, (struct sockaddr *) &local, sizeof local)) {
            return;
        }
        if (errno != EADDRINUSE) {
            break;
        }
    }
    fatal("bind: %s", strerror(errno));
}

/* 'ctx': the long-lived registration that each connection attaches to,
 * or NULL for plain recv() or a registration per connection. */
static int
receive_one(const struct options *o, struct ovs_offload_ddp_ctx *ctx,
            struct totals *t)
{
    static uint8_t buf[CHUNK];
    struct ovs_offload_ddp *ddp = NULL;
    char err[256];
    uint64_t off = 0;
    int fd, error;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    bind_local(o, fd);
    if (ctx) {
        error = ovs_offload_ddp_attach(ctx, fd,
                                       (const struct sockaddr *) &o->peer,
                                       sizeof o->peer, &ddp, err,
                                       sizeof err);
    } else if (o->control) {
        error = ovs_offload_ddp_open(o->control, o->vf, fd,
                                     (const struct sockaddr *) &o->peer,
                                     sizeof o->peer, o->buffer, &ddp, err,
                                     sizeof err);
    } else {
        error = 0;
    }
    if (error) {
        fprintf(stderr, "ovs-offload-ddp-recv: register: %s\n", err);
        close(fd);
        return 3;
    }
    if (!ddp && o->rcvbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf);
    }
    if (o->batch) {
        /* The same for both paths, so that they compare. */
        int lowat = o->batch;

        if (ddp) {
            ovs_offload_ddp_set_batch(ddp, o->batch);
        } else {
            setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
        }
    }
    if (connect(fd, (const struct sockaddr *) &o->peer, sizeof o->peer)) {
        fatal("connect: %s", strerror(errno));
    }
    for (;;) {
        const void *data;
        ssize_t n;

        if (ddp) {
            n = ovs_offload_ddp_read(ddp, buf, sizeof buf, &data);
        } else {
            n = recv(fd, buf, sizeof buf, 0);
            data = buf;
        }
        if (n < 0) {
            fatal("recv: %s", strerror(errno));
        }
        if (!n) {
            break;
        }
        if (!o->no_verify) {
            check_bytes(data, n, off, t);
        }
        off += n;
    }
    t->bytes += off;
    if (ddp) {
        struct ovs_offload_ddp_stats st;

        ovs_offload_ddp_get_stats(ddp, &st);
        t->placed += st.placed_bytes;
        t->copied += st.copied_bytes;
        t->rearms += st.rearms;
        t->gaps += st.gaps;
        ovs_offload_ddp_close(ddp);
    } else {
        t->copied += off;
    }
    close(fd);
    return 0;
}

static uint64_t
ns_of(const struct timespec *ts)
{
    return ts->tv_sec * UINT64_C(1000000000) + ts->tv_nsec;
}

/* The process's CPU time so far, and in '*wakeups' how often it slept
 * (voluntary context switches). */
static uint64_t
cpu_ns(uint64_t *wakeups)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    *wakeups = ru.ru_nvcsw;
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * UINT64_C(1000000000)
           + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * UINT64_C(1000);
}

int
main(int argc, char *argv[])
{
    struct ovs_offload_ddp_ctx *ctx = NULL;
    struct totals t = { 0 };
    struct timespec t0, t1;
    struct options o;
    uint64_t cpu0, cpu, wake0, wakeups;
    double placed_pct;
    int status = 0;

    parse_options(argc, argv, &o);
    if (o.send) {
        return run_sender(&o);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cpu0 = cpu_ns(&wake0);
    if (o.control && !o.no_reuse) {
        char err[256];

        if (ovs_offload_ddp_ctx_open(o.control, o.vf, o.buffer, &ctx, err,
                                     sizeof err)) {
            fprintf(stderr, "ovs-offload-ddp-recv: register: %s\n", err);
            return 3;
        }
    }
    for (unsigned int i = 0; i < o.count && !status; i++) {
        status = receive_one(&o, ctx, &t);
    }
    ovs_offload_ddp_ctx_close(ctx);
    if (status) {
        return status;
    }
    cpu = cpu_ns(&wakeups) - cpu0;
    wakeups -= wake0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    placed_pct = t.bytes ? 100.0 * t.placed / t.bytes : 0;

    if (o.json) {
        printf("{\"bytes\": %"PRIu64", \"placed\": %"PRIu64", "
               "\"copied\": %"PRIu64", \"placed_pct\": %.2f, "
               "\"rearms\": %"PRIu64", \"gaps\": %"PRIu64", "
               "\"errors\": %"PRIu64", \"cpu_ns\": %"PRIu64", "
               "\"sleeps\": %"PRIu64", \"elapsed_ns\": %"PRIu64"}\n",
               t.bytes, t.placed, t.copied, placed_pct, t.rearms, t.gaps,
               t.errors, cpu, wakeups, ns_of(&t1) - ns_of(&t0));
    } else {
        printf("received %"PRIu64" bytes: %"PRIu64" placed (%.2f%%), "
               "%"PRIu64" copied; %"PRIu64" re-arms after %"PRIu64" gaps; "
               "%"PRIu64" bad bytes\n", t.bytes, t.placed, placed_pct,
               t.copied, t.rearms, t.gaps, t.errors);
    }
    if (t.errors) {
        fprintf(stderr, "ovs-offload-ddp-recv: first bad byte at offset "
                "%"PRIu64"\n", t.first_error);
        status = 1;
    }
    if (!status && o.bytes && t.bytes != o.bytes * o.count) {
        fprintf(stderr, "ovs-offload-ddp-recv: expected %"PRIu64" bytes\n",
                o.bytes * o.count);
        status = 1;
    }
    return status;
}
