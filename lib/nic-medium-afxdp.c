/* SPDX-License-Identifier: Apache-2.0 */
/* The "afxdp:IFNAME" medium: a Linux interface through an AF_XDP socket
 * (lib/nic-xsk.c, the XDP backend's socket code) on its queue 0, with
 * libxdp's program sending every frame of that queue to it; zero-copy
 * where the driver has it. */
#include <config.h>

#include <errno.h>
#include <net/if.h>
#include <poll.h>

#include "dp-packet.h"
#include "lib/nic-medium-provider.h"
#include "lib/nic-xsk.h"
#include "openvswitch/poll-loop.h"
#include "util.h"

struct nic_afxdp {
    struct nic_medium up;
    struct nic_xsk *xsk;
};

static struct nic_afxdp *
nic_afxdp_cast(const struct nic_medium *m)
{
    ovs_assert(m->class == &nic_medium_afxdp_class);
    return CONTAINER_OF(m, struct nic_afxdp, up);
}

static int
nic_afxdp_open(const char *spec, const char *ifname,
               struct nic_medium **mp, char **errorp)
{
    struct nic_afxdp *a = xzalloc(sizeof *a);
    struct nic_xsk_config cfg = {
        .ifname = ifname,
        .queue = 0,
        .xdp_flags = 0,         /* Native XDP where the driver has it. */
        .load_prog = true,
        /* All of a port's traffic goes through it: 32 MiB of frames.  With
         * 2048 a VM's iperf3 overran the fill ring on the loaded 2-core
         * host, each loss a TCP retransmission. */
        .n_frames = 4 * NIC_XSK_DEFAULT_FRAMES,
    };
    char *claim;
    bool claimed;
    int error;

    nic_medium_init(&a->up, &nic_medium_afxdp_class, spec);
    *mp = &a->up;
    if (!if_nametoindex(ifname)) {
        return nic_medium_error(errorp, ENODEV, "no interface %s", ifname);
    }
    /* The key an afpacket medium on the interface holds: one reader. */
    claim = xasprintf("afpacket:%s", ifname);
    claimed = nic_medium_claim(&a->up, claim);
    free(claim);
    if (!claimed) {
        return nic_medium_error(errorp, EBUSY, "interface %s is already "
                                "the medium of another port", ifname);
    }
    error = nic_xsk_create(&cfg, &a->xsk, errorp);
    if (!error) {
        nic_medium_log(VLL_INFO, NULL, "%s: AF_XDP on queue 0, %s", spec,
                       nic_xsk_zerocopy(a->xsk) ? "zero-copy" : "copy mode");
    }
    return error;
}

static void
nic_afxdp_close(struct nic_medium *m)
{
    struct nic_afxdp *a = nic_afxdp_cast(m);

    nic_xsk_destroy(a->xsk);
    free(a);
}

static int
nic_afxdp_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    return nic_xsk_recv(nic_afxdp_cast(m)->xsk, pkts, max);
}

static int
nic_afxdp_send_batch(struct nic_medium *m, struct dp_packet **pkts, int n,
                     uint64_t *bytes)
{
    struct nic_afxdp *a = nic_afxdp_cast(m);
    int sent = 0;

    *bytes = 0;
    /* The TX ring takes what it has free frames for; a full ring drops
     * the rest, as a NIC's full TX ring does. */
    while (sent < n) {
        int k = nic_xsk_send(a->xsk, pkts + sent, n - sent);

        if (k <= 0) {
            break;
        }
        for (int i = sent; i < sent + k; i++) {
            *bytes += dp_packet_size(pkts[i]);
        }
        sent += k;
    }
    m->stats.tx_errors += n - sent;
    return sent;
}

static int
nic_afxdp_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    struct dp_packet *p = CONST_CAST(struct dp_packet *, pkt);
    uint64_t bytes;

    return nic_afxdp_send_batch(m, &p, 1, &bytes) ? 0 : ENOBUFS;
}

static void
nic_afxdp_wait(struct nic_medium *m)
{
    poll_fd_wait(nic_xsk_fd(nic_afxdp_cast(m)->xsk), POLLIN);
}

static void
nic_afxdp_get_stats(const struct nic_medium *m,
                    struct nic_medium_stats *stats)
{
    uint64_t rx_dropped, tx_invalid;

    nic_xsk_get_drops(nic_afxdp_cast(m)->xsk, &rx_dropped, &tx_invalid);
    stats->rx_errors += rx_dropped;
    stats->tx_errors += tx_invalid;
}

const struct nic_medium_class nic_medium_afxdp_class = {
    .name = "afxdp",
    .takes_arg = true,
    .open = nic_afxdp_open,
    .close = nic_afxdp_close,
    .recv = nic_afxdp_recv,
    .send = nic_afxdp_send,
    .send_batch = nic_afxdp_send_batch,
    .wait = nic_afxdp_wait,
    .get_stats = nic_afxdp_get_stats,
};
