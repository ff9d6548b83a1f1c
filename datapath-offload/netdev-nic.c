/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdev-nic: OVS netdev class of NIC representor ports.
 *
 *   ovs-vsctl add-port br0 pf0 -- set Interface pf0 type=nicsim \
 *       options:nic=nic0 options:role=uplink [options:uplink=0] \
 *       [options:medium=afpacket:veth0] [options:n_rxq=2]
 *   ovs-vsctl add-port br0 vm1 -- set Interface vm1 type=nicsim \
 *       options:nic=nic0 options:role=vf options:vf=1 options:medium=...
 *
 * What the NIC sends to the host arrives through the port's receive queues
 * (one per NIC receive queue) into dpif-netdev; what OVS sends on the port
 * leaves through the VF's or uplink's medium.  Ports of type TYPE (e.g.
 * "nicsim") are not PMD ports: OVS's main thread polls them, and
 * rxq_wait() wakes it when a queue fills.  Ports of type TYPE-pmd (e.g.
 * "nicsim-pmd", as OVS's own "dummy-pmd") are: dpif-netdev's PMD threads
 * poll their receive queues, with OVS's rx queue scheduling
 * (pmd-rxq-affinity, pmd-rxq-assign) and cycle accounting.
 *
 * A NIC whose DMA to the host is asynchronous gives a packet to the host
 * only once its copy is complete: each receive queue has a completion
 * poller (lib/offload-dma-poll.h) that decides when rxq_recv() reads the
 * NIC's completion index, in the mode, timeout and budget set on the NIC
 * (nic_dma_set_poll()).
 */

#include <config.h>

#include "datapath-offload/netdev-nic.h"

#include <errno.h>
#include <string.h>

#include "dp-packet.h"
#include "hash.h"
#include "lib/nic.h"
#include "lib/offload-dma-poll.h"
#include "netdev-provider.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_nic);

/* The suffix of the type of PMD-polled ports. */
#define NETDEV_NIC_PMD "-pmd"

/* The NIC type of netdev type 'type': itself, less NETDEV_NIC_PMD. */
static char *
netdev_nic_class_nic_type(const char *type)
{
    size_t len = strlen(type), sfx = strlen(NETDEV_NIC_PMD);

    if (len > sfx && !strcmp(type + len - sfx, NETDEV_NIC_PMD)) {
        return xmemdup0(type, len - sfx);
    }
    return xstrdup(type);
}

/* One complete, validated port configuration. */
struct netdev_nic_conf {
    char *nic_name;
    uint32_t port;              /* NIC port number. */
    char *medium;               /* Medium spec, "none" by default. */
    int n_rxq;
};

struct netdev_nic {
    struct netdev up;
    struct ovs_list list_node;  /* In 'netdev_nic_list'. */

    struct ovs_mutex mutex;
    struct nic *nic OVS_GUARDED;            /* NULL until configured. */
    struct netdev_nic_conf conf OVS_GUARDED;
    struct eth_addr mac OVS_GUARDED;
    int mtu OVS_GUARDED;
    enum netdev_flags flags OVS_GUARDED;
    struct netdev_stats stats OVS_GUARDED;

    /* What OVS last read through get_status() and get_carrier(), so that
     * netdev_nic_run() tells it when that changes. */
    uint64_t status_sig OVS_GUARDED;

    /* The DMA completion poller of each receive queue, and the NIC's
     * polling configuration it follows ('dma_poll_seq' the sequence
     * number it was read at).  A queue not 'synced' takes the NIC's
     * indices as they stand at its next receive. */
    struct netdev_nic_dma {
        struct offload_dma_queue q;
        bool synced;
    } dma[NIC_MAX_RXQ] OVS_GUARDED;
    uint64_t dma_poll_seq OVS_GUARDED;

    /* The same for the send ring of a NIC whose copies out of host
     * buffers are asynchronous: what it releases are the host's buffers,
     * freed once their copy is complete.  Deferred, batch N's come back
     * at batch N+1's send, or after the timeout, in netdev_nic_run(). */
    struct netdev_nic_dma dma_tx OVS_GUARDED;
};

/* The NIC counts on its own threads and a medium's link changes under it,
 * but OVS rereads a netdev's status and carrier only when its change
 * sequence moves: netdev_nic_run() looks at every port this often (ms)
 * and moves it when something changed. */
#define NETDEV_NIC_REFRESH_MS 500

static struct ovs_mutex netdev_nic_list_mutex = OVS_MUTEX_INITIALIZER;
static struct ovs_list netdev_nic_list
    OVS_GUARDED_BY(netdev_nic_list_mutex)
    = OVS_LIST_INITIALIZER(&netdev_nic_list);
static long long int netdev_nic_next_refresh;

struct netdev_rxq_nicsim {
    struct netdev_rxq up;
};

static struct netdev_nic *
netdev_nic_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_nic, up);
}

static struct netdev *
netdev_nic_alloc(void)
{
    struct netdev_nic *dev = xzalloc(sizeof *dev);

    return &dev->up;
}

static int
netdev_nic_construct(struct netdev *netdev)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);
    uint32_t h = hash_string(netdev_get_name(netdev), 0);

    ovs_mutex_init(&dev->mutex);
    /* A stable, locally administered address derived from the name. */
    dev->mac = eth_addr_zero;
    dev->mac.ea[0] = 0x02;
    dev->mac.ea[1] = 0x4e;
    dev->mac.ea[2] = h >> 24;
    dev->mac.ea[3] = h >> 16;
    dev->mac.ea[4] = h >> 8;
    dev->mac.ea[5] = h;
    dev->mtu = ETH_PAYLOAD_MAX;
    dev->flags = NETDEV_UP;
    for (size_t q = 0; q < NIC_MAX_RXQ; q++) {
        offload_dma_queue_init(&dev->dma[q].q, NULL);
        dev->dma[q].synced = false;
    }
    offload_dma_queue_init(&dev->dma_tx.q, NULL);
    dev->dma_tx.synced = false;
    dev->dma_poll_seq = UINT64_MAX;
    netdev->n_rxq = 1;
    netdev->n_txq = 1;
    ovs_mutex_lock(&netdev_nic_list_mutex);
    ovs_list_push_back(&netdev_nic_list, &dev->list_node);
    ovs_mutex_unlock(&netdev_nic_list_mutex);
    return 0;
}

static void
netdev_nic_conf_clear(struct netdev_nic_conf *conf)
{
    free(conf->nic_name);
    free(conf->medium);
    memset(conf, 0, sizeof *conf);
}

static void
netdev_nic_unconfigure(struct netdev_nic *dev)
    OVS_REQUIRES(dev->mutex)
{
    if (dev->nic) {
        nic_port_detach(dev->nic, dev->conf.port);
        nic_close(dev->nic);
        dev->nic = NULL;
    }
    netdev_nic_conf_clear(&dev->conf);
}

static void
netdev_nic_destruct(struct netdev *netdev)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&netdev_nic_list_mutex);
    ovs_list_remove(&dev->list_node);
    ovs_mutex_unlock(&netdev_nic_list_mutex);
    ovs_mutex_lock(&dev->mutex);
    netdev_nic_unconfigure(dev);
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_destroy(&dev->mutex);
}

static void
netdev_nic_dealloc(struct netdev *netdev)
{
    free(netdev_nic_cast(netdev));
}

/* Parses and validates 'args' into 'conf'.  Returns NULL or an error
 * message for the Interface's error column (caller frees). */
static char *
netdev_nic_parse_config(const struct smap *args,
                           struct netdev_nic_conf *conf)
{
    const char *nic = smap_get(args, "nic");
    const char *role = smap_get(args, "role");
    const char *medium = smap_get_def(args, "medium", "none");
    const char *n_rxq_s = smap_get_def(args, "n_rxq", "1");
    struct smap_node *node;
    unsigned int idx;
    int n_rxq;

    SMAP_FOR_EACH (node, args) {
        static const char *const known[] = {
            "nic", "role", "vf", "uplink", "medium", "n_rxq",
        };
        bool ok = false;

        for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
            ok = ok || !strcmp(node->key, known[i]);
        }
        if (!ok) {
            return xasprintf("unknown option \"%s\" (known: nic, role, vf, "
                             "uplink, medium, n_rxq)", node->key);
        }
    }
    if (!nic || !nic[0]) {
        return xstrdup("options:nic is required (the NIC's name, "
                       "e.g. nic0)");
    }
    if (!role || (strcmp(role, "uplink") && strcmp(role, "vf"))) {
        return xasprintf("options:role must be \"uplink\" or \"vf\", "
                         "not \"%s\"", role ? role : "");
    }
    /* Only the syntax here: the range depends on the NIC, which
     * netdev_nic_attach() asks. */
    if (!strcmp(role, "vf")) {
        const char *vf = smap_get(args, "vf");

        if (smap_get(args, "uplink")) {
            return xstrdup("options:uplink is only for role=uplink");
        }
        if (!vf || !str_to_uint(vf, 10, &idx) || idx > UINT16_MAX) {
            return xasprintf("options:vf must be a VF index for role=vf, "
                             "not \"%s\"", vf ? vf : "");
        }
        conf->port = NIC_PORT_VF_BASE + idx;
    } else {
        const char *up = smap_get_def(args, "uplink", "0");

        if (smap_get(args, "vf")) {
            return xstrdup("options:vf is only for role=vf");
        }
        if (!str_to_uint(up, 10, &idx) || idx >= NIC_PORT_VF_BASE) {
            return xasprintf("options:uplink must be an uplink index, "
                             "not \"%s\"", up);
        }
        conf->port = idx;
    }
    if (!str_to_int(n_rxq_s, 10, &n_rxq) || n_rxq < 1
        || n_rxq > NIC_MAX_RXQ) {
        return xasprintf("options:n_rxq must be from 1 to %d, not \"%s\"",
                         NIC_MAX_RXQ, n_rxq_s);
    }
    conf->nic_name = xstrdup(nic);
    conf->medium = xstrdup(medium);
    conf->n_rxq = n_rxq;
    return NULL;
}

static bool
netdev_nic_conf_equal(const struct netdev_nic_conf *a,
                         const struct netdev_nic_conf *b)
{
    return (a->nic_name && b->nic_name && !strcmp(a->nic_name, b->nic_name)
            && a->port == b->port && !strcmp(a->medium, b->medium)
            && a->n_rxq == b->n_rxq);
}

/* Attaches to the NIC port of 'conf'.  Returns 0 or an errno, with a
 * message in '*errp'. */
static int
netdev_nic_attach(struct netdev_nic *dev,
                     const struct netdev_nic_conf *conf, struct nic **nicp,
                     char **errp)
{
    struct nic_port_config pc = {
        .port = conf->port, .medium = conf->medium, .n_rxq = conf->n_rxq,
    };
    char *error_s = NULL;
    struct nic_caps caps;
    struct nic *nic;
    int error;

    /* "options:nic=NAME" opens a NIC of the port's own type (e.g.
     * "nicsim", also for "nicsim-pmd"), "TYPE:NAME" one of another
     * backend. */
    char *nic_type = netdev_nic_class_nic_type(netdev_get_type(&dev->up));
    error = nic_open(conf->nic_name, nic_type, &nic);
    free(nic_type);
    if (error) {
        *errp = xasprintf("%s: cannot open NIC %s: %s",
                          netdev_get_name(&dev->up), conf->nic_name,
                          ovs_strerror(error));
        return error;
    }
    nic_get_caps(nic, &caps);
    if (nic_port_is_vf(conf->port)
        ? conf->port - NIC_PORT_VF_BASE >= caps.n_vfs
        : conf->port >= caps.n_uplinks) {
        bool vf = nic_port_is_vf(conf->port);
        uint32_t n = vf ? caps.n_vfs : caps.n_uplinks;

        *errp = xasprintf("%s: options:%s must be from 0 to %"PRIu32" "
                          "(%s has %"PRIu32" %s)", netdev_get_name(&dev->up),
                          vf ? "vf" : "uplink", n - 1, conf->nic_name, n,
                          vf ? "VFs" : "uplinks");
        nic_close(nic);
        return EINVAL;
    }
    error = nic_port_attach(nic, &pc, &error_s);
    if (error) {
        char port[16];

        nic_port_to_string(conf->port, port, sizeof port);
        *errp = xasprintf("%s: cannot attach %s port %s: %s",
                          netdev_get_name(&dev->up), conf->nic_name, port,
                          error_s ? error_s : ovs_strerror(error));
        free(error_s);
        nic_close(nic);
        return error;
    }
    *nicp = nic;
    return 0;
}

static int
netdev_nic_set_config(struct netdev *netdev, const struct smap *args,
                         char **errp)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);
    struct netdev_nic_conf conf;
    struct nic *nic = NULL;
    int error = 0;

    memset(&conf, 0, sizeof conf);
    *errp = netdev_nic_parse_config(args, &conf);
    if (*errp) {
        /* The previous good configuration stays in force. */
        char *msg = xasprintf("%s: %s", netdev_get_name(netdev), *errp);

        /* OVS puts the message in the Interface's error column only. */
        VLOG_WARN("%s", msg);
        free(*errp);
        *errp = msg;
        netdev_nic_conf_clear(&conf);
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    if (netdev_nic_conf_equal(&conf, &dev->conf)) {
        netdev_nic_conf_clear(&conf);
        goto out;
    }
    /* The same NIC port cannot be attached twice, so let go of the old
     * attachment first, and take it back if the new one fails. */
    if (dev->nic) {
        nic_port_detach(dev->nic, dev->conf.port);
    }
    error = netdev_nic_attach(dev, &conf, &nic, errp);
    if (error) {
        VLOG_WARN("%s", *errp);
        netdev_nic_conf_clear(&conf);
        if (dev->nic) {
            struct nic *old;
            char *ignore = NULL;
            struct netdev_nic_conf old_conf = {
                .nic_name = xstrdup(dev->conf.nic_name),
                .port = dev->conf.port,
                .medium = xstrdup(dev->conf.medium),
                .n_rxq = dev->conf.n_rxq,
            };

            if (!netdev_nic_attach(dev, &old_conf, &old, &ignore)) {
                /* Drop the extra reference the re-attach took. */
                nic_close(old);
            } else {
                VLOG_WARN("%s: could not restore previous attachment: %s",
                          netdev_get_name(netdev), ignore);
            }
            free(ignore);
            netdev_nic_conf_clear(&old_conf);
        }
        goto out;
    }
    if (dev->nic) {
        nic_close(dev->nic);
    }
    netdev_nic_conf_clear(&dev->conf);
    dev->nic = nic;
    dev->conf = conf;
    for (size_t q = 0; q < NIC_MAX_RXQ; q++) {
        dev->dma[q].synced = false;
    }
    dev->dma_tx.synced = false;
    dev->dma_poll_seq = UINT64_MAX;
    if (netdev->n_rxq != conf.n_rxq) {
        netdev_request_reconfigure(netdev);
    }
    VLOG_INFO("%s: attached to %s port %s%"PRIu32" (medium %s, %d rxq)",
              netdev_get_name(netdev), conf.nic_name,
              nic_port_is_vf(conf.port) ? "vf" : "uplink",
              nic_port_is_vf(conf.port) ? conf.port - NIC_PORT_VF_BASE
                                        : conf.port,
              conf.medium, conf.n_rxq);
out:
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_nic_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    if (dev->nic) {
        smap_add(args, "nic", dev->conf.nic_name);
        if (nic_port_is_vf(dev->conf.port)) {
            smap_add(args, "role", "vf");
            smap_add_format(args, "vf", "%"PRIu32,
                            dev->conf.port - NIC_PORT_VF_BASE);
        } else {
            smap_add(args, "role", "uplink");
            smap_add_format(args, "uplink", "%"PRIu32, dev->conf.port);
        }
        smap_add(args, "medium", dev->conf.medium);
        smap_add_format(args, "n_rxq", "%d", dev->conf.n_rxq);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_reconfigure(struct netdev *netdev)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    netdev->n_rxq = dev->nic ? dev->conf.n_rxq : 1;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Whether 'dev''s NIC port can carry frames now. */
static bool
netdev_nic_link_up(const struct netdev_nic *dev)
    OVS_REQUIRES(dev->mutex)
{
    bool up = dev->nic != NULL;

    if (up && nic_port_link(dev->nic, dev->conf.port, &up)) {
        up = false;
    }
    return up;
}

/* Reads what get_status() shows; returns a digest of it and of the link
 * state, which changes whenever any of them does. */
static uint64_t
netdev_nic_read_status(const struct netdev_nic *dev,
                          struct nic_port_stats *st, uint64_t *host,
                          uint64_t *drop)
    OVS_REQUIRES(dev->mutex)
{
    *host = *drop = 0;
    memset(st, 0, sizeof *st);
    if (!dev->nic
        || nic_port_stats(dev->nic, dev->conf.port, st)) {
        return 0;
    }
    *host = nic_port_stats_to_host(st);
    *drop = nic_port_stats_dropped(st);
    return hash_2words(hash_2words(st->rx_packets, st->fwd_packets),
                       hash_2words(hash_2words(*host, *drop),
                                   hash_2words(st->rx_errors,
                                               st->tx_packets)))
           ^ (netdev_nic_link_up(dev) ? 0 : UINT64_C(1) << 63);
}

static int
netdev_nic_get_status(const struct netdev *netdev, struct smap *smap)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);
    struct nic_port_stats st;
    uint64_t host, drop;

    ovs_mutex_lock(&dev->mutex);
    dev->status_sig = netdev_nic_read_status(dev, &st, &host, &drop);
    if (dev->nic) {
        smap_add(smap, "nic", dev->conf.nic_name);
        smap_add(smap, "nic_link", netdev_nic_link_up(dev) ? "up"
                                                              : "down");
        smap_add_format(smap, "nic_rx_packets", "%"PRIu64, st.rx_packets);
        smap_add_format(smap, "nic_forwarded", "%"PRIu64, st.fwd_packets);
        smap_add_format(smap, "nic_to_host", "%"PRIu64, host);
        smap_add_format(smap, "nic_dropped", "%"PRIu64, drop);
        smap_add_format(smap, "nic_rx_errors", "%"PRIu64, st.rx_errors);
        smap_add_format(smap, "nic_tx_packets", "%"PRIu64, st.tx_packets);
    } else {
        smap_add(smap, "nic", "(not attached)");
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

struct netdev_nic_dma_read {
    struct nic *nic;
    uint32_t port, queue;
    bool tx;                    /* The send ring, not receive 'queue'. */
};

static uint64_t
netdev_nic_dma_read(void *r_)
{
    struct netdev_nic_dma_read *r = r_;
    uint64_t completed;

    /* On error 0, which the poller does not believe over what it saw. */
    if (r->tx) {
        nic_dma_tx_completed(r->nic, r->port, &completed);
    } else {
        nic_dma_completed(r->nic, r->port, r->queue, &completed);
    }
    return completed;
}

/* Brings every poller of 'dev' to the NIC's polling configuration if it
 * changed.  A mode switch loses nothing: what is outstanding stays so. */
static void
netdev_nic_dma_follow_config(struct netdev_nic *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct offload_dma_poll_config cfg;

    if (nic_dma_poll_seq(dev->nic) == dev->dma_poll_seq) {
        return;
    }
    dev->dma_poll_seq = nic_dma_get_poll(dev->nic, &cfg);
    /* The NIC checked it. */
    for (size_t q = 0; q < NIC_MAX_RXQ; q++) {
        offload_dma_queue_set_config(&dev->dma[q].q, &cfg, NULL);
    }
    offload_dma_queue_set_config(&dev->dma_tx.q, &cfg, NULL);
}

/* Tells poller 'd' what the NIC posted since it last looked, as one
 * batch.  Another host took packets (a queue taken over), a flush took
 * them, or the NIC began afresh: the poller then counts from where the
 * NIC stands. */
static void
netdev_nic_dma_submit(struct netdev_nic_dma *d,
                      const struct nic_dma_queue_state *st,
                      long long int now)
{
    if (!d->synced || st->posted < d->q.submitted
        || st->taken > d->q.released) {
        offload_dma_queue_rebase(&d->q, st->taken);
        d->synced = true;
    }
    if (st->posted > d->q.submitted) {
        offload_dma_queue_submit(&d->q, st->posted - d->q.submitted, now);
    }
}

/* Receives on 'queue' through its completion poller: what the NIC has
 * posted since the last call is a batch, and only what the poller
 * releases, packets whose completion it has read, is taken. */
static int
netdev_nic_dma_recv(struct netdev_nic *dev, uint32_t queue,
                    struct dp_packet **pkts, int max)
    OVS_REQUIRES(dev->mutex)
{
    struct netdev_nic_dma_read r = {
        .nic = dev->nic, .port = dev->conf.port, .queue = queue,
    };
    struct nic_dma_queue_state st;
    long long int now;
    uint32_t n;

    if (queue >= NIC_MAX_RXQ
        || nic_dma_queue_state(dev->nic, dev->conf.port, queue, &st)) {
        return nic_host_recv(dev->nic, dev->conf.port, queue, pkts, max);
    }
    netdev_nic_dma_follow_config(dev);
    now = time_usec();
    netdev_nic_dma_submit(&dev->dma[queue], &st, now);
    n = offload_dma_queue_run(&dev->dma[queue].q, now, max,
                              netdev_nic_dma_read, &r);
    return n ? nic_host_recv(dev->nic, dev->conf.port, queue, pkts, n) : 0;
}

/* Frees the next 'n' host buffers of the send ring, which the poller
 * released: their copy out is complete. */
static void
netdev_nic_dma_tx_free(struct netdev_nic *dev, uint32_t n)
    OVS_REQUIRES(dev->mutex)
{
    while (n) {
        struct dp_packet *bufs[NETDEV_MAX_BURST];
        int got = nic_host_send_reap(dev->nic, dev->conf.port, bufs,
                                     MIN(n, NETDEV_MAX_BURST));

        if (got <= 0) {
            /* A reset flushed them; the poller rebases at its next
             * look. */
            break;
        }
        for (int i = 0; i < got; i++) {
            dp_packet_delete(bufs[i]);
        }
        n -= got;
    }
}

/* Runs the send ring's poller: submits what was posted since it last
 * looked and frees the buffers it releases.  With 'need' > 0, the caller
 * is about to post that many: if the ring lacks the room, polls at once
 * (the deferred schedule must never be why a send is refused).  Returns
 * the room left in the ring for the caller's packets (UINT32_MAX for a
 * NIC without send DMA). */
static uint32_t
netdev_nic_dma_tx_run(struct netdev_nic *dev, uint32_t need)
    OVS_REQUIRES(dev->mutex)
{
    struct netdev_nic_dma_read r = {
        .nic = dev->nic, .port = dev->conf.port, .tx = true,
    };
    struct nic_dma_queue_state st;
    long long int now;
    uint32_t room;

    if (nic_dma_tx_state(dev->nic, dev->conf.port, &st)) {
        return UINT32_MAX;
    }
    netdev_nic_dma_follow_config(dev);
    now = time_usec();
    netdev_nic_dma_submit(&dev->dma_tx, &st, now);
    netdev_nic_dma_tx_free(dev, offload_dma_queue_run(&dev->dma_tx.q, now,
                                                      UINT32_MAX,
                                                      netdev_nic_dma_read,
                                                      &r));
    room = st.size - MIN(st.size, offload_dma_queue_outstanding(
                                      &dev->dma_tx.q));
    if (need > room) {
        uint32_t n = offload_dma_queue_poll_now(&dev->dma_tx.q, now,
                                                UINT32_MAX,
                                                netdev_nic_dma_read, &r);

        netdev_nic_dma_tx_free(dev, n);
        room += n;
    }
    return room;
}

/* Frees the send buffers whose completion the deferred poller reads only
 * after its timeout, when no next send came; then, at most every
 * NETDEV_NIC_REFRESH_MS, moves the change sequence of every port whose
 * status or link changed since OVS last read it. */
static void
netdev_nic_run(const struct netdev_class *class OVS_UNUSED)
{
    bool refresh = time_msec() >= netdev_nic_next_refresh;
    struct netdev_nic *dev;

    if (refresh) {
        netdev_nic_next_refresh = time_msec() + NETDEV_NIC_REFRESH_MS;
    }
    ovs_mutex_lock(&netdev_nic_list_mutex);
    LIST_FOR_EACH (dev, list_node, &netdev_nic_list) {
        struct nic_port_stats st;
        uint64_t host, drop, sig;
        bool changed = false;

        ovs_mutex_lock(&dev->mutex);
        if (dev->nic && dev->dma_tx.synced
            && offload_dma_queue_outstanding(&dev->dma_tx.q)) {
            netdev_nic_dma_tx_run(dev, 0);
        }
        if (refresh) {
            sig = netdev_nic_read_status(dev, &st, &host, &drop);
            changed = sig != dev->status_sig;
            dev->status_sig = sig;
        }
        ovs_mutex_unlock(&dev->mutex);
        if (changed) {
            netdev_change_seq_changed(&dev->up);
        }
    }
    ovs_mutex_unlock(&netdev_nic_list_mutex);
}

/* Arranges for the poll loop to wake when poller 'd''s timeout is due. */
static void
netdev_nic_dma_wait(const struct netdev_nic_dma *d)
{
    if (d->synced && offload_dma_queue_outstanding(&d->q)) {
        long long int now = time_usec();
        long long int next = offload_dma_queue_next_run(&d->q, now);

        /* OVS's poll loop counts in milliseconds: a deadline closer than
         * that is kept by not sleeping at all. */
        if (next - now < 1000) {
            poll_immediate_wake();
        } else if (next != LLONG_MAX) {
            poll_timer_wait_until(next / 1000);
        }
    }
}

static void
netdev_nic_wait(const struct netdev_class *class OVS_UNUSED)
{
    struct netdev_nic *dev;
    bool any;

    ovs_mutex_lock(&netdev_nic_list_mutex);
    any = !ovs_list_is_empty(&netdev_nic_list);
    LIST_FOR_EACH (dev, list_node, &netdev_nic_list) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->nic) {
            netdev_nic_dma_wait(&dev->dma_tx);
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    ovs_mutex_unlock(&netdev_nic_list_mutex);
    if (any) {
        poll_timer_wait_until(netdev_nic_next_refresh);
    }
}

/* Sends through the NIC.  With send DMA, the ring's room is made first
 * (its poller frees what completed); what still finds no room is
 * dropped and counted in tx_dropped: the DMA engine is behind by a whole
 * ring. */
static int
netdev_nic_send(struct netdev *netdev, int qid OVS_UNUSED,
                   struct dp_packet_batch *batch,
                   bool concurrent_txq OVS_UNUSED)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);
    size_t n = dp_packet_batch_size(batch);
    struct dp_packet *pkts[NETDEV_MAX_BURST];
    struct dp_packet *pkt;
    uint64_t bytes = 0;
    size_t i = 0;
    int error = 0;

    DP_PACKET_BATCH_FOR_EACH (j, pkt, batch) {
        pkts[i++] = pkt;
    }
    ovs_mutex_lock(&dev->mutex);
    if (dev->nic) {
        size_t room = netdev_nic_dma_tx_run(dev, n);
        size_t accepted = MIN(n, room);

        for (i = 0; i < accepted; i++) {
            bytes += dp_packet_size(pkts[i]);
        }
        for (i = accepted; i < n; i++) {
            dp_packet_delete(pkts[i]);
        }
        dev->stats.tx_dropped += n - accepted;
        if (accepted) {
            error = nic_host_send(dev->nic, dev->conf.port, pkts, accepted);
            dev->stats.tx_packets += accepted;
            dev->stats.tx_bytes += bytes;
            if (error) {
                dev->stats.tx_dropped++;
            }
            /* This batch is the one the deferred poller waits for to
             * poll the last one's completions. */
            netdev_nic_dma_tx_run(dev, 0);
        }
    } else {
        dp_packet_delete_batch(batch, true);
        dev->stats.tx_dropped += n;
        error = ENODEV;
    }
    ovs_mutex_unlock(&dev->mutex);
    /* The packets now belong to the NIC (or are gone). */
    dp_packet_batch_init(batch);
    return error == ENODEV ? error : 0;
}

static int
netdev_nic_set_etheraddr(struct netdev *netdev, const struct eth_addr mac)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    if (!eth_addr_equals(dev->mac, mac)) {
        dev->mac = mac;
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mac = dev->mac;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mtup = dev->mtu;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    if (mtu < ETH_PAYLOAD_MIN || mtu > 9000) {
        return EINVAL;
    }
    ovs_mutex_lock(&dev->mutex);
    if (dev->mtu != mtu) {
        dev->mtu = mtu;
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_get_stats(const struct netdev *netdev,
                        struct netdev_stats *stats)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);
    struct nic_port_stats st;

    /* netdev_get_stats() set every counter to UINT64_MAX, "not
     * supported", which is what the rest (multicast, collisions, the
     * Ethernet error kinds, size buckets) must stay. */
    ovs_mutex_lock(&dev->mutex);
    stats->rx_packets = dev->stats.rx_packets;
    stats->rx_bytes = dev->stats.rx_bytes;
    stats->tx_packets = dev->stats.tx_packets;
    stats->tx_bytes = dev->stats.tx_bytes;
    stats->tx_dropped = dev->stats.tx_dropped;
    stats->rx_dropped = 0;
    stats->rx_errors = 0;
    stats->tx_errors = 0;
    if (dev->nic
        && !nic_port_stats(dev->nic, dev->conf.port, &st)) {
        uint64_t bad_len = (st.drop[NIC_DROP_RUNT]
                            + st.drop[NIC_DROP_OVERSIZE]);

        /* Packets the NIC meant for the host but could not queue. */
        stats->rx_dropped = (st.drop[NIC_DROP_HOST_QUEUE_FULL]
                             + st.drop[NIC_DROP_NO_REPRESENTOR]);
        /* Runts and frames too long, and what the medium could not
         * deliver at all. */
        stats->rx_errors = st.rx_errors + bad_len;
        stats->tx_errors = st.tx_errors;
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_update_flags(struct netdev *netdev, enum netdev_flags off,
                           enum netdev_flags on, enum netdev_flags *old)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    ovs_mutex_lock(&dev->mutex);
    *old = dev->flags;
    dev->flags = (dev->flags & ~off) | on;
    if (*old != dev->flags) {
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_nic_get_carrier(const struct netdev *netdev, bool *carrier)
{
    struct netdev_nic *dev = netdev_nic_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *carrier = netdev_nic_link_up(dev);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static struct netdev_rxq *
netdev_nic_rxq_alloc(void)
{
    struct netdev_rxq_nicsim *rx = xzalloc(sizeof *rx);

    return &rx->up;
}

static int
netdev_nic_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_nic_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_nic_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(CONTAINER_OF(rxq, struct netdev_rxq_nicsim, up));
}

static int
netdev_nic_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                       int *qfill)
{
    struct netdev_nic *dev = netdev_nic_cast(rxq->netdev);
    struct dp_packet *pkts[NETDEV_MAX_BURST];
    uint64_t bytes = 0;
    int n = 0;

    ovs_mutex_lock(&dev->mutex);
    if (dev->nic) {
        n = netdev_nic_dma_recv(dev, rxq->queue_id, pkts,
                                NETDEV_MAX_BURST);
    }
    dp_packet_batch_init(batch);
    for (int i = 0; i < n; i++) {
        bytes += dp_packet_size(pkts[i]);
        dp_packet_batch_add(batch, pkts[i]);
    }
    dev->stats.rx_packets += n;
    dev->stats.rx_bytes += bytes;
    ovs_mutex_unlock(&dev->mutex);

    if (qfill) {
        *qfill = -ENOTSUP;
    }
    if (!n) {
        return EAGAIN;
    }
    dp_packet_batch_init_packet_fields(batch);
    return 0;
}

static void
netdev_nic_rxq_wait(struct netdev_rxq *rxq)
{
    struct netdev_nic *dev = netdev_nic_cast(rxq->netdev);

    ovs_mutex_lock(&dev->mutex);
    if (dev->nic) {
        const struct netdev_nic_dma *d = (rxq->queue_id < NIC_MAX_RXQ
                                          ? &dev->dma[rxq->queue_id]
                                          : NULL);

        if (d) {
            netdev_nic_dma_wait(d);
        }
        nic_host_recv_wait(dev->nic, dev->conf.port,
                                        rxq->queue_id);
    }
    ovs_mutex_unlock(&dev->mutex);
}

static int
netdev_nic_rxq_drain(struct netdev_rxq *rxq)
{
    struct dp_packet_batch batch;

    while (!netdev_nic_rxq_recv(rxq, &batch, NULL)) {
        dp_packet_delete_batch(&batch, true);
    }
    return 0;
}

bool
netdev_nic_get_port(const struct netdev *netdev, struct nic **nicp,
                       uint32_t *port)
{
    struct netdev_nic *dev;
    bool ok;

    if (netdev->netdev_class->construct != netdev_nic_construct) {
        return false;
    }
    dev = netdev_nic_cast(netdev);
    ovs_mutex_lock(&dev->mutex);
    ok = dev->nic != NULL;
    if (ok) {
        *nicp = dev->nic;
        *port = dev->conf.port;
    }
    ovs_mutex_unlock(&dev->mutex);
    return ok;
}

bool
netdev_nic_ref_port(const struct netdev *netdev, struct nic **nicp,
                       uint32_t *port)
{
    struct netdev_nic *dev;
    bool ok = false;

    if (netdev->netdev_class->construct != netdev_nic_construct) {
        return false;
    }
    dev = netdev_nic_cast(netdev);
    /* Under the device's mutex its own reference keeps the NIC alive, so
     * opening it again by name yields the same NIC. */
    ovs_mutex_lock(&dev->mutex);
    if (dev->nic && !nic_ref(dev->nic, nicp)) {
        ok = *nicp == dev->nic;
        if (!ok) {
            nic_close(*nicp);
        }
        *port = dev->conf.port;
    }
    ovs_mutex_unlock(&dev->mutex);
    return ok;
}

void
netdev_nic_list_ports(struct netdev_nic_port **portsp, size_t *n)
{
    struct netdev_nic_port *ports = NULL;
    size_t allocated = 0;
    struct netdev_nic *dev;

    *n = 0;
    ovs_mutex_lock(&netdev_nic_list_mutex);
    LIST_FOR_EACH (dev, list_node, &netdev_nic_list) {
        struct nic *nic;

        ovs_mutex_lock(&dev->mutex);
        if (dev->nic && !nic_ref(dev->nic, &nic)) {
            if (*n >= allocated) {
                ports = x2nrealloc(ports, &allocated, sizeof *ports);
            }
            ports[*n].name = xstrdup(netdev_get_name(&dev->up));
            ports[*n].nic = nic;
            ports[*n].port = dev->conf.port;
            (*n)++;
        }
        ovs_mutex_unlock(&dev->mutex);
    }
    ovs_mutex_unlock(&netdev_nic_list_mutex);
    *portsp = ports;
}

bool
netdev_nic_dma_poll_stats(const struct nic *nic, uint32_t port,
                          uint32_t queue, struct offload_dma_poll_stats *st)
{
    struct netdev_nic *dev;
    bool found = false;

    memset(st, 0, sizeof *st);
    if (queue >= NIC_MAX_RXQ && queue != NETDEV_NIC_DMA_TX) {
        return false;
    }
    ovs_mutex_lock(&netdev_nic_list_mutex);
    LIST_FOR_EACH (dev, list_node, &netdev_nic_list) {
        ovs_mutex_lock(&dev->mutex);
        if (dev->nic == nic && dev->conf.port == port) {
            *st = (queue == NETDEV_NIC_DMA_TX ? dev->dma_tx.q.stats
                   : dev->dma[queue].q.stats);
            found = true;
        }
        ovs_mutex_unlock(&dev->mutex);
        if (found) {
            break;
        }
    }
    ovs_mutex_unlock(&netdev_nic_list_mutex);
    return found;
}

void
netdev_nic_ports_free(struct netdev_nic_port *ports, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ports[i].name);
        nic_close(ports[i].nic);
    }
    free(ports);
}

static const struct netdev_class netdev_nic_class = {
    .type = "nic",              /* Replaced per NIC type on registration. */
    .is_pmd = false,
    .run = netdev_nic_run,
    .wait = netdev_nic_wait,
    .alloc = netdev_nic_alloc,
    .construct = netdev_nic_construct,
    .destruct = netdev_nic_destruct,
    .dealloc = netdev_nic_dealloc,
    .get_config = netdev_nic_get_config,
    .set_config = netdev_nic_set_config,
    .reconfigure = netdev_nic_reconfigure,
    .get_status = netdev_nic_get_status,
    .send = netdev_nic_send,
    .set_etheraddr = netdev_nic_set_etheraddr,
    .get_etheraddr = netdev_nic_get_etheraddr,
    .get_mtu = netdev_nic_get_mtu,
    .set_mtu = netdev_nic_set_mtu,
    .get_carrier = netdev_nic_get_carrier,
    .get_stats = netdev_nic_get_stats,
    .update_flags = netdev_nic_update_flags,
    .rxq_alloc = netdev_nic_rxq_alloc,
    .rxq_construct = netdev_nic_rxq_construct,
    .rxq_destruct = netdev_nic_rxq_destruct,
    .rxq_dealloc = netdev_nic_rxq_dealloc,
    .rxq_recv = netdev_nic_rxq_recv,
    .rxq_wait = netdev_nic_rxq_wait,
    .rxq_drain = netdev_nic_rxq_drain,
};

/* Registers the netdev classes of the ports of NICs of 'nic_type' (a type
 * registered with nic_class_register()): one under the same name, the
 * Interface type users configure, e.g. "nicsim", polled by OVS's main
 * thread, and one named TYPE-pmd whose receive queues OVS's PMD threads
 * poll. */
void
netdev_nic_register(const char *nic_type)
{
    for (int pmd = 0; pmd < 2; pmd++) {
        struct netdev_class *class = xmemdup(&netdev_nic_class,
                                             sizeof netdev_nic_class);

        class->type = (pmd ? xasprintf("%s%s", nic_type, NETDEV_NIC_PMD)
                       : xstrdup(nic_type));
        class->is_pmd = pmd;
        netdev_register_provider(class);
    }
}

bool
netdev_nic_is_port(const struct netdev *netdev)
{
    return netdev->netdev_class->construct == netdev_nic_construct;
}
