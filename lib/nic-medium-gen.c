/* SPDX-License-Identifier: Apache-2.0 */
/* The "gen:N,LEN[,PPS[,E]]" medium: an in-memory generator of UDP frames
 * over N flows (E percent of them flow 0, an elephant, the rest the other
 * flows in turn), for benchmarks; what it is sent is discarded. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic-medium-provider.h"
#include "lib/nic-pktpool.h"
#include "openvswitch/poll-loop.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

/* Limits of the generator: its flows differ in the low 24 bits of the
 * destination address, and its rate times the milliseconds of a run must
 * fit in 64 bits. */
#define NIC_GEN_MAX_FLOWS (1u << 24)
#define NIC_GEN_MAX_PPS 100000000u

struct nic_gen {
    struct nic_medium up;
    uint32_t n_flows;
    uint32_t next;              /* Flow of the next frame, modulo n_flows. */
    uint32_t len;
    uint64_t pps;               /* 0: as fast as the engine takes. */
    unsigned int elephant;      /* Percent of frames of flow 0, 0: even. */
    unsigned int credit;        /* Elephant's share so far, in percent. */
    long long int start;        /* ms, when the rate started. */
    uint64_t sent;
    uint8_t *template;
    /* IP checksum sum of the template's header but its destination
     * address (the last 4 of its 20 bytes): each frame adds its own. */
    uint32_t ip_partial;
};

static struct nic_gen *
nic_gen_cast(const struct nic_medium *m)
{
    ovs_assert(m->class == &nic_medium_gen_class);
    return CONTAINER_OF(m, struct nic_gen, up);
}

/* Parses one unsigned decimal field of a "gen" spec: digits only (no sign,
 * no spaces, nothing after), from 'min' to 'max'. */
static bool
nic_gen_field(const char *s, unsigned int min, unsigned int max,
              unsigned int *value)
{
    return (s && s[0] && strspn(s, "0123456789") == strlen(s)
            && str_to_uint(s, 10, value) && *value >= min && *value <= max);
}

/* Builds the generator's frame template once; each frame is a copy with
 * its flow's destination address and IP checksum patched in. */
static void
nic_gen_init_template(struct nic_gen *g)
{
    uint8_t *p = g->template = xzalloc(g->len);
    ovs_be16 v16;

    memcpy(p, "\x50\x54\x00\x00\x00\x02\x50\x54\x00\x00\x00\x01"
           "\x08\x00\x45\x00", 16);
    v16 = htons(g->len - ETH_HEADER_LEN);
    memcpy(p + 16, &v16, 2);
    p[22] = 64;
    p[23] = IPPROTO_UDP;
    memcpy(p + 26, "\x0a\x00\x00\x01", 4);
    memcpy(p + 34, "\x03\xe8\x07\xd0", 4);  /* 1000 -> 2000 */
    v16 = htons(g->len - 34);
    memcpy(p + 38, &v16, 2);
    g->ip_partial = csum_continue(0, p + 14, 16);
}

static int
nic_gen_open(const char *spec, const char *arg, struct nic_medium **mp,
             char **errorp)
{
    struct nic_gen *g = xzalloc(sizeof *g);
    char *copy = xstrdup(arg);
    char *fields[5] = { NULL, NULL, NULL, NULL, NULL };
    unsigned int n, len, pps = 0, elephant = 0;
    int n_fields = 0;
    bool ok;

    nic_medium_init(&g->up, &nic_medium_gen_class, spec);
    *mp = &g->up;

    /* Split at every comma, so that an empty field is seen as one. */
    for (char *p = copy; n_fields < 5; n_fields++) {
        fields[n_fields] = p;
        p = strchr(p, ',');
        if (!p) {
            n_fields++;
            break;
        }
        *p++ = '\0';
    }
    ok = ((n_fields >= 2 && n_fields <= 4)
          && nic_gen_field(fields[0], 1, NIC_GEN_MAX_FLOWS, &n)
          && nic_gen_field(fields[1], 60, 9000, &len)
          && (n_fields == 2
              || nic_gen_field(fields[2], 1, NIC_GEN_MAX_PPS, &pps)));
    bool elephant_ok = (!ok || n_fields < 4
                        || (nic_gen_field(fields[3], 0, 100, &elephant)
                            && (n > 1 || !elephant)));
    free(copy);
    if (!elephant_ok) {
        return nic_medium_error(errorp, EINVAL, "gen's elephant share "
                                "(N,LEN,PPS,E) wants 0 <= E <= 100 percent "
                                "and N >= 2 flows with E > 0, not \"%s\"",
                                arg);
    }
    if (!ok) {
        return nic_medium_error(errorp, EINVAL, "gen wants N,LEN[,PPS] with "
                                "1 <= N <= %u, 60 <= LEN <= 9000 and "
                                "1 <= PPS <= %u, all decimal, not \"%s\"",
                                NIC_GEN_MAX_FLOWS, NIC_GEN_MAX_PPS, arg);
    }
    g->n_flows = n;
    g->len = len;
    g->pps = pps;
    g->elephant = elephant;
    g->start = time_msec();
    nic_gen_init_template(g);
    return 0;
}

static void
nic_gen_close(struct nic_medium *m)
{
    struct nic_gen *g = nic_gen_cast(m);

    free(g->template);
    free(g);
}

/* How many frames a rate-limited generator may emit now. */
static int
nic_gen_allowed(const struct nic_gen *g, int max)
{
    if (!g->pps) {
        return max;
    }
    uint64_t due = (time_msec() - g->start) * g->pps / 1000;
    return due > g->sent ? MIN(max, due - g->sent) : 0;
}

static int
nic_gen_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    struct nic_gen *g = nic_gen_cast(m);

    max = nic_gen_allowed(g, max);
    g->sent += max;
    for (int i = 0; i < max; i++) {
        uint32_t flow;

        g->credit += g->elephant;
        if (g->credit >= 100) {
            g->credit -= 100;
            flow = 0;
        } else if (g->elephant) {
            flow = 1 + g->next++ % (g->n_flows - 1);
        } else {
            flow = g->next++ % g->n_flows;
        }
        struct dp_packet *pkt = nic_pktpool_clone_data(g->template, g->len,
                                                       64);
        uint8_t *p = dp_packet_data(pkt);
        ovs_be32 dst = htonl(0x0b000000 + flow);
        ovs_be16 v16;

        memcpy(p + 30, &dst, 4);
        /* The same sum as csum(p + 14, 20), in two parts. */
        v16 = csum_finish(csum_continue(g->ip_partial, p + 30, 4));
        memcpy(p + 24, &v16, 2);
        pkts[i] = pkt;
    }
    return max;
}

/* Wakes when the next frame is due: at once without a rate. */
static void
nic_gen_wait(struct nic_medium *m)
{
    struct nic_gen *g = nic_gen_cast(m);

    if (g->pps && !nic_gen_allowed(g, 1)) {
        poll_timer_wait(1);
    } else {
        poll_immediate_wake();
    }
}

const struct nic_medium_class nic_medium_gen_class = {
    .name = "gen",
    .takes_arg = true,
    .open = nic_gen_open,
    .close = nic_gen_close,
    .recv = nic_gen_recv,
    .wait = nic_gen_wait,
};

uint32_t
nic_medium_gen_n_flows(const struct nic_medium *m)
{
    return m->class == &nic_medium_gen_class ? nic_gen_cast(m)->n_flows : 0;
}
