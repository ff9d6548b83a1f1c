/* SPDX-License-Identifier: Apache-2.0 */
/* The XDP NIC backend: struct nic_class "xdp", whose pipeline is the eBPF
 * program of lib/nic-xdp.bpf.c run by the kernel at XDP on each port's
 * Linux interface, with rule tables in BPF maps and packets for the host
 * on AF_XDP sockets. */
#include <config.h>

#include "lib/nic-xdp.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "dp-packet.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "hash.h"
#include "lib/nic-media.h"
#include "lib/nic-provider.h"
#include "lib/nic-xdp-abi.h"
#include "lib/nic-xsk.h"
#include "ovs-thread.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nic_xdp);

/* The program and the model must agree on the key layout and on the
 * counter indices. */
#define NIC_XDP_SAME_FIELD(F)                                           \
    BUILD_ASSERT_DECL(offsetof(struct nic_flow_key, F)                  \
                      == offsetof(struct nic_xdp_key, F))
NIC_XDP_SAME_FIELD(in_port);
NIC_XDP_SAME_FIELD(tun_vni);
NIC_XDP_SAME_FIELD(dl_dst);
NIC_XDP_SAME_FIELD(dl_src);
NIC_XDP_SAME_FIELD(dl_type);
NIC_XDP_SAME_FIELD(tun_type);
NIC_XDP_SAME_FIELD(vlan_tci);
NIC_XDP_SAME_FIELD(nw_proto);
NIC_XDP_SAME_FIELD(nw_tos);
NIC_XDP_SAME_FIELD(nw_ttl);
NIC_XDP_SAME_FIELD(nw_frag);
NIC_XDP_SAME_FIELD(nw_src);
NIC_XDP_SAME_FIELD(nw_dst);
NIC_XDP_SAME_FIELD(tp_src);
NIC_XDP_SAME_FIELD(tp_dst);
NIC_XDP_SAME_FIELD(tcp_flags);
NIC_XDP_SAME_FIELD(vlan_tpid);
BUILD_ASSERT_DECL(offsetof(struct nic_flow_key, tun_src)
                  == offsetof(struct nic_xdp_key, tun_md));
BUILD_ASSERT_DECL(sizeof(struct nic_flow_key) == sizeof(struct nic_xdp_key));
BUILD_ASSERT_DECL(NIC_XDP_HOST_MISS == NIC_HOST_MISS);
BUILD_ASSERT_DECL(NIC_XDP_HOST_RULE == NIC_HOST_RULE);
BUILD_ASSERT_DECL(NIC_XDP_HOST_PARSE == NIC_HOST_PARSE);
BUILD_ASSERT_DECL(NIC_XDP_N_HOST == NIC_N_HOST_REASONS);
BUILD_ASSERT_DECL(NIC_XDP_DROP_RUNT == NIC_DROP_RUNT);
BUILD_ASSERT_DECL(NIC_XDP_DROP_RULE == NIC_DROP_RULE);
BUILD_ASSERT_DECL(NIC_XDP_DROP_ACTION == NIC_DROP_ACTION);
BUILD_ASSERT_DECL(NIC_XDP_DROP_NO_PORT == NIC_DROP_NO_PORT);
BUILD_ASSERT_DECL(NIC_XDP_DROP_NO_REPRESENTOR == NIC_DROP_NO_REPRESENTOR);
BUILD_ASSERT_DECL(NIC_XDP_N_DROP == NIC_N_DROP_REASONS);
BUILD_ASSERT_DECL(NIC_XDP_MAX_UPLINKS == NIC_MAX_UPLINKS);
BUILD_ASSERT_DECL(NIC_XDP_MAX_VFS == NIC_MAX_VFS);
BUILD_ASSERT_DECL(NIC_XDP_MAX_QUEUES >= NIC_MAX_RXQ);
BUILD_ASSERT_DECL(NIC_XDP_MAX_ACTIONS == NIC_MAX_ACTIONS);

/* How often a port checks that its program is still attached. */
#define NIC_XDP_CHECK_MSEC 500

struct nic_xdp_port {
    bool attached;
    uint32_t port_no, slot;
    char *ifname;               /* NULL: medium "none". */
    int ifindex;
    uint32_t xdp_flags;         /* XDP_FLAGS_DRV_MODE or _SKB_MODE. */
    uint32_t prog_id;
    uint32_t n_rxq;
    struct nic_xsk *xsks[NIC_MAX_RXQ];

    /* Where the interface takes no program of ours (another XDP program
     * is there, or the kernel refuses XDP): the host path, on an AF_PACKET
     * medium, with every frame counted as a miss. */
    struct nic_medium *fallback;
    char *fallback_why;
    atomic_uint64_t fb_rx_packets, fb_rx_bytes;
    atomic_llong next_check;    /* Next check of the program, msec. */
    uint64_t n_reattached;
    /* Counted by the threads that send, without the NIC's mutex. */
    atomic_uint64_t host_tx_packets, tx_errors;
};

struct nic_xdp_urule {
    struct hmap_node node;      /* In nic_xdp->rules, by id. */
    uint32_t id;                /* Counter slot + 1. */
    uint32_t mask_idx;
    enum nic_table_id table;
    struct nic_match match;     /* Normalized. */
    uint32_t priority;
    uint64_t cookie;
    size_t n_actions;
    struct nic_action actions[NIC_MAX_ACTIONS];
};

struct nic_xdp {
    struct nic up;
    struct hmap_node node;      /* In nic_xdp_all. */
    int ref_cnt;                /* Under nic_xdp_all_mutex. */

    struct ovs_mutex mutex;     /* Control path. */
    struct bpf_object *obj;
    int prog_fd;
    int fd_masks, fd_subtables, fd_rule_stats, fd_ports, fd_tx, fd_xsks;
    int fd_port_stats;
    int n_cpus;

    struct nic_xdp_port ports[NIC_XDP_N_SLOTS];

    struct nic_flow_key masks[NIC_XDP_MAX_MASKS];
    uint32_t mask_rules[NIC_XDP_MAX_MASKS];
    int subtable_fd[NIC_XDP_MAX_MASKS];

    struct hmap rules;
    unsigned long *used_slots;  /* Bitmap of NIC_XDP_RULE_SLOTS. */
    size_t n_rules[NIC_N_TABLES];
    size_t capacity[NIC_N_TABLES];
};

static struct ovs_mutex nic_xdp_all_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap nic_xdp_all OVS_GUARDED_BY(nic_xdp_all_mutex)
    = HMAP_INITIALIZER(&nic_xdp_all);

static struct nic_xdp *
nic_xdp_cast(const struct nic *nic)
{
    ovs_assert(nic->class == &nic_xdp_class);
    return CONTAINER_OF(nic, struct nic_xdp, up);
}

static int
nic_xdp_slot(uint32_t port_no, uint32_t *slot)
{
    if (port_no < NIC_XDP_MAX_UPLINKS) {
        *slot = port_no;
    } else if (nic_port_is_vf(port_no)
               && port_no - NIC_PORT_VF_BASE < NIC_XDP_MAX_VFS) {
        *slot = NIC_XDP_MAX_UPLINKS + (port_no - NIC_PORT_VF_BASE);
    } else {
        return EINVAL;
    }
    return 0;
}

static struct nic_xdp_port *
nic_xdp_port(struct nic_xdp *x, uint32_t port_no)
{
    uint32_t slot;

    return nic_xdp_slot(port_no, &slot) ? NULL : &x->ports[slot];
}

/* Life cycle. */

static int
nic_xdp_map_fd(struct nic_xdp *x, const char *name)
{
    struct bpf_map *map = bpf_object__find_map_by_name(x->obj, name);

    return map ? bpf_map__fd(map) : -1;
}

static int
nic_xdp_load(struct nic_xdp *x, char **errorp)
{
    struct bpf_program *prog;
    int error;

    x->obj = bpf_object__open_mem(nic_xdp_bpf_object,
                                  nic_xdp_bpf_object_size, NULL);
    if (!x->obj) {
        error = errno ? errno : EINVAL;
        *errorp = xasprintf("cannot open the XDP program: %s",
                            ovs_strerror(error));
        return error;
    }
    error = -bpf_object__load(x->obj);
    if (error) {
        *errorp = xasprintf("cannot load the XDP program into the kernel "
                            "(root or CAP_BPF and CAP_NET_ADMIN needed): %s",
                            ovs_strerror(error));
        bpf_object__close(x->obj);
        x->obj = NULL;
        return error;
    }
    prog = bpf_object__find_program_by_name(x->obj, "nic_xdp_main");
    x->prog_fd = prog ? bpf_program__fd(prog) : -1;
    x->fd_masks = nic_xdp_map_fd(x, "nic_xdp_masks");
    x->fd_subtables = nic_xdp_map_fd(x, "nic_xdp_subtables");
    x->fd_rule_stats = nic_xdp_map_fd(x, "nic_xdp_rule_stats");
    x->fd_ports = nic_xdp_map_fd(x, "nic_xdp_ports");
    x->fd_tx = nic_xdp_map_fd(x, "nic_xdp_tx");
    x->fd_xsks = nic_xdp_map_fd(x, "nic_xdp_xsks");
    x->fd_port_stats = nic_xdp_map_fd(x, "nic_xdp_port_stats");
    x->n_cpus = libbpf_num_possible_cpus();
    if (x->prog_fd < 0 || x->fd_masks < 0 || x->fd_subtables < 0
        || x->fd_rule_stats < 0 || x->fd_ports < 0 || x->fd_tx < 0
        || x->fd_xsks < 0 || x->fd_port_stats < 0 || x->n_cpus <= 0) {
        *errorp = xstrdup("the XDP program lacks a map or program");
        bpf_object__close(x->obj);
        x->obj = NULL;
        return EINVAL;
    }
    return 0;
}

static void nic_xdp_port_detach__(struct nic_xdp *, struct nic_xdp_port *);
static void nic_xdp_clear_rules(struct nic_xdp *);

static int
nic_xdp_open(const char *name, struct nic **nicp)
{
    struct nic_xdp *x;
    char *error_s = NULL;
    int error;

    ovs_mutex_lock(&nic_xdp_all_mutex);
    HMAP_FOR_EACH_WITH_HASH (x, node, hash_string(name, 0), &nic_xdp_all) {
        if (!strcmp(x->up.name, name)) {
            x->ref_cnt++;
            *nicp = &x->up;
            ovs_mutex_unlock(&nic_xdp_all_mutex);
            return 0;
        }
    }

    x = xzalloc(sizeof *x);
    error = nic_xdp_load(x, &error_s);
    if (error) {
        ovs_mutex_unlock(&nic_xdp_all_mutex);
        VLOG_ERR("%s: %s", name, error_s);
        free(error_s);
        free(x);
        return error;
    }
    nic_init(&x->up, &nic_xdp_class, name);
    ovs_mutex_init(&x->mutex);
    hmap_init(&x->rules);
    x->used_slots = bitmap_allocate(NIC_XDP_RULE_SLOTS);
    x->capacity[NIC_TABLE_EXACT] = NIC_XDP_EXACT_CAPACITY;
    x->capacity[NIC_TABLE_WILDCARD] = NIC_XDP_WILDCARD_CAPACITY;
    nic_tables_default_exact_mask(&x->masks[0]);
    for (size_t i = 0; i < NIC_XDP_MAX_MASKS; i++) {
        x->subtable_fd[i] = -1;
    }
    for (uint32_t i = 0; i < NIC_XDP_N_SLOTS; i++) {
        atomic_init(&x->ports[i].next_check, 0);
        atomic_init(&x->ports[i].host_tx_packets, 0);
        atomic_init(&x->ports[i].tx_errors, 0);
        x->ports[i].slot = i;
        x->ports[i].port_no = nic_port_by_index(NIC_XDP_MAX_UPLINKS, i);
    }
    x->ref_cnt = 1;
    hmap_insert(&nic_xdp_all, &x->node, hash_string(name, 0));
    ovs_mutex_unlock(&nic_xdp_all_mutex);
    *nicp = &x->up;
    return 0;
}

static void
nic_xdp_close(struct nic *nic)
{
    struct nic_xdp *x = nic_xdp_cast(nic);

    ovs_mutex_lock(&nic_xdp_all_mutex);
    if (--x->ref_cnt) {
        ovs_mutex_unlock(&nic_xdp_all_mutex);
        return;
    }
    hmap_remove(&nic_xdp_all, &x->node);
    ovs_mutex_unlock(&nic_xdp_all_mutex);

    ovs_mutex_lock(&x->mutex);
    for (size_t i = 0; i < NIC_XDP_N_SLOTS; i++) {
        nic_xdp_port_detach__(x, &x->ports[i]);
    }
    nic_xdp_clear_rules(x);
    for (size_t i = 0; i < NIC_XDP_MAX_MASKS; i++) {
        if (x->subtable_fd[i] >= 0) {
            close(x->subtable_fd[i]);
        }
    }
    ovs_mutex_unlock(&x->mutex);
    hmap_destroy(&x->rules);
    bitmap_free(x->used_slots);
    bpf_object__close(x->obj);
    ovs_mutex_destroy(&x->mutex);
    nic_uninit(&x->up);
    free(x);
}

static void
nic_xdp_get_caps(const struct nic *nic, struct nic_caps *caps)
{
    struct nic_xdp *x = nic_xdp_cast(nic);

    memset(caps, 0, sizeof *caps);
    caps->n_uplinks = NIC_XDP_MAX_UPLINKS;
    caps->n_vfs = NIC_XDP_MAX_VFS;
    caps->exact_capacity = x->capacity[NIC_TABLE_EXACT];
    caps->wildcard_capacity = x->capacity[NIC_TABLE_WILDCARD];
    caps->max_rxq = NIC_MAX_RXQ;
    /* No tunnels (the verifier's budget), no receive queue choice (an
     * AF_XDP socket takes only its own queue's packets) and no mark (no
     * metadata on the AF_XDP path): such flows stay on the host. */
    caps->actions = ((1u << NIC_ACT_OUTPUT) | (1u << NIC_ACT_TO_HOST)
                     | (1u << NIC_ACT_DROP) | (1u << NIC_ACT_PUSH_VLAN)
                     | (1u << NIC_ACT_POP_VLAN)
                     | (1u << NIC_ACT_SET_ETH_SRC)
                     | (1u << NIC_ACT_SET_ETH_DST)
                     | (1u << NIC_ACT_SET_IPV4_SRC)
                     | (1u << NIC_ACT_SET_IPV4_DST)
                     | (1u << NIC_ACT_SET_IPV6_SRC)
                     | (1u << NIC_ACT_SET_IPV6_DST)
                     | (1u << NIC_ACT_SET_IP_TTL)
                     | (1u << NIC_ACT_SET_TP_SRC)
                     | (1u << NIC_ACT_SET_TP_DST));
    memset(&caps->matchable, 0xff, sizeof caps->matchable);
    caps->matchable.pad1 = 0;
    caps->matchable.pad2 = 0;
    caps->matchable.pad3 = 0;
    /* The program looks up no decapsulated frames. */
    caps->matchable.tun_src = caps->matchable.tun_dst = 0;
    caps->matchable.tun_flags = 0;
    caps->matchable.tun_tos = caps->matchable.tun_ttl = 0;
    caps->matchable.tun_tp_src = caps->matchable.tun_tp_dst = 0;
    caps->matchable.tun_opts_len = 0;
    memset(caps->matchable.pad4, 0, sizeof caps->matchable.pad4);
    memset(caps->matchable.tun_opts, 0, sizeof caps->matchable.tun_opts);
}

/* Rules. */

static void
nic_xdp_key_from(struct nic_xdp_key *k, const struct nic_flow_key *f)
{
    memcpy(k, f, sizeof *k);
}

/* Converts the model's actions into the program's.  XDP sends a frame out
 * of one place, once: so one output, to-host or drop, last.  A valid
 * action list that the program cannot carry is EOPNOTSUPP (a capability,
 * so the flow stays on the host with a reason), not EINVAL. */
static int
nic_xdp_actions_from(const struct nic_action *acts, size_t n,
                     struct nic_xdp_rule *r)
{
    if (!n) {
        return EINVAL;
    }
    if (n > NIC_XDP_MAX_ACTIONS) {
        return EOPNOTSUPP;
    }
    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &acts[i];
        struct nic_xdp_action *xa = &r->acts[i];
        bool terminal = false;

        memset(xa, 0, sizeof *xa);
        switch (a->type) {
        case NIC_ACT_OUTPUT:
            if (nic_xdp_slot(a->port, &xa->u.slot)) {
                return EINVAL;
            }
            xa->type = NIC_XDP_ACT_OUTPUT;
            terminal = true;
            break;
        case NIC_ACT_TO_HOST:
            xa->type = NIC_XDP_ACT_TO_HOST;
            terminal = true;
            break;
        case NIC_ACT_DROP:
            xa->type = NIC_XDP_ACT_DROP;
            terminal = true;
            break;
        case NIC_ACT_PUSH_VLAN:
            xa->type = NIC_XDP_ACT_PUSH_VLAN;
            xa->u.vlan.tci = a->vlan_tci;
            xa->u.vlan.tpid = a->vlan_tpid;
            break;
        case NIC_ACT_POP_VLAN:
            xa->type = NIC_XDP_ACT_POP_VLAN;
            break;
        case NIC_ACT_SET_ETH_SRC:
        case NIC_ACT_SET_ETH_DST:
            xa->type = (a->type == NIC_ACT_SET_ETH_SRC
                        ? NIC_XDP_ACT_SET_ETH_SRC : NIC_XDP_ACT_SET_ETH_DST);
            memcpy(xa->u.mac, &a->mac, 6);
            break;
        case NIC_ACT_SET_IPV4_SRC:
        case NIC_ACT_SET_IPV4_DST:
            xa->type = (a->type == NIC_ACT_SET_IPV4_SRC
                        ? NIC_XDP_ACT_SET_IPV4_SRC
                        : NIC_XDP_ACT_SET_IPV4_DST);
            xa->u.ipv4 = (OVS_FORCE __be32) a->ipv4;
            break;
        case NIC_ACT_SET_IPV6_SRC:
        case NIC_ACT_SET_IPV6_DST:
            xa->type = (a->type == NIC_ACT_SET_IPV6_SRC
                        ? NIC_XDP_ACT_SET_IPV6_SRC
                        : NIC_XDP_ACT_SET_IPV6_DST);
            memcpy(xa->u.ipv6, a->ipv6, 16);
            break;
        case NIC_ACT_SET_IP_TTL:
            xa->type = NIC_XDP_ACT_SET_TTL;
            xa->u.ttl = a->ttl;
            break;
        case NIC_ACT_SET_TP_SRC:
        case NIC_ACT_SET_TP_DST:
            xa->type = (a->type == NIC_ACT_SET_TP_SRC
                        ? NIC_XDP_ACT_SET_TP_SRC : NIC_XDP_ACT_SET_TP_DST);
            xa->u.tp = (OVS_FORCE __be16) a->tp_port;
            break;
        case NIC_ACT_ENCAP:
        case NIC_ACT_DECAP:
        case NIC_ACT_SET_QUEUE:
        case NIC_ACT_MARK:
        case NIC_ACT_COUNT:
        case NIC_ACT_TNL_POP:
            return EOPNOTSUPP;
        case NIC_N_ACTIONS:
        default:
            return EINVAL;
        }
        if (terminal && i != n - 1) {
            return EOPNOTSUPP;
        }
    }
    r->n_actions = n;
    return 0;
}

static int
nic_xdp_find_mask(struct nic_xdp *x, const struct nic_flow_key *mask,
                  bool create, uint32_t *idxp)
    OVS_REQUIRES(x->mutex)
{
    int free_idx = -1;

    for (uint32_t i = 1; i < NIC_XDP_MAX_MASKS; i++) {
        if (x->mask_rules[i]) {
            if (!memcmp(&x->masks[i], mask, sizeof *mask)) {
                *idxp = i;
                return 0;
            }
        } else if (free_idx < 0) {
            free_idx = i;
        }
    }
    if (!create) {
        return ENOENT;
    }
    if (free_idx < 0) {
        return ENOSPC;      /* Out of masks: as full as a full table. */
    }
    *idxp = free_idx;
    return 0;
}

/* Publishes mask 'idx' to the program (or withdraws it if unused). */
static int
nic_xdp_mask_publish(struct nic_xdp *x, uint32_t idx)
    OVS_REQUIRES(x->mutex)
{
    struct nic_xdp_mask m;

    memset(&m, 0, sizeof m);
    nic_xdp_key_from(&m.mask, &x->masks[idx]);
    m.n_rules = x->mask_rules[idx];
    return bpf_map_update_elem(x->fd_masks, &idx, &m, BPF_ANY) ? errno : 0;
}

static int
nic_xdp_subtable_get(struct nic_xdp *x, uint32_t idx)
    OVS_REQUIRES(x->mutex)
{
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
    int fd;

    if (x->subtable_fd[idx] >= 0) {
        return 0;
    }
    fd = bpf_map_create(BPF_MAP_TYPE_HASH, "nic_xdp_st",
                        sizeof(struct nic_xdp_key),
                        sizeof(struct nic_xdp_rule),
                        NIC_XDP_EXACT_CAPACITY, &opts);
    if (fd < 0) {
        return errno;
    }
    if (bpf_map_update_elem(x->fd_subtables, &idx, &fd, BPF_ANY)) {
        int error = errno;

        close(fd);
        return error;
    }
    x->subtable_fd[idx] = fd;
    return 0;
}

static void
nic_xdp_zero_counter(struct nic_xdp *x, uint32_t slot)
{
    struct nic_xdp_counter *zero = xcalloc(x->n_cpus, sizeof *zero);

    bpf_map_update_elem(x->fd_rule_stats, &slot, zero, BPF_ANY);
    free(zero);
}

static struct nic_xdp_urule *
nic_xdp_find_rule(struct nic_xdp *x, uint32_t id) OVS_REQUIRES(x->mutex)
{
    struct nic_xdp_urule *r;

    HMAP_FOR_EACH_WITH_HASH (r, node, hash_int(id, 0), &x->rules) {
        if (r->id == id) {
            return r;
        }
    }
    return NULL;
}

static int
nic_xdp_rule_add(struct nic *nic, const struct nic_rule_spec *spec,
                 uint32_t *idp)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_rule value;
    struct nic_xdp_key key;
    struct nic_xdp_urule *r;
    struct nic_match match;
    enum nic_table_id table;
    uint32_t idx = 0;
    size_t slot;
    int error;

    error = nic_rule_spec_validate(spec);
    if (error) {
        return error;
    }
    memset(&value, 0, sizeof value);
    error = nic_xdp_actions_from(spec->actions, spec->n_actions, &value);
    if (error) {
        return error;
    }
    match = spec->match;
    nic_match_normalize(&match);

    ovs_mutex_lock(&x->mutex);
    if (!memcmp(&match.mask, &x->masks[0], sizeof match.mask)
        && x->n_rules[NIC_TABLE_EXACT] < x->capacity[NIC_TABLE_EXACT]) {
        table = NIC_TABLE_EXACT;
    } else {
        table = NIC_TABLE_WILDCARD;
        if (x->n_rules[table] >= x->capacity[table]) {
            error = ENOSPC;
            goto out;
        }
        error = nic_xdp_find_mask(x, &match.mask, true, &idx);
        if (error) {
            goto out;
        }
    }
    slot = bitmap_scan(x->used_slots, 0, 0, NIC_XDP_RULE_SLOTS);
    if (slot >= NIC_XDP_RULE_SLOTS) {
        error = ENOSPC;
        goto out;
    }
    error = nic_xdp_subtable_get(x, idx);
    if (error) {
        goto out;
    }
    value.slot = slot;
    value.priority = spec->priority;
    nic_xdp_zero_counter(x, slot);
    nic_xdp_key_from(&key, &match.key);
    if (bpf_map_update_elem(x->subtable_fd[idx], &key, &value,
                            BPF_NOEXIST)) {
        error = errno == E2BIG || errno == ENOMEM ? ENOSPC : errno;
        goto out;
    }
    bitmap_set1(x->used_slots, slot);
    if (idx && !x->mask_rules[idx]) {
        x->masks[idx] = match.mask;
    }
    x->mask_rules[idx]++;
    error = nic_xdp_mask_publish(x, idx);
    if (error) {
        VLOG_WARN("%s: cannot publish mask %"PRIu32": %s", nic->name, idx,
                  ovs_strerror(error));
    }
    x->n_rules[table]++;

    r = xzalloc(sizeof *r);
    r->id = slot + 1;
    r->mask_idx = idx;
    r->table = table;
    r->match = match;
    r->priority = spec->priority;
    r->cookie = spec->cookie;
    r->n_actions = spec->n_actions;
    memcpy(r->actions, spec->actions, spec->n_actions * sizeof *r->actions);
    hmap_insert(&x->rules, &r->node, hash_int(r->id, 0));
    *idp = r->id;
    error = 0;
out:
    ovs_mutex_unlock(&x->mutex);
    return error;
}

static int
nic_xdp_rule_modify(struct nic *nic, uint32_t id,
                    const struct nic_action *acts, size_t n)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_rule value;
    struct nic_xdp_urule *r;
    struct nic_xdp_key key;
    int error;

    memset(&value, 0, sizeof value);
    error = nic_xdp_actions_from(acts, n, &value);
    if (error) {
        return error;
    }
    ovs_mutex_lock(&x->mutex);
    r = nic_xdp_find_rule(x, id);
    if (!r) {
        error = ENOENT;
    } else {
        value.slot = id - 1;
        value.priority = r->priority;
        nic_xdp_key_from(&key, &r->match.key);
        /* A hash map update replaces the value whole: the program sees
         * the old actions or the new ones. */
        if (bpf_map_update_elem(x->subtable_fd[r->mask_idx], &key, &value,
                                BPF_EXIST)) {
            error = errno;
        } else {
            r->n_actions = n;
            memcpy(r->actions, acts, n * sizeof *acts);
        }
    }
    ovs_mutex_unlock(&x->mutex);
    return error;
}

static void
nic_xdp_remove(struct nic_xdp *x, struct nic_xdp_urule *r)
    OVS_REQUIRES(x->mutex)
{
    struct nic_xdp_key key;
    uint32_t idx = r->mask_idx;

    nic_xdp_key_from(&key, &r->match.key);
    bpf_map_delete_elem(x->subtable_fd[idx], &key);
    x->mask_rules[idx]--;
    nic_xdp_mask_publish(x, idx);
    bitmap_set0(x->used_slots, r->id - 1);
    x->n_rules[r->table]--;
    hmap_remove(&x->rules, &r->node);
    free(r);
}

static int
nic_xdp_rule_del(struct nic *nic, uint32_t id)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_urule *r;

    ovs_mutex_lock(&x->mutex);
    r = nic_xdp_find_rule(x, id);
    if (r) {
        nic_xdp_remove(x, r);
    }
    ovs_mutex_unlock(&x->mutex);
    return r ? 0 : ENOENT;
}

static void
nic_xdp_read_counter(struct nic_xdp *x, uint32_t slot, uint64_t *packets,
                     uint64_t *bytes)
{
    struct nic_xdp_counter *c = xcalloc(x->n_cpus, sizeof *c);

    *packets = *bytes = 0;
    if (!bpf_map_lookup_elem(x->fd_rule_stats, &slot, c)) {
        for (int i = 0; i < x->n_cpus; i++) {
            *packets += c[i].packets;
            *bytes += c[i].bytes;
        }
    }
    free(c);
}

static int
nic_xdp_rule_query(struct nic *nic, uint32_t id, struct nic_rule_stats *st)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_urule *r;

    ovs_mutex_lock(&x->mutex);
    r = nic_xdp_find_rule(x, id);
    if (r) {
        nic_xdp_read_counter(x, id - 1, &st->n_packets, &st->n_bytes);
        st->table = r->table;
    }
    ovs_mutex_unlock(&x->mutex);
    return r ? 0 : ENOENT;
}

static void
nic_xdp_clear_rules(struct nic_xdp *x) OVS_REQUIRES(x->mutex)
{
    struct nic_xdp_urule *r;

    HMAP_FOR_EACH_SAFE (r, node, &x->rules) {
        nic_xdp_remove(x, r);
    }
}

static size_t
nic_xdp_rule_dump(struct nic *nic, struct nic_rule_dump **rulesp)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_rule_dump *rules;
    struct nic_xdp_urule *r;
    size_t n = 0;

    ovs_mutex_lock(&x->mutex);
    rules = xcalloc(MAX(1, hmap_count(&x->rules)), sizeof *rules);
    HMAP_FOR_EACH (r, node, &x->rules) {
        struct nic_rule_dump *d = &rules[n++];

        d->id = r->id;
        d->table = r->table;
        d->priority = r->priority;
        d->cookie = r->cookie;
        d->match = r->match;
        d->n_actions = r->n_actions;
        memcpy(d->actions, r->actions, r->n_actions * sizeof *r->actions);
        nic_xdp_read_counter(x, r->id - 1, &d->n_packets, &d->n_bytes);
    }
    ovs_mutex_unlock(&x->mutex);
    nic_rule_dump_sort(rules, n);
    *rulesp = rules;
    return n;
}

/* Ports. */

/* Attaches the program to the port's interface, natively if its driver
 * can, else generically, but never in place of another program. */
static int
nic_xdp_attach_prog(struct nic_xdp *x, struct nic_xdp_port *p,
                    char **errorp)
{
    static const uint32_t modes[] = { XDP_FLAGS_DRV_MODE,
                                      XDP_FLAGS_SKB_MODE };
    struct bpf_prog_info info;
    uint32_t len = sizeof info, id = 0;
    int error = 0;

    memset(&info, 0, sizeof info);
    if (!bpf_obj_get_info_by_fd(x->prog_fd, &info, &len)) {
        p->prog_id = info.id;
    }
    if (!bpf_xdp_query_id(p->ifindex, 0, &id) && id && id != p->prog_id) {
        *errorp = xasprintf("%s already runs another XDP program (id "
                            "%"PRIu32")", p->ifname, id);
        return EBUSY;
    }
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        error = -bpf_xdp_attach(p->ifindex, x->prog_fd,
                                modes[i] | XDP_FLAGS_UPDATE_IF_NOEXIST,
                                NULL);
        if (!error) {
            p->xdp_flags = modes[i];
            break;
        }
    }
    if (error) {
        *errorp = xasprintf("%s: cannot attach the XDP program (neither "
                            "native nor generic XDP): %s", p->ifname,
                            ovs_strerror(error));
        return error;
    }
    return 0;
}

static void
nic_xdp_port_detach__(struct nic_xdp *x, struct nic_xdp_port *p)
    OVS_REQUIRES(x->mutex)
{
    if (!p->attached) {
        return;
    }
    if (p->fallback) {
        nic_medium_close(p->fallback);
        p->fallback = NULL;
        free(p->fallback_why);
        p->fallback_why = NULL;
        free(p->ifname);
        p->ifname = NULL;
        p->attached = false;
        return;
    }
    for (uint32_t q = 0; q < p->n_rxq; q++) {
        uint32_t idx = p->slot * NIC_XDP_MAX_QUEUES + q;

        bpf_map_delete_elem(x->fd_xsks, &idx);
        nic_xsk_destroy(p->xsks[q]);
        p->xsks[q] = NULL;
    }
    if (p->ifname) {
        uint32_t id = 0;

        bpf_map_delete_elem(x->fd_tx, &p->slot);
        bpf_map_delete_elem(x->fd_ports, &p->ifindex);
        /* Only our own program: someone may have put theirs there. */
        if (!bpf_xdp_query_id(p->ifindex, p->xdp_flags, &id)
            && id == p->prog_id) {
            bpf_xdp_detach(p->ifindex, p->xdp_flags, NULL);
        }
    }
    free(p->ifname);
    p->ifname = NULL;
    p->attached = false;
}

/* The port's interface takes no program of ours ('*errorp' says why): the
 * port carries its traffic on the host path, through an AF_PACKET medium
 * on the interface, and says so.  Returns 0, or the medium's error. */
static int
nic_xdp_fallback(struct nic_xdp *x, struct nic_xdp_port *p, char **errorp)
    OVS_REQUIRES(x->mutex)
{
    char *spec = xasprintf("afpacket:%s", p->ifname);
    char *why = *errorp, *medium_error = NULL;
    int error;

    *errorp = NULL;
    bpf_map_delete_elem(x->fd_ports, &p->ifindex);
    bpf_map_delete_elem(x->fd_tx, &p->slot);
    error = nic_medium_open(spec, &p->fallback, &medium_error);
    free(spec);
    if (error) {
        *errorp = xasprintf("%s, and the host path cannot open it either: "
                            "%s", why, medium_error);
        free(medium_error);
        free(why);
        free(p->ifname);
        p->ifname = NULL;
        return error;
    }
    VLOG_WARN("%s: port %"PRIu32": %s: the port falls back to the host "
              "path (AF_PACKET), nothing of it is offloaded", x->up.name,
              p->port_no, why);
    p->fallback_why = why;
    p->attached = true;
    p->n_rxq = 1;
    atomic_store_relaxed(&p->fb_rx_packets, 0);
    atomic_store_relaxed(&p->fb_rx_bytes, 0);
    return 0;
}

static int
nic_xdp_port_attach(struct nic *nic, const struct nic_port_config *cfg,
                    char **errorp)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, cfg->port);
    struct nic_xdp_port_info info;
    const char *medium = cfg->medium ? cfg->medium : "none";
    int error = 0;

    *errorp = NULL;
    if (!p) {
        *errorp = xasprintf("%s has no such port (it has uplinks 0 to %d "
                            "and VFs 0 to %d)", nic->name,
                            NIC_XDP_MAX_UPLINKS - 1, NIC_XDP_MAX_VFS - 1);
        return EINVAL;
    }
    if (!cfg->n_rxq || cfg->n_rxq > NIC_MAX_RXQ) {
        *errorp = xasprintf("n_rxq must be between 1 and %d", NIC_MAX_RXQ);
        return EINVAL;
    }
    if (!strncmp(medium, "xdp:", 4)) {
        medium += 4;
    } else if (strcmp(medium, "none")) {
        *errorp = xasprintf("medium \"%s\" is not \"xdp:IFNAME\" or \"none\""
                            " (an XDP NIC's ports are Linux interfaces)",
                            medium);
        return EINVAL;
    }

    ovs_mutex_lock(&x->mutex);
    if (p->attached) {
        *errorp = xstrdup("port is already attached to a representor");
        error = EBUSY;
        goto out;
    }
    p->n_rxq = cfg->n_rxq;
    p->n_reattached = 0;
    atomic_store_relaxed(&p->next_check, time_msec() + NIC_XDP_CHECK_MSEC);
    atomic_store_relaxed(&p->host_tx_packets, 0);
    atomic_store_relaxed(&p->tx_errors, 0);
    if (!strcmp(medium, "none")) {
        p->attached = true;
        p->n_rxq = 0;       /* No sockets: nothing reaches the host. */
        goto out;
    }
    p->ifname = xstrdup(medium);
    p->ifindex = if_nametoindex(medium);
    if (!p->ifindex) {
        *errorp = xasprintf("%s: no such interface", medium);
        error = ENODEV;
        goto fail;
    }
    for (size_t i = 0; i < NIC_XDP_N_SLOTS; i++) {
        if (x->ports[i].attached && x->ports[i].ifname
            && x->ports[i].ifindex == p->ifindex) {
            *errorp = xasprintf("interface %s is already the medium of "
                                "another port", medium);
            error = EBUSY;
            free(p->ifname);    /* The other port's maps stay as they are. */
            p->ifname = NULL;
            goto out;
        }
    }
    info.slot = p->slot;
    info.port_no = p->port_no;
    if (bpf_map_update_elem(x->fd_ports, &p->ifindex, &info, BPF_ANY)
        || bpf_map_update_elem(x->fd_tx, &p->slot, &p->ifindex, BPF_ANY)) {
        error = errno;
        *errorp = xasprintf("%s: cannot add the port to the XDP maps: %s",
                            medium, ovs_strerror(error));
        goto fail;
    }
    error = nic_xdp_attach_prog(x, p, errorp);
    if (error) {
        error = nic_xdp_fallback(x, p, errorp);
        goto out;
    }
    p->attached = true;
    for (uint32_t q = 0; q < cfg->n_rxq; q++) {
        uint32_t idx = p->slot * NIC_XDP_MAX_QUEUES + q;
        int fd;

        struct nic_xsk_config xcfg = {
            .ifname = p->ifname,
            .queue = q,
            .xdp_flags = p->xdp_flags,
            .load_prog = false,     /* Our program redirects to it. */
        };

        error = nic_xsk_create(&xcfg, &p->xsks[q], errorp);
        if (error) {
            p->n_rxq = q;
            goto fail;
        }
        fd = nic_xsk_fd(p->xsks[q]);
        if (bpf_map_update_elem(x->fd_xsks, &idx, &fd, BPF_ANY)) {
            error = errno;
            *errorp = xasprintf("%s: cannot add AF_XDP socket %"PRIu32": %s",
                                medium, q, ovs_strerror(error));
            p->n_rxq = q + 1;
            goto fail;
        }
    }
    VLOG_INFO("%s: port %"PRIu32" on %s, %s XDP, %"PRIu32" AF_XDP "
              "queue(s)", nic->name, p->port_no, medium,
              p->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic",
              cfg->n_rxq);
    goto out;

fail:
    p->attached = true;
    nic_xdp_port_detach__(x, p);
    bpf_map_delete_elem(x->fd_ports, &p->ifindex);
out:
    ovs_mutex_unlock(&x->mutex);
    return error;
}

static void
nic_xdp_port_detach(struct nic *nic, uint32_t port)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);

    if (p) {
        ovs_mutex_lock(&x->mutex);
        nic_xdp_port_detach__(x, p);
        ovs_mutex_unlock(&x->mutex);
    }
}

/* A program detached from outside (e.g. "ip link set dev X xdp off")
 * leaves the port without its pipeline: every packet would reach the
 * kernel's stack instead.  Puts it back, and says so. */
static void
nic_xdp_check_prog(struct nic_xdp *x, struct nic_xdp_port *p, bool force)
    OVS_REQUIRES(x->mutex)
{
    long long int now = time_msec(), next;
    uint32_t id = 0;
    char *error_s = NULL;

    atomic_read_relaxed(&p->next_check, &next);
    if (!p->attached || !p->ifname || p->fallback
        || (!force && now < next)) {
        return;
    }
    atomic_store_relaxed(&p->next_check, now + NIC_XDP_CHECK_MSEC);
    if (!bpf_xdp_query_id(p->ifindex, p->xdp_flags, &id)
        && id == p->prog_id) {
        return;
    }
    if (nic_xdp_attach_prog(x, p, &error_s)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "%s: XDP program on %s was detached from outside; "
                     "cannot reattach: %s", x->up.name, p->ifname, error_s);
        free(error_s);
        return;
    }
    p->n_reattached++;
    VLOG_WARN("%s: XDP program on %s was detached from outside "
              "(program id now %"PRIu32"): reattached", x->up.name,
              p->ifname, id);
}

static int
nic_xdp_port_stats(struct nic *nic, uint32_t port, struct nic_port_stats *s)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);
    struct nic_xdp_port_stats *pc;

    if (!p) {
        return EINVAL;
    }
    memset(s, 0, sizeof *s);
    pc = xcalloc(x->n_cpus, sizeof *pc);
    ovs_mutex_lock(&x->mutex);
    nic_xdp_check_prog(x, p, false);
    if (!bpf_map_lookup_elem(x->fd_port_stats, &p->slot, pc)) {
        for (int i = 0; i < x->n_cpus; i++) {
            s->rx_packets += pc[i].rx_packets;
            s->rx_bytes += pc[i].rx_bytes;
            s->fwd_packets += pc[i].fwd_packets;
            for (int j = 0; j < NIC_N_HOST_REASONS; j++) {
                s->host[j] += pc[i].host[j];
            }
            for (int j = 0; j < NIC_N_DROP_REASONS; j++) {
                s->drop[j] += pc[i].drop[j];
            }
            s->tx_packets += pc[i].tx_packets;
            s->tx_bytes += pc[i].tx_bytes;
        }
    }
    if (p->fallback) {
        uint64_t n;

        atomic_read_relaxed(&p->fb_rx_packets, &n);
        s->rx_packets += n;
        s->host[NIC_HOST_MISS] += n;
        atomic_read_relaxed(&p->fb_rx_bytes, &n);
        s->rx_bytes += n;
    }
    atomic_read_relaxed(&p->host_tx_packets, &s->host_tx_packets);
    atomic_read_relaxed(&p->tx_errors, &s->tx_errors);
    s->tx_packets += s->host_tx_packets;
    ovs_mutex_unlock(&x->mutex);
    free(pc);
    return 0;
}

static int
nic_xdp_port_link(struct nic *nic, uint32_t port, bool *up)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&x->mutex);
    *up = p->attached && (!p->ifname
                          || if_nametoindex(p->ifname) == p->ifindex);
    if (*up) {
        nic_xdp_check_prog(x, p, false);
    }
    ovs_mutex_unlock(&x->mutex);
    return 0;
}

/* Packet I/O with the host. */

static struct nic_xsk *
nic_xdp_queue(struct nic_xdp *x, uint32_t port, uint32_t queue)
{
    struct nic_xdp_port *p = nic_xdp_port(x, port);

    /* The sockets change only while the representor is not polling. */
    return p && p->attached && queue < p->n_rxq ? p->xsks[queue] : NULL;
}

/* The representor's polling of queue 0 also checks, every
 * NIC_XDP_CHECK_MSEC, that the port's program is still attached; never
 * waiting for the control path's lock. */
static void
nic_xdp_poll_check(struct nic_xdp *x, uint32_t port, uint32_t queue)
{
    struct nic_xdp_port *p = nic_xdp_port(x, port);
    long long int next;

    if (!p || queue) {
        return;
    }
    atomic_read_relaxed(&p->next_check, &next);
    if (time_msec() >= next && !ovs_mutex_trylock(&x->mutex)) {
        nic_xdp_check_prog(x, p, false);
        ovs_mutex_unlock(&x->mutex);
    }
}

static int
nic_xdp_host_recv(struct nic *nic, uint32_t port, uint32_t queue,
                  struct dp_packet **pkts, int max)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xsk *s = nic_xdp_queue(x, port, queue);

    struct nic_xdp_port *p = nic_xdp_port(x, port);

    if (p && p->fallback) {
        uint64_t bytes = 0, orig;
        int n;

        if (queue) {
            return 0;
        }
        nic_medium_run(p->fallback);
        n = nic_medium_recv(p->fallback, pkts, max);
        for (int i = 0; i < n; i++) {
            bytes += dp_packet_size(pkts[i]);
        }
        atomic_add_relaxed(&p->fb_rx_packets, n, &orig);
        atomic_add_relaxed(&p->fb_rx_bytes, bytes, &orig);
        return n;
    }
    nic_xdp_poll_check(x, port, queue);
    return s ? nic_xsk_recv(s, pkts, max) : 0;
}

static void
nic_xdp_host_recv_wait(struct nic *nic, uint32_t port, uint32_t queue)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xsk *s = nic_xdp_queue(x, port, queue);
    struct nic_xdp_port *p = nic_xdp_port(x, port);

    if (p && p->fallback) {
        if (!queue) {
            nic_medium_wait(p->fallback);
        }
        return;
    }
    if (s) {
        poll_fd_wait(nic_xsk_fd(s), POLLIN);
        if (!queue) {
            /* Wake for the next check of the program. */
            poll_timer_wait(NIC_XDP_CHECK_MSEC);
        }
    }
}

static int
nic_xdp_host_send(struct nic *nic, uint32_t port, struct dp_packet **pkts,
                  int n)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);
    struct nic_xsk *s = nic_xdp_queue(x, port, 0);
    int sent = 0;
    uint64_t orig;

    if (p && p->fallback) {
        uint64_t bytes;

        sent = nic_medium_send_batch(p->fallback, pkts, n, &bytes);
    } else if (s) {
        sent = nic_xsk_send(s, pkts, n);
    }

    if (p) {
        atomic_add_relaxed(&p->host_tx_packets, sent, &orig);
        atomic_add_relaxed(&p->tx_errors, n - sent, &orig);
    }
    for (int i = 0; i < n; i++) {
        dp_packet_delete(pkts[i]);
    }
    return !p ? EINVAL : sent < n ? ENOBUFS : 0;
}

static int
nic_xdp_reset(struct nic *nic)
{
    struct nic_xdp *x = nic_xdp_cast(nic);

    ovs_mutex_lock(&x->mutex);
    nic_xdp_clear_rules(x);
    ovs_mutex_unlock(&x->mutex);
    VLOG_WARN("%s: reset: all rules lost", nic->name);
    return 0;
}

/* For tests and tools. */

int
nic_xdp_prog_fd(struct nic *nic)
{
    return nic_xdp_cast(nic)->prog_fd;
}

int
nic_xdp_port_set_ifindex(struct nic *nic, uint32_t port, int ifindex)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);
    struct nic_xdp_port_info info;
    int error = 0;

    if (!p) {
        return EINVAL;
    }
    info.slot = p->slot;
    info.port_no = p->port_no;
    ovs_mutex_lock(&x->mutex);
    if (bpf_map_update_elem(x->fd_ports, &ifindex, &info, BPF_ANY)
        || bpf_map_update_elem(x->fd_tx, &p->slot, &ifindex, BPF_ANY)) {
        error = errno;
    }
    ovs_mutex_unlock(&x->mutex);
    return error;
}

int
nic_xdp_get_trace(struct nic *nic, struct nic_xdp_trace_info *t)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    int fd = nic_xdp_map_fd(x, "nic_xdp_trace");
    struct nic_xdp_trace *tr = xcalloc(x->n_cpus, sizeof *tr);
    uint32_t zero = 0;
    int error = 0;

    memset(t, 0, sizeof *t);
    if (fd < 0 || bpf_map_lookup_elem(fd, &zero, tr)) {
        error = fd < 0 ? ENOENT : errno;
    } else {
        /* BPF_PROG_TEST_RUN runs on the caller's CPU. */
        int cpu = sched_getcpu();

        if (cpu >= 0 && cpu < x->n_cpus) {
            t->verdict = tr[cpu].verdict;
            t->reason = tr[cpu].reason;
            t->out_port = nic_port_by_index(NIC_XDP_MAX_UPLINKS,
                                            tr[cpu].out_slot);
            t->rule_id = tr[cpu].rule_slot + 1;
        }
    }
    free(tr);
    return error;
}

uint64_t
nic_xdp_port_reattached(struct nic *nic, uint32_t port)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    struct nic_xdp_port *p = nic_xdp_port(x, port);
    uint64_t n;

    ovs_mutex_lock(&x->mutex);
    n = p ? p->n_reattached : 0;
    ovs_mutex_unlock(&x->mutex);
    return n;
}

void
nic_xdp_for_each(void (*cb)(struct nic *, void *aux), void *aux)
{
    struct nic_xdp *x;

    ovs_mutex_lock(&nic_xdp_all_mutex);
    HMAP_FOR_EACH (x, node, &nic_xdp_all) {
        cb(&x->up, aux);
    }
    ovs_mutex_unlock(&nic_xdp_all_mutex);
}

bool
nic_xdp_get_port_status(struct nic *nic, size_t idx,
                        struct nic_xdp_port_status *st)
{
    struct nic_xdp *x = nic_xdp_cast(nic);
    const struct nic_xdp_port *p;

    if (idx >= NIC_XDP_N_SLOTS) {
        return false;
    }
    memset(st, 0, sizeof *st);
    ovs_mutex_lock(&x->mutex);
    p = &x->ports[idx];
    st->port = p->port_no;
    st->attached = p->attached;
    if (p->ifname) {
        ovs_strlcpy(st->ifname, p->ifname, sizeof st->ifname);
    }
    st->mode = (!p->attached || !p->ifname ? "none"
                : p->fallback ? "host-path"
                : p->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic");
    st->prog_id = p->ifname ? p->prog_id : 0;
    st->n_rxq = p->n_rxq;
    st->reattached = p->n_reattached;
    ovs_mutex_unlock(&x->mutex);
    return true;
}

void
nic_xdp_get_n_rules(struct nic *nic, size_t *exact, size_t *wildcard,
                    size_t *masks)
{
    struct nic_xdp *x = nic_xdp_cast(nic);

    ovs_mutex_lock(&x->mutex);
    *exact = x->n_rules[NIC_TABLE_EXACT];
    *wildcard = x->n_rules[NIC_TABLE_WILDCARD];
    *masks = 0;
    for (size_t i = 1; i < NIC_XDP_MAX_MASKS; i++) {
        *masks += x->mask_rules[i] > 0;
    }
    ovs_mutex_unlock(&x->mutex);
}

const struct nic_class nic_xdp_class = {
    .type = "xdp",
    .open = nic_xdp_open,
    .close = nic_xdp_close,
    .reset = nic_xdp_reset,
    .get_caps = nic_xdp_get_caps,
    .port_attach = nic_xdp_port_attach,
    .port_detach = nic_xdp_port_detach,
    .rule_add = nic_xdp_rule_add,
    .rule_modify = nic_xdp_rule_modify,
    .rule_del = nic_xdp_rule_del,
    .rule_query = nic_xdp_rule_query,
    .port_stats = nic_xdp_port_stats,
    .port_link = nic_xdp_port_link,
    .host_recv = nic_xdp_host_recv,
    .host_recv_wait = nic_xdp_host_recv_wait,
    .host_send = nic_xdp_host_send,
    .rule_dump = nic_xdp_rule_dump,
};
