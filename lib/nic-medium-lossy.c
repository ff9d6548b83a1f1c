/* SPDX-License-Identifier: Apache-2.0 */
/* The "lossy" medium, for tests and benchmarks: another medium whose
 * received TCP data frames are, one in EVERY, lost or delivered late (after
 * the frame that follows), as a real wire or a netem qdisc would do.
 *
 *   lossy:EVERY/MODE/INNER     MODE is "drop" or "reorder"; INNER is any
 *                              medium spec, e.g. afpacket:veth0
 *
 * A lost frame is counted as an rx error of the medium, so that it never
 * enters the NIC's conservation sums. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "lib/nic-medium-provider.h"
#include "lib/nic-parse.h"
#include "util.h"

#define LOSSY_MAX 64

struct nic_lossy {
    struct nic_medium up;
    struct nic_medium *inner;
    uint32_t every;
    bool reorder;
    uint64_t n_data;                /* TCP data frames seen. */
    struct dp_packet *held;         /* Reordering: the late frame. */
};

static struct nic_lossy *
nic_lossy_cast(const struct nic_medium *m)
{
    return CONTAINER_OF(m, struct nic_lossy, up);
}

static int
nic_lossy_open(const char *spec, const char *arg, struct nic_medium **mp,
               char **errorp)
{
    struct nic_lossy *l = xzalloc(sizeof *l);
    const char *s1 = strchr(arg, '/');
    const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    char *end;

    nic_medium_init(&l->up, &nic_medium_lossy_class, spec);
    *mp = &l->up;
    l->every = s1 ? strtoul(arg, &end, 10) : 0;
    if (!s2 || end != s1 || !l->every || l->every > 1000000) {
        return nic_medium_error(errorp, EINVAL, "%s: use lossy:EVERY/MODE/"
                                "MEDIUM with EVERY from 1 to 1000000", spec);
    }
    if (!strncmp(s1 + 1, "reorder/", 8)) {
        l->reorder = true;
    } else if (strncmp(s1 + 1, "drop/", 5)) {
        return nic_medium_error(errorp, EINVAL, "%s: MODE must be drop or "
                                "reorder", spec);
    }
    return nic_medium_open(s2 + 1, &l->inner, errorp);
}

static void
nic_lossy_close(struct nic_medium *m)
{
    struct nic_lossy *l = nic_lossy_cast(m);

    nic_medium_close(l->inner);
    dp_packet_delete(l->held);
    free(l);
}

static bool
nic_lossy_is_tcp_data(const struct dp_packet *pkt)
{
    struct nic_parse_offsets ofs;
    struct nic_flow_key key;
    const uint8_t *frame = dp_packet_data(pkt);
    size_t len = dp_packet_size(pkt);

    if (len > UINT16_MAX
        || nic_parse(frame, len, 0, &key, &ofs) != NIC_PARSE_OK
        || key.nw_proto != 6 || ofs.l4 == UINT16_MAX
        || ofs.l4 + 20 > ofs.l3_end || ofs.l3_end > len) {
        return false;
    }
    return ofs.l3_end > ofs.l4 + (frame[ofs.l4 + 12] >> 4) * 4;
}

static int
nic_lossy_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    struct nic_lossy *l = nic_lossy_cast(m);
    struct dp_packet *in[LOSSY_MAX];
    int n, k = 0;

    max = MIN(max, LOSSY_MAX);
    /* Room for the held frame, which goes out after the next one. */
    n = nic_medium_recv(l->inner, in, l->held ? max - 1 : max);
    for (int i = 0; i < n; i++) {
        struct dp_packet *pkt = in[i];

        if (nic_lossy_is_tcp_data(pkt) && !(++l->n_data % l->every)) {
            if (!l->reorder) {
                m->stats.rx_errors++;
                dp_packet_delete(pkt);
                continue;
            }
            if (!l->held) {
                l->held = pkt;
                continue;
            }
        }
        pkts[k++] = pkt;
        if (l->held && pkt != l->held) {
            pkts[k++] = l->held;
            l->held = NULL;
        }
    }
    return k;
}

static int
nic_lossy_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    return nic_medium_send(nic_lossy_cast(m)->inner, pkt);
}

static int
nic_lossy_send_batch(struct nic_medium *m, struct dp_packet **pkts, int n,
                     uint64_t *bytes)
{
    return nic_medium_send_batch(nic_lossy_cast(m)->inner, pkts, n, bytes);
}

static void
nic_lossy_run(struct nic_medium *m)
{
    nic_medium_run(nic_lossy_cast(m)->inner);
}

static void
nic_lossy_wait(struct nic_medium *m)
{
    nic_medium_wait(nic_lossy_cast(m)->inner);
}

static bool
nic_lossy_link_up(const struct nic_medium *m)
{
    return nic_medium_link_up(nic_lossy_cast(m)->inner);
}

static void
nic_lossy_get_stats(const struct nic_medium *m, struct nic_medium_stats *st)
{
    struct nic_medium_stats inner;

    nic_medium_get_stats(nic_lossy_cast(m)->inner, &inner);
    st->rx_errors += inner.rx_errors;
    st->tx_errors += inner.tx_errors;
}

const struct nic_medium_class nic_medium_lossy_class = {
    .name = "lossy",
    .takes_arg = true,
    .open = nic_lossy_open,
    .close = nic_lossy_close,
    .recv = nic_lossy_recv,
    .send = nic_lossy_send,
    .send_batch = nic_lossy_send_batch,
    .run = nic_lossy_run,
    .wait = nic_lossy_wait,
    .link_up = nic_lossy_link_up,
    .get_stats = nic_lossy_get_stats,
};
