/* SPDX-License-Identifier: Apache-2.0 */
/* AF_XDP sockets (lib/nic-xsk.h): a UMEM per socket, half of its frames
 * on the fill ring, half for sending. */
#include <config.h>

#include "lib/nic-xsk.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nic-pktpool.h"
#include "ovs-thread.h"
#include "util.h"

#define NIC_XSK_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE

struct nic_xsk {
    /* The XDP backend's representor may send from several threads at
     * once. */
    struct ovs_mutex mutex;
    void *buf;
    struct xsk_umem *umem;
    struct xsk_socket *xsk;
    struct xsk_ring_prod fq, tx;
    struct xsk_ring_cons cq, rx;
    uint64_t *tx_free;          /* Free TX frame addresses. */
    uint32_t n_tx_free;
    uint32_t ring_size;         /* Of every ring: half the frames. */
    bool zerocopy;
};

void
nic_xsk_destroy(struct nic_xsk *s)
{
    if (s) {
        xsk_socket__delete(s->xsk);
        xsk_umem__delete(s->umem);
        free_pagealign(s->buf);
        free(s->tx_free);
        ovs_mutex_destroy(&s->mutex);
        free(s);
    }
}

int
nic_xsk_create(const struct nic_xsk_config *c, struct nic_xsk **sp,
               char **errorp)
{
    uint32_t n_frames = c->n_frames ? c->n_frames : NIC_XSK_DEFAULT_FRAMES;
    uint32_t ring = n_frames / 2;
    /* Neither XDP_COPY nor XDP_ZEROCOPY: the kernel gives zero-copy where
     * the driver has it, copy mode otherwise. */
    struct xsk_socket_config cfg = {
        .rx_size = ring,
        .tx_size = ring,
        .libxdp_flags = c->load_prog ? 0 : XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .xdp_flags = c->xdp_flags,
        .bind_flags = XDP_USE_NEED_WAKEUP,
    };
    /* Each ring holds every frame that can be on it, so that neither the
     * fill nor the completion ring can run out of room. */
    struct xsk_umem_config ucfg = {
        .fill_size = ring,
        .comp_size = ring,
        .frame_size = NIC_XSK_FRAME_SIZE,
        .frame_headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM,
        .flags = 0,
    };
    struct nic_xsk *s = xzalloc(sizeof *s);
    struct xdp_options opts;
    socklen_t optlen = sizeof opts;
    uint32_t idx;
    int error;

    *sp = NULL;
    ovs_mutex_init(&s->mutex);
    if (n_frames < 64 || n_frames & (n_frames - 1)) {
        *errorp = xasprintf("%s: %"PRIu32" AF_XDP frames: not a power of 2 "
                            "from 64", c->ifname, n_frames);
        error = EINVAL;
        goto fail;
    }
    s->ring_size = ring;
    s->buf = xmalloc_pagealign((size_t) n_frames * NIC_XSK_FRAME_SIZE);
    error = -xsk_umem__create(&s->umem, s->buf,
                              (uint64_t) n_frames * NIC_XSK_FRAME_SIZE,
                              &s->fq, &s->cq, &ucfg);
    if (error) {
        *errorp = xasprintf("%s: cannot create AF_XDP memory: %s",
                            c->ifname, ovs_strerror(error));
        goto fail;
    }
    error = -xsk_socket__create(&s->xsk, c->ifname, c->queue, s->umem,
                                &s->rx, &s->tx, &cfg);
    if (error) {
        *errorp = xasprintf("%s: cannot open an AF_XDP socket on queue "
                            "%"PRIu32": %s", c->ifname, c->queue,
                            ovs_strerror(error));
        goto fail;
    }
    if (!getsockopt(xsk_socket__fd(s->xsk), SOL_XDP, XDP_OPTIONS, &opts,
                    &optlen)) {
        s->zerocopy = (opts.flags & XDP_OPTIONS_ZEROCOPY) != 0;
    }
    if (xsk_ring_prod__reserve(&s->fq, ring, &idx) != ring) {
        error = ENOBUFS;
        *errorp = xasprintf("%s: AF_XDP fill ring too small", c->ifname);
        goto fail;
    }
    for (uint32_t i = 0; i < ring; i++) {
        *xsk_ring_prod__fill_addr(&s->fq, idx + i) = (uint64_t) i
                                                     * NIC_XSK_FRAME_SIZE;
    }
    xsk_ring_prod__submit(&s->fq, ring);
    s->tx_free = xmalloc((n_frames - ring) * sizeof *s->tx_free);
    for (uint32_t i = ring; i < n_frames; i++) {
        s->tx_free[s->n_tx_free++] = (uint64_t) i * NIC_XSK_FRAME_SIZE;
    }
    *sp = s;
    return 0;

fail:
    nic_xsk_destroy(s);
    return error;
}

int
nic_xsk_recv(struct nic_xsk *s, struct dp_packet **pkts, int max)
{
    uint32_t idx_rx, idx_fq;
    int n;

    ovs_mutex_lock(&s->mutex);
    n = xsk_ring_cons__peek(&s->rx, max, &idx_rx);
    if (!n) {
        if (xsk_ring_prod__needs_wakeup(&s->fq)) {
            recvfrom(xsk_socket__fd(s->xsk), NULL, 0, MSG_DONTWAIT, NULL,
                     NULL);
        }
        ovs_mutex_unlock(&s->mutex);
        return 0;
    }
    /* The fill ring has room for every frame taken: it holds all of
     * them. */
    while (xsk_ring_prod__reserve(&s->fq, n, &idx_fq) != n) {
        continue;
    }
    for (int i = 0; i < n; i++) {
        const struct xdp_desc *d = xsk_ring_cons__rx_desc(&s->rx, idx_rx + i);
        uint64_t addr = xsk_umem__extract_addr(d->addr);

        pkts[i] = nic_pktpool_clone_data(
            xsk_umem__get_data(s->buf, xsk_umem__add_offset_to_addr(d->addr)),
            d->len, NIC_FRAME_HEADROOM);
        *xsk_ring_prod__fill_addr(&s->fq, idx_fq + i) = addr;
    }
    xsk_ring_cons__release(&s->rx, n);
    xsk_ring_prod__submit(&s->fq, n);
    ovs_mutex_unlock(&s->mutex);
    return n;
}

int
nic_xsk_send(struct nic_xsk *s, struct dp_packet **pkts, int n)
{
    uint32_t idx_cq, idx_tx, done;
    int sent = 0;

    ovs_mutex_lock(&s->mutex);
    done = xsk_ring_cons__peek(&s->cq, s->ring_size, &idx_cq);
    for (uint32_t i = 0; i < done; i++) {
        s->tx_free[s->n_tx_free++] = *xsk_ring_cons__comp_addr(&s->cq,
                                                               idx_cq + i);
    }
    xsk_ring_cons__release(&s->cq, done);

    n = MIN(n, (int) s->n_tx_free);
    if (n && xsk_ring_prod__reserve(&s->tx, n, &idx_tx) == n) {
        for (int i = 0; i < n; i++) {
            struct xdp_desc *d = xsk_ring_prod__tx_desc(&s->tx, idx_tx + i);
            size_t len = dp_packet_size(pkts[i]);

            if (len > NIC_XSK_FRAME_SIZE - XDP_PACKET_HEADROOM) {
                len = 0;        /* Sent empty: the kernel refuses it. */
            }
            d->addr = s->tx_free[--s->n_tx_free];
            d->len = len;
            memcpy(xsk_umem__get_data(s->buf, d->addr),
                   dp_packet_data(pkts[i]), len);
            sent += len > 0;
        }
        xsk_ring_prod__submit(&s->tx, n);
        sendto(xsk_socket__fd(s->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
    }
    ovs_mutex_unlock(&s->mutex);
    return sent;
}

int
nic_xsk_fd(const struct nic_xsk *s)
{
    return xsk_socket__fd(s->xsk);
}

bool
nic_xsk_zerocopy(const struct nic_xsk *s)
{
    return s->zerocopy;
}

void
nic_xsk_get_drops(const struct nic_xsk *s, uint64_t *rx_dropped,
                  uint64_t *tx_invalid)
{
    struct xdp_statistics st;
    socklen_t len = sizeof st;

    *rx_dropped = *tx_invalid = 0;
    if (!getsockopt(xsk_socket__fd(s->xsk), SOL_XDP, XDP_STATISTICS, &st,
                    &len)) {
        *rx_dropped = st.rx_dropped + st.rx_invalid_descs
                      + st.rx_ring_full + st.rx_fill_ring_empty_descs;
        *tx_invalid = st.tx_invalid_descs;
    }
}
