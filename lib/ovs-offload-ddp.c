/* SPDX-License-Identifier: Apache-2.0 */
/* libovs-offload-ddp: registration of a connection and its shared buffer
 * with a NIC, and reads that take placed bytes from the buffer and the
 * rest from the socket (see ovs-offload-ddp.h). */

#define _GNU_SOURCE 1

#include "lib/ovs-offload-ddp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/nic-placement-shm.h"

/* The ring is read-only to the application; only the discard's buffer
 * argument needs it writable in type. */
#define CONST_CAST_DDP(P) ((void *) (uintptr_t) (P))

/* A control connection and the buffer it handed over. */
struct ovs_offload_ddp_ctx {
    int ctl;                        /* Control socket to the NIC. */
    uint32_t vf;
    uint32_t buffer;                /* The NIC's id of the buffer. */
    uint32_t xid;                   /* Last request's. */
    struct nic_placement_shm *hdr;
    const uint8_t *data;
    size_t map_size;
    uint64_t data_len;
    uint32_t req;                   /* Last arm request, across connections
                                     * so that none sees an old run. */
    struct ovs_offload_ddp *user;   /* Attached connection, if any. */
};

struct ovs_offload_ddp {
    struct ovs_offload_ddp_ctx *ctx;
    bool own_ctx;                   /* From ovs_offload_ddp_open(). */
    int sock;                       /* The TCP socket (not ours). */
    uint32_t id;                    /* The NIC's entry. */

    uint64_t pos;                   /* Stream offset read up to. */
    uint64_t discarded;             /* Placed bytes discarded up to. */
    bool drained;                   /* The last discard took all there
                                     * was: wait before the next one. */
    uint64_t old_start, old_next;   /* The run before the last re-arm. */
    struct ovs_offload_ddp_stats stats;
};

static int
ddp_error(char *errbuf, size_t size, int error, const char *fmt, ...)
{
    if (errbuf && size) {
        va_list args;

        va_start(args, fmt);
        vsnprintf(errbuf, size, fmt, args);
        va_end(args);
    }
    return error;
}

/* The tuple of 'sock' and 'peer' in a REGISTER message. */
static int
ddp_fill_tuple(struct nic_placement_msg_register *m, int sock,
               const struct sockaddr *peer, socklen_t peer_len,
               char *errbuf, size_t size)
{
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;

    if (getsockname(sock, (struct sockaddr *) &local, &local_len)) {
        return ddp_error(errbuf, size, errno, "getsockname: %s",
                         strerror(errno));
    }
    if (local.ss_family != peer->sa_family) {
        return ddp_error(errbuf, size, EINVAL,
                         "socket and peer of different families");
    }
    if (local.ss_family == AF_INET
        && peer_len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *l = (const struct sockaddr_in *) &local;
        const struct sockaddr_in *r = (const struct sockaddr_in *) peer;

        m->family = 4;
        memcpy(m->local, &l->sin_addr, 4);
        memcpy(m->remote, &r->sin_addr, 4);
        m->local_port = l->sin_port;
        m->remote_port = r->sin_port;
        if (l->sin_addr.s_addr == htonl(INADDR_ANY)) {
            return ddp_error(errbuf, size, EINVAL, "socket must be bound "
                             "to its own address, not any");
        }
    } else if (local.ss_family == AF_INET6
               && peer_len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *l = (const struct sockaddr_in6 *) &local;
        const struct sockaddr_in6 *r = (const struct sockaddr_in6 *) peer;

        m->family = 6;
        memcpy(m->local, &l->sin6_addr, 16);
        memcpy(m->remote, &r->sin6_addr, 16);
        m->local_port = l->sin6_port;
        m->remote_port = r->sin6_port;
    } else {
        return ddp_error(errbuf, size, EAFNOSUPPORT,
                         "not an IPv4 or IPv6 socket");
    }
    if (!m->local_port) {
        return ddp_error(errbuf, size, EINVAL, "socket is not bound");
    }
    return 0;
}

/* A memfd of 'size' bytes, sealed so that nobody can shrink it under the
 * NIC's writes. */
static int
ddp_make_buffer(size_t size, int *fdp)
{
    int fd = memfd_create("ovs-offload-ddp", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0) {
        return errno;
    }
    if (ftruncate(fd, size) || fcntl(fd, F_ADD_SEALS,
                                     F_SEAL_SHRINK | F_SEAL_SEAL)) {
        int error = errno;

        close(fd);
        return error;
    }
    *fdp = fd;
    return 0;
}

/* Sends request 'm' of 'len' bytes, with 'fd' if nonnegative. */
static int
ddp_send(int ctl, const void *m, size_t len, int fd)
{
    union {
        struct cmsghdr cm;
        char buf[CMSG_SPACE(sizeof(int))];
    } cmsg;
    struct iovec iov = {
        .iov_base = CONST_CAST_DDP(m), .iov_len = len,
    };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &cmsg, .msg_controllen = sizeof cmsg.buf,
    };
    struct cmsghdr *cm;
    ssize_t n;

    if (fd >= 0) {
        memset(&cmsg, 0, sizeof cmsg);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    } else {
        mh.msg_control = NULL;
        mh.msg_controllen = 0;
    }
    do {
        n = sendmsg(ctl, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t) len ? 0 : n < 0 ? errno : EPROTO;
}

static int
ddp_recv_reply(int ctl, uint32_t xid, struct nic_placement_msg_reply *rep)
{
    ssize_t n;

    do {
        n = recv(ctl, rep, sizeof *rep, 0);
    } while (n < 0 && errno == EINTR);
    if (n != sizeof *rep || rep->hdr.magic != NIC_PLACEMENT_MSG_MAGIC
        || rep->hdr.type != NIC_PLACEMENT_MSG_REPLY || rep->hdr.xid != xid) {
        return n < 0 ? errno : EPROTO;
    }
    rep->reason[sizeof rep->reason - 1] = '\0';
    return 0;
}

static void
ddp_msg_hdr(struct nic_placement_msg_hdr *h, enum nic_placement_msg_type type,
            size_t len, uint32_t xid)
{
    h->magic = NIC_PLACEMENT_MSG_MAGIC;
    h->version = NIC_PLACEMENT_MSG_VERSION;
    h->type = type;
    h->length = len;
    h->xid = xid;
}

/* Sends request 'm' (with 'fd' if nonnegative) and waits for its reply.
 * Returns 0 with the NIC's answer in '*rep', or an errno of the exchange
 * (with a message in 'errbuf'). */
static int
ddp_request(struct ovs_offload_ddp_ctx *ctx, void *m, size_t len,
            enum nic_placement_msg_type type, int fd,
            struct nic_placement_msg_reply *rep, char *errbuf, size_t size)
{
    int error;

    ddp_msg_hdr(m, type, len, ++ctx->xid);
    error = ddp_send(ctx->ctl, m, len, fd);
    if (!error) {
        error = ddp_recv_reply(ctx->ctl, ctx->xid, rep);
    }
    if (error) {
        return ddp_error(errbuf, size, error, "control socket: %s",
                         strerror(error));
    }
    return 0;
}

static int
ddp_connect_ctl(const char *path, int *ctlp)
{
    struct sockaddr_un sun;
    int ctl;

    if (strlen(path) >= sizeof sun.sun_path) {
        return ENAMETOOLONG;
    }
    ctl = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (ctl < 0) {
        return errno;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    if (connect(ctl, (struct sockaddr *) &sun, sizeof sun)) {
        int error = errno;

        close(ctl);
        return error;
    }
    *ctlp = ctl;
    return 0;
}

int
ovs_offload_ddp_ctx_open(const char *control_path, uint32_t vf,
                         size_t buffer_size,
                         struct ovs_offload_ddp_ctx **ctxp,
                         char *errbuf, size_t errbuf_size)
{
    struct nic_placement_msg_buffer m;
    struct nic_placement_msg_reply rep;
    struct ovs_offload_ddp_ctx *ctx;
    size_t map_size;
    int fd = -1, error;
    void *mem;

    *ctxp = NULL;
    if (buffer_size > SIZE_MAX - NIC_PLACEMENT_SHM_HDR_SIZE) {
        return ddp_error(errbuf, errbuf_size, EINVAL, "buffer too large");
    }
    map_size = NIC_PLACEMENT_SHM_HDR_SIZE + buffer_size;
    error = ddp_make_buffer(map_size, &fd);
    if (error) {
        return ddp_error(errbuf, errbuf_size, error, "memfd: %s",
                         strerror(error));
    }
    mem = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        error = errno;
        close(fd);
        return ddp_error(errbuf, errbuf_size, error, "mmap: %s",
                         strerror(error));
    }
    ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        munmap(mem, map_size);
        close(fd);
        return ddp_error(errbuf, errbuf_size, ENOMEM, "out of memory");
    }
    ctx->vf = vf;
    ctx->hdr = mem;
    ctx->data = (const uint8_t *) mem + NIC_PLACEMENT_SHM_HDR_SIZE;
    ctx->map_size = map_size;
    ctx->data_len = buffer_size;

    /* The header, complete before the NIC can see it. */
    ctx->hdr->magic = NIC_PLACEMENT_SHM_MAGIC;
    ctx->hdr->version = NIC_PLACEMENT_SHM_VERSION;
    ctx->hdr->hdr_size = NIC_PLACEMENT_SHM_HDR_SIZE;
    ctx->hdr->data_len = buffer_size;

    error = ddp_connect_ctl(control_path, &ctx->ctl);
    if (error) {
        ddp_error(errbuf, errbuf_size, error, "%s: %s", control_path,
                  strerror(error));
        goto fail;
    }
    memset(&m, 0, sizeof m);
    m.vf = vf;
    error = ddp_request(ctx, &m, sizeof m, NIC_PLACEMENT_MSG_BUFFER, fd,
                        &rep, errbuf, errbuf_size);
    if (!error && rep.error) {
        error = rep.error;
        ddp_error(errbuf, errbuf_size, error, "NIC refused: %s",
                  rep.reason);
    }
    if (error) {
        close(ctx->ctl);
        goto fail;
    }
    ctx->buffer = rep.id;
    close(fd);
    *ctxp = ctx;
    return 0;

fail:
    munmap(mem, map_size);
    close(fd);
    free(ctx);
    return error;
}

void
ovs_offload_ddp_ctx_close(struct ovs_offload_ddp_ctx *ctx)
{
    if (ctx) {
        /* Closing the control connection is what releases the buffer. */
        close(ctx->ctl);
        munmap(ctx->hdr, ctx->map_size);
        free(ctx);
    }
}

int
ovs_offload_ddp_attach(struct ovs_offload_ddp_ctx *ctx, int sock,
                       const struct sockaddr *peer, socklen_t peer_len,
                       struct ovs_offload_ddp **ddpp,
                       char *errbuf, size_t errbuf_size)
{
    struct nic_placement_msg_attach m;
    struct nic_placement_msg_reply rep;
    struct sockaddr_storage tmp;
    socklen_t tmp_len = sizeof tmp;
    struct ovs_offload_ddp *d;
    int error;

    *ddpp = NULL;
    if (ctx->user) {
        return ddp_error(errbuf, errbuf_size, EBUSY, "the buffer is in use "
                         "by another connection");
    }
    if (!getpeername(sock, (struct sockaddr *) &tmp, &tmp_len)) {
        return ddp_error(errbuf, errbuf_size, EISCONN, "register before "
                         "connect(): the NIC learns the sequence numbers "
                         "from the handshake");
    }
    memset(&m, 0, sizeof m);
    error = ddp_fill_tuple(&m.reg, sock, peer, peer_len, errbuf,
                           errbuf_size);
    if (error) {
        return error;
    }
    m.reg.vf = ctx->vf;
    m.buffer = ctx->buffer;
    d = calloc(1, sizeof *d);
    if (!d) {
        return ddp_error(errbuf, errbuf_size, ENOMEM, "out of memory");
    }

    if (ctx->data_len / 4 <= INT_MAX) {
        /* The kernel doubles it, to half the ring: the receive window and
         * the queue, so what the NIC can place ahead of the application,
         * then stay within the ring, which does not fill. */
        int rcvbuf = ctx->data_len / 4;

        setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }

    /* The application's side of the header, for a new stream; the NIC
     * resets its own side when it takes the registration.  The nonzero
     * request that is new to the NIC arms it at offset 0. */
    atomic_store_explicit(&ctx->hdr->consumed, 0, memory_order_relaxed);
    atomic_store_explicit(&ctx->hdr->arm_offset, 0, memory_order_relaxed);
    if (!++ctx->req) {
        ctx->req++;
    }
    atomic_store_explicit(&ctx->hdr->arm_req, ctx->req,
                          memory_order_release);

    error = ddp_request(ctx, &m, sizeof m, NIC_PLACEMENT_MSG_ATTACH, -1,
                        &rep, errbuf, errbuf_size);
    if (!error && rep.error) {
        error = rep.error;
        ddp_error(errbuf, errbuf_size, error, "NIC refused: %s",
                  rep.reason);
    }
    if (error) {
        free(d);
        return error;
    }
    d->ctx = ctx;
    d->sock = sock;
    d->id = rep.id;
    ctx->user = d;
    *ddpp = d;
    return 0;
}

int
ovs_offload_ddp_open(const char *control_path, uint32_t vf, int sock,
                     const struct sockaddr *peer, socklen_t peer_len,
                     size_t buffer_size, struct ovs_offload_ddp **ddpp,
                     char *errbuf, size_t errbuf_size)
{
    struct ovs_offload_ddp_ctx *ctx;
    struct sockaddr_storage tmp;
    socklen_t tmp_len = sizeof tmp;
    int error;

    *ddpp = NULL;
    if (!getpeername(sock, (struct sockaddr *) &tmp, &tmp_len)) {
        /* Before handing over a buffer for nothing. */
        return ddp_error(errbuf, errbuf_size, EISCONN, "register before "
                         "connect(): the NIC learns the sequence numbers "
                         "from the handshake");
    }
    error = ovs_offload_ddp_ctx_open(control_path, vf, buffer_size, &ctx,
                                     errbuf, errbuf_size);
    if (!error) {
        error = ovs_offload_ddp_attach(ctx, sock, peer, peer_len, ddpp,
                                       errbuf, errbuf_size);
        if (error) {
            ovs_offload_ddp_ctx_close(ctx);
        } else {
            (*ddpp)->own_ctx = true;
        }
    }
    return error;
}

void
ovs_offload_ddp_close(struct ovs_offload_ddp *d)
{
    struct ovs_offload_ddp_ctx *ctx;

    if (!d) {
        return;
    }
    ctx = d->ctx;
    if (atomic_load_explicit(&ctx->hdr->state, memory_order_acquire)
        != NIC_PLACEMENT_SHM_RELEASED && !d->own_ctx) {
        /* The NIC must be done with the buffer before the next connection
         * takes it; closing the control connection (below, for an own
         * context) is as good. */
        struct nic_placement_msg_unregister m;
        struct nic_placement_msg_reply rep;

        memset(&m, 0, sizeof m);
        m.id = d->id;
        /* Released on FIN in the meantime: ENOENT, fine. */
        ddp_request(ctx, &m, sizeof m, NIC_PLACEMENT_MSG_UNREGISTER, -1,
                    &rep, NULL, 0);
    }
    ctx->user = NULL;
    if (d->own_ctx) {
        ovs_offload_ddp_ctx_close(ctx);
    }
    free(d);
}

/* Asks the NIC to place again from stream offset 'offset'. */
static void
ddp_rearm(struct ovs_offload_ddp *d, uint64_t offset)
{
    struct ovs_offload_ddp_ctx *ctx = d->ctx;

    if (!++ctx->req) {
        ctx->req++;
    }
    atomic_store_explicit(&ctx->hdr->arm_offset, offset,
                          memory_order_relaxed);
    atomic_store_explicit(&ctx->hdr->arm_req, ctx->req,
                          memory_order_release);
    d->stats.rearms++;
}

/* Discards from the socket what is there of the next 'n' bytes, which
 * the NIC placed, without waiting for the rest: the NIC places a segment
 * before it delivers it, so some may still be on their way, and waiting
 * for them would be one more sleep and wake-up.  MSG_TRUNC copies
 * nothing; the ring is passed as the buffer anyway ('n' is at most its
 * size), so that a sanitizer that takes recv() to write its return
 * value's worth of bytes sees valid memory.  Returns the number of bytes
 * discarded, 0 if none is there yet, or -1 with errno. */
static ssize_t
ddp_discard(struct ovs_offload_ddp *d, size_t n)
{
    void *p = CONST_CAST_DDP(d->ctx->data);
    ssize_t k;

    do {
        k = recv(d->sock, p, n, MSG_TRUNC | MSG_DONTWAIT);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    if (k == 0) {
        /* The stream ended before bytes the NIC placed: impossible for a
         * well-behaved NIC. */
        errno = EPROTO;
        return -1;
    }
    return k;
}

/* Of two runs, the bytes placed at 'pos' ([start, next)), and the
 * nearest run start beyond 'pos' in '*startp'. */
static uint64_t
ddp_run_at(uint64_t pos, uint64_t start, uint64_t next, uint64_t *startp)
{
    if (pos >= start && pos < next) {
        return next - pos;
    }
    if (pos < start && start < *startp) {
        *startp = start;
    }
    return 0;
}

/* Reads the NIC's side of the header: whether the bytes at 'd->pos' are
 * placed, and how many.  Sets '*startp' to the nearest offset beyond
 * 'd->pos' where placed bytes begin (UINT64_MAX if none), up to which a
 * read from the socket may go. */
static uint64_t
ddp_placed_at_pos(struct ovs_offload_ddp *d, uint64_t *startp,
                  bool *caught_up)
{
    struct nic_placement_shm *h = d->ctx->hdr;
    uint32_t req = d->ctx->req;
    uint64_t start = 0, next = 0, placed;
    uint32_t state, active;

    state = atomic_load_explicit(&h->state, memory_order_acquire);
    active = atomic_load_explicit(&h->active_req, memory_order_acquire);
    if (active == req) {
        /* 'start' is fixed for this request; 'next' only grows. */
        start = atomic_load_explicit(&h->start, memory_order_relaxed);
        next = atomic_load_explicit(&h->next, memory_order_acquire);
    }
    if (state == NIC_PLACEMENT_SHM_STOPPED && active == req) {
        /* The NIC stopped in the run of our latest request (else it has
         * not taken that request yet).  Re-arm at once where it stopped;
         * what it placed before stays in the ring, which the new run
         * never writes over, and is read from there. */
        d->old_start = start;
        d->old_next = next;
        ddp_rearm(d, next > d->pos ? next : d->pos);
        req = d->ctx->req;
        active = 0;
    }
    d->stats.nic_state = state;
    d->stats.stop_reason = atomic_load_explicit(&h->stop_reason,
                                                memory_order_relaxed);
    d->stats.gaps = atomic_load_explicit(&h->n_gaps, memory_order_relaxed);

    /* Everything the running NIC placed is read. */
    *caught_up = (state == NIC_PLACEMENT_SHM_ACTIVE && active == req
                  && d->pos >= next && d->pos >= d->old_next);
    *startp = UINT64_MAX;
    placed = ddp_run_at(d->pos, d->old_start, d->old_next, startp);
    if (!placed && active == req) {
        placed = ddp_run_at(d->pos, start, next, startp);
    }
    return placed;
}

/* Hands out the next placed bytes, which are discarded from the socket
 * already, in place: up to 'len' and the ring's end. */
static ssize_t
ddp_hand_out(struct ovs_offload_ddp *d, size_t len, const void **datap)
{
    const struct ovs_offload_ddp_ctx *ctx = d->ctx;
    uint64_t ofs = d->pos % ctx->data_len;
    uint64_t n = d->discarded - d->pos;

    if (n > len) {
        n = len;
    }
    if (n > ctx->data_len - ofs) {
        n = ctx->data_len - ofs;
    }
    *datap = ctx->data + ofs;
    d->pos += n;
    d->stats.placed_bytes += n;
    return n;
}

ssize_t
ovs_offload_ddp_read(struct ovs_offload_ddp *d, void *buf, size_t len,
                     const void **datap)
{
    uint64_t start, placed;
    bool caught_up;
    size_t limit = len;
    ssize_t n;

    /* What was returned before is read: the NIC may reuse its room. */
    atomic_store_explicit(&d->ctx->hdr->consumed, d->pos,
                          memory_order_release);
    if (d->pos < d->discarded) {
        /* The rest of a run discarded at once: no system call. */
        return ddp_hand_out(d, len, datap);
    }

    placed = ddp_placed_at_pos(d, &start, &caught_up);
    if (caught_up) {
        /* Everything placed is read: arm ahead at this point, so that if
         * the next segment is lost or late while we wait, the NIC starts
         * a new run with the first one after it instead of stopping. */
        d->old_start = d->old_next = 0;
        ddp_rearm(d, d->pos);
    }
    while (placed
           || d->stats.nic_state != NIC_PLACEMENT_SHM_RELEASED) {
        /* (Once released on FIN, nothing more is placed: what is not,
         * including the end, is read from the socket without a wait.) */
        if (placed && !d->drained) {
            /* Discard all of it that has arrived at once, and hand it out
             * from the ring over this call and the next ones. */
            ssize_t k = ddp_discard(d, placed);

            if (k < 0) {
                return -1;
            } else if (k > 0) {
                d->drained = (uint64_t) k < placed;
                d->discarded = d->pos + k;
                return ddp_hand_out(d, len, datap);
            }
        }
        d->drained = false;

        /* Wait for the socket: once bytes are readable, the header says
         * whether they were placed, as the NIC places a segment before it
         * delivers it.  Reading at once instead would take bytes placed
         * in the meantime the slow way. */
        struct pollfd pfd = { .fd = d->sock, .events = POLLIN };

        while (poll(&pfd, 1, -1) < 0) {
            if (errno != EINTR) {
                return -1;
            }
        }
        placed = ddp_placed_at_pos(d, &start, &caught_up);
        if (!placed) {
            break;
        }
    }

    if (start != UINT64_MAX && start - d->pos < limit) {
        /* Only up to where the placed run begins. */
        limit = start - d->pos;
    }
    do {
        n = recv(d->sock, buf, limit, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *datap = buf;
        d->pos += n;
        d->stats.copied_bytes += n;
    }
    return n;
}

uint64_t
ovs_offload_ddp_offset(const struct ovs_offload_ddp *d)
{
    return d->pos;
}

void
ovs_offload_ddp_get_stats(const struct ovs_offload_ddp *d,
                          struct ovs_offload_ddp_stats *st)
{
    *st = d->stats;
}

int
ovs_offload_ddp_set_batch(struct ovs_offload_ddp *d, size_t bytes)
{
    int lowat = bytes > INT_MAX ? INT_MAX : bytes ? (int) bytes : 1;

    return setsockopt(d->sock, SOL_SOCKET, SO_RCVLOWAT, &lowat,
                      sizeof lowat) ? errno : 0;
}
