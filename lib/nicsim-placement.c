/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim's placement table: connection -> application buffer, and the
 * per-segment place-or-fall-back decision (see nicsim-placement.h). */

#include <config.h>

#include "lib/nicsim-placement.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "packets.h"
#include "util.h"

#define TCP_FIN_ 0x01
#define TCP_SYN_ 0x02
#define TCP_RST_ 0x04

/* Reads of the shared header, with OVS's atomics (which have no
 * atomic_load_explicit() under clang). */
static inline uint32_t
shm_read32(_Atomic uint32_t *p, memory_order order)
{
    uint32_t v;

    atomic_read_explicit(p, &v, order);
    return v;
}

static inline uint64_t
shm_read64(_Atomic uint64_t *p, memory_order order)
{
    uint64_t v;

    atomic_read_explicit(p, &v, order);
    return v;
}

/* A buffer handed over once (nicsim_placement_add_buffer()), which
 * connections of its owner use one at a time. */
struct placement_buffer {
    struct hmap_node node;          /* In table->buffers, by id. */
    uint32_t id;
    uint32_t port;
    uint64_t owner;
    void *mem;
    size_t mem_size;
    uint64_t data_len;
    struct placement_entry *user;   /* The entry placing into it, if any. */
};

struct placement_entry {
    struct hmap_node node;          /* In table->entries, by tuple. */
    uint32_t id;
    uint32_t port;
    uint64_t owner;
    struct nic_placement_tuple tuple;
    struct placement_buffer *buf;   /* Its buffer if shared, else NULL. */

    void *mem;
    size_t mem_size;
    struct nic_placement_shm *hdr;
    uint8_t *data;
    uint64_t data_len;              /* Snapshot: the header's may change. */

    enum nic_placement_shm_state state;
    uint32_t seq0;                  /* Sequence of stream offset 0. */
    uint64_t next;                  /* Next expected stream offset. */
    uint32_t seen_req;              /* Last arm request taken. */
    bool started;                   /* A run has begun since registering. */
    bool after_stop;                /* Armed after a stop. */

    uint64_t bytes_placed, fallbacks, gaps, resyncs;
};

struct placement_addr {
    uint8_t addr[16];
    bool is_ipv6;
};

struct placement_port_addrs {
    struct hmap_node node;          /* By port. */
    uint32_t port;
    size_t n;
    struct placement_addr addrs[NICSIM_PLACEMENT_ADDRS_PER_PORT];
};

struct nicsim_placement_table {
    struct ovs_mutex mutex;
    struct hmap entries OVS_GUARDED;
    struct hmap ports OVS_GUARDED;          /* placement_port_addrs. */
    struct hmap buffers OVS_GUARDED;        /* placement_buffer. */
    uint32_t next_buffer_id OVS_GUARDED;
    struct nic_placement_limits limits OVS_GUARDED;
    uint32_t next_id OVS_GUARDED;
    atomic_uint32_t n_entries;
    nicsim_placement_release_cb *release;
    void *aux;

    struct nic_placement_stats stats OVS_GUARDED;
};

static bool
limits_valid(const struct nic_placement_limits *l)
{
    return l->capacity <= NIC_PLACEMENT_MAX_CAPACITY && l->port_entries >= 1
           && l->port_bytes >= NIC_PLACEMENT_MIN_DATA;
}

struct nicsim_placement_table *
nicsim_placement_create(const struct nic_placement_limits *limits,
                        nicsim_placement_release_cb *release, void *aux)
{
    struct nicsim_placement_table *t = xzalloc(sizeof *t);

    ovs_mutex_init(&t->mutex);
    hmap_init(&t->entries);
    hmap_init(&t->ports);
    hmap_init(&t->buffers);
    t->next_buffer_id = 1;
    if (limits && limits_valid(limits)) {
        t->limits = *limits;
    } else {
        t->limits = (struct nic_placement_limits) {
            .capacity = NIC_PLACEMENT_DEFAULT_CAPACITY,
            .port_entries = NIC_PLACEMENT_DEFAULT_PORT_ENTRIES,
            .port_bytes = NIC_PLACEMENT_DEFAULT_PORT_BYTES,
        };
    }
    t->next_id = 1;
    atomic_init(&t->n_entries, 0);
    t->release = release;
    t->aux = aux;
    return t;
}

static void
entry_free(struct nicsim_placement_table *t, struct placement_entry *e,
           bool on_close)
    OVS_REQUIRES(t->mutex)
{
    /* The application keeps its own mapping: tell it the NIC is gone. */
    atomic_store_explicit(&e->hdr->state, NIC_PLACEMENT_SHM_RELEASED,
                          memory_order_release);
    hmap_remove(&t->entries, &e->node);
    atomic_store_relaxed(&t->n_entries, hmap_count(&t->entries));
    if (on_close) {
        t->stats.released_close++;
    } else {
        t->stats.released_owner++;
    }
    if (e->buf) {
        /* The buffer stays its owner's, for the next connection. */
        e->buf->user = NULL;
    } else if (t->release) {
        t->release(e->mem, e->mem_size, t->aux);
    }
    free(e);
}

static void
buffer_free(struct nicsim_placement_table *t, struct placement_buffer *b)
    OVS_REQUIRES(t->mutex)
{
    if (b->user) {
        entry_free(t, b->user, false);
    }
    hmap_remove(&t->buffers, &b->node);
    if (t->release) {
        t->release(b->mem, b->mem_size, t->aux);
    }
    free(b);
}

void
nicsim_placement_destroy(struct nicsim_placement_table *t)
{
    struct placement_entry *e;
    struct placement_port_addrs *pa;

    if (!t) {
        return;
    }
    ovs_mutex_lock(&t->mutex);
    struct placement_buffer *b;

    HMAP_FOR_EACH_SAFE (e, node, &t->entries) {
        entry_free(t, e, false);
    }
    HMAP_FOR_EACH_SAFE (b, node, &t->buffers) {
        buffer_free(t, b);
    }
    HMAP_FOR_EACH_POP (pa, node, &t->ports) {
        free(pa);
    }
    ovs_mutex_unlock(&t->mutex);
    hmap_destroy(&t->entries);
    hmap_destroy(&t->ports);
    hmap_destroy(&t->buffers);
    ovs_mutex_destroy(&t->mutex);
    free(t);
}

int
nicsim_placement_set_limits(struct nicsim_placement_table *t,
                            const struct nic_placement_limits *l)
{
    if (!limits_valid(l)) {
        return EINVAL;
    }
    ovs_mutex_lock(&t->mutex);
    t->limits = *l;
    ovs_mutex_unlock(&t->mutex);
    return 0;
}

void
nicsim_placement_get_limits(const struct nicsim_placement_table *t_,
                            struct nic_placement_limits *l)
{
    struct nicsim_placement_table *t = CONST_CAST(struct
                                                  nicsim_placement_table *,
                                                  t_);
    ovs_mutex_lock(&t->mutex);
    *l = t->limits;
    ovs_mutex_unlock(&t->mutex);
}

bool
nicsim_placement_active(const struct nicsim_placement_table *t_)
{
    struct nicsim_placement_table *t = CONST_CAST(struct
                                                  nicsim_placement_table *,
                                                  t_);
    uint32_t n;

    atomic_read_relaxed(&t->n_entries, &n);
    return n > 0;
}

/* Learned addresses. */

static struct placement_port_addrs *
port_addrs_find(struct nicsim_placement_table *t, uint32_t port)
    OVS_REQUIRES(t->mutex)
{
    struct placement_port_addrs *pa;

    HMAP_FOR_EACH_WITH_HASH (pa, node, hash_int(port, 0), &t->ports) {
        if (pa->port == port) {
            return pa;
        }
    }
    return NULL;
}

static bool
port_addrs_has(const struct placement_port_addrs *pa, const uint8_t *addr,
               bool is_ipv6)
{
    for (size_t i = 0; pa && i < pa->n; i++) {
        if (pa->addrs[i].is_ipv6 == is_ipv6
            && !memcmp(pa->addrs[i].addr, addr, 16)) {
            return true;
        }
    }
    return false;
}

/* Whether a port other than 'port' sent from 'addr'. */
static bool
addr_used_elsewhere(struct nicsim_placement_table *t, uint32_t port,
                    const uint8_t *addr, bool is_ipv6)
    OVS_REQUIRES(t->mutex)
{
    struct placement_port_addrs *pa;

    HMAP_FOR_EACH (pa, node, &t->ports) {
        if (pa->port != port && port_addrs_has(pa, addr, is_ipv6)) {
            return true;
        }
    }
    return false;
}

void
nicsim_placement_learn(struct nicsim_placement_table *t, uint32_t port,
                       const uint8_t addr[16], bool is_ipv6)
{
    struct placement_port_addrs *pa;

    ovs_mutex_lock(&t->mutex);
    pa = port_addrs_find(t, port);
    if (!pa) {
        pa = xzalloc(sizeof *pa);
        pa->port = port;
        hmap_insert(&t->ports, &pa->node, hash_int(port, 0));
    }
    if (!port_addrs_has(pa, addr, is_ipv6)) {
        /* Full: the oldest address makes room, as a small CAM would. */
        if (pa->n == NICSIM_PLACEMENT_ADDRS_PER_PORT) {
            memmove(&pa->addrs[0], &pa->addrs[1],
                    (pa->n - 1) * sizeof pa->addrs[0]);
            pa->n--;
        }
        memcpy(pa->addrs[pa->n].addr, addr, 16);
        pa->addrs[pa->n].is_ipv6 = is_ipv6;
        pa->n++;
    }
    ovs_mutex_unlock(&t->mutex);
}

void
nicsim_placement_forget_port(struct nicsim_placement_table *t, uint32_t port)
{
    struct placement_port_addrs *pa;

    ovs_mutex_lock(&t->mutex);
    pa = port_addrs_find(t, port);
    if (pa) {
        hmap_remove(&t->ports, &pa->node);
        free(pa);
    }
    ovs_mutex_unlock(&t->mutex);
}

/* Entries. */

static uint32_t
tuple_hash(const struct nic_placement_tuple *tuple)
{
    return hash_bytes(tuple, sizeof *tuple, 0);
}

static struct placement_entry *
entry_find(struct nicsim_placement_table *t,
           const struct nic_placement_tuple *tuple)
    OVS_REQUIRES(t->mutex)
{
    struct placement_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, tuple_hash(tuple), &t->entries) {
        if (!memcmp(&e->tuple, tuple, sizeof *tuple)) {
            return e;
        }
    }
    return NULL;
}

static struct placement_entry *
entry_by_id(struct nicsim_placement_table *t, uint32_t id, uint64_t owner)
    OVS_REQUIRES(t->mutex)
{
    struct placement_entry *e;

    HMAP_FOR_EACH (e, node, &t->entries) {
        if (e->id == id && e->owner == owner) {
            return e;
        }
    }
    return NULL;
}

/* What 'port' has the NIC map: '*n' buffers (a connection's own, or one
 * kept for reuse, used or not) of '*bytes' bytes of ring. */
static void
port_usage(struct nicsim_placement_table *t, uint32_t port,
           uint32_t *n, uint64_t *bytes)
    OVS_REQUIRES(t->mutex)
{
    struct placement_entry *e;
    struct placement_buffer *b;

    *n = 0;
    *bytes = 0;
    HMAP_FOR_EACH (e, node, &t->entries) {
        if (e->port == port && !e->buf) {
            (*n)++;
            *bytes += e->data_len;
        }
    }
    HMAP_FOR_EACH (b, node, &t->buffers) {
        if (b->port == port) {
            (*n)++;
            *bytes += b->data_len;
        }
    }
}

static struct placement_buffer *
buffer_find(struct nicsim_placement_table *t, uint32_t id)
    OVS_REQUIRES(t->mutex)
{
    struct placement_buffer *b;

    HMAP_FOR_EACH_WITH_HASH (b, node, hash_int(id, 0), &t->buffers) {
        if (b->id == id) {
            return b;
        }
    }
    return NULL;
}

static enum nic_placement_refusal
check_buffer(const void *mem, size_t mem_size, uint64_t *data_len)
{
    const struct nic_placement_shm *hdr = mem;

    if (!mem || mem_size < NIC_PLACEMENT_SHM_HDR_SIZE
        + NIC_PLACEMENT_MIN_DATA
        || hdr->magic != NIC_PLACEMENT_SHM_MAGIC
        || hdr->version != NIC_PLACEMENT_SHM_VERSION
        || hdr->hdr_size != NIC_PLACEMENT_SHM_HDR_SIZE) {
        return NIC_PLACEMENT_R_BAD_BUFFER;
    }
    /* The header is the application's: read its length once, and never
     * trust more than the mapping holds. */
    *data_len = hdr->data_len;
    if (*data_len < NIC_PLACEMENT_MIN_DATA
        || *data_len > mem_size - NIC_PLACEMENT_SHM_HDR_SIZE) {
        return NIC_PLACEMENT_R_BAD_BUFFER;
    }
    return NIC_PLACEMENT_N_REFUSALS;
}

static int
refusal_errno(enum nic_placement_refusal r)
{
    switch (r) {
    case NIC_PLACEMENT_R_NOT_OWN_ADDRESS: return EACCES;
    case NIC_PLACEMENT_R_EXISTS: return EEXIST;
    case NIC_PLACEMENT_R_TABLE_FULL: return ENOSPC;
    case NIC_PLACEMENT_R_PORT_ENTRIES:
    case NIC_PLACEMENT_R_PORT_BYTES: return EDQUOT;
    case NIC_PLACEMENT_R_NO_ENTRY:
    case NIC_PLACEMENT_R_NO_BUFFER: return ENOENT;
    case NIC_PLACEMENT_R_BUFFER_BUSY: return EBUSY;
    case NIC_PLACEMENT_R_BAD_BUFFER:
    case NIC_PLACEMENT_R_BAD_PORT:
    case NIC_PLACEMENT_R_MALFORMED:
    case NIC_PLACEMENT_N_REFUSALS:
    default: return EINVAL;
    }
}

static void
publish_state(struct placement_entry *e, enum nic_placement_shm_state s)
{
    e->state = s;
    atomic_store_explicit(&e->hdr->state, s, memory_order_release);
}

/* Takes the owner's arm request: place from 'offset' on. */
static void
entry_arm(struct placement_entry *e, uint32_t req, uint64_t offset)
{
    /* A run after a stop is a resync; a re-arm of a running entry (an
     * application that waits for data arms ahead) is one only if its run
     * has to skip bytes. */
    e->after_stop = e->state == NIC_PLACEMENT_SHM_STOPPED;
    e->seen_req = req;
    e->next = offset;
    if (e->state != NIC_PLACEMENT_SHM_LEARNING) {
        publish_state(e, NIC_PLACEMENT_SHM_ARMED);
    }
}

/* Resets the NIC's side of a header that a new connection uses: a reused
 * buffer still holds the last connection's run and state. */
static void
hdr_reset(struct nic_placement_shm *h)
{
    atomic_store_explicit(&h->stop_reason, NIC_PLACEMENT_NONE,
                          memory_order_relaxed);
    atomic_store_explicit(&h->isn, 0, memory_order_relaxed);
    atomic_store_explicit(&h->start, 0, memory_order_relaxed);
    atomic_store_explicit(&h->next, 0, memory_order_relaxed);
    atomic_store_explicit(&h->n_gaps, 0, memory_order_relaxed);
    atomic_store_explicit(&h->active_req, 0, memory_order_release);
}

/* Finds the buffer a registration is into: 'reg->buffer' of the same
 * owner and port, not in use. */
static enum nic_placement_refusal
reg_buffer(struct nicsim_placement_table *t,
           const struct nicsim_placement_reg *reg,
           struct placement_buffer **bp)
    OVS_REQUIRES(t->mutex)
{
    struct placement_buffer *b = buffer_find(t, reg->buffer);

    if (!b || b->owner != reg->owner || b->port != reg->port) {
        return NIC_PLACEMENT_R_NO_BUFFER;
    }
    if (b->user) {
        return NIC_PLACEMENT_R_BUFFER_BUSY;
    }
    *bp = b;
    return NIC_PLACEMENT_N_REFUSALS;
}

/* Whether 'port' may register connections of local address 'addr'. */
static bool
reg_addr_ok(struct nicsim_placement_table *t, uint32_t port,
            const struct nic_placement_tuple *tu)
    OVS_REQUIRES(t->mutex)
{
    if (addr_used_elsewhere(t, port, tu->local, tu->is_ipv6)) {
        return false;
    }
    return port == NIC_PLACEMENT_HOST
           || port_addrs_has(port_addrs_find(t, port), tu->local,
                             tu->is_ipv6);
}

int
nicsim_placement_register(struct nicsim_placement_table *t,
                          const struct nicsim_placement_reg *reg,
                          uint32_t *idp,
                          enum nic_placement_refusal *refusalp)
{
    enum nic_placement_refusal r = NIC_PLACEMENT_N_REFUSALS;
    const struct nic_placement_tuple *tu = &reg->tuple;
    struct placement_buffer *buf = NULL;
    struct placement_entry *e;
    uint64_t data_len = 0;
    uint64_t bytes;
    uint32_t n;

    ovs_mutex_lock(&t->mutex);
    if (!reg_addr_ok(t, reg->port, tu)) {
        r = NIC_PLACEMENT_R_NOT_OWN_ADDRESS;
        goto out;
    }
    if (entry_find(t, tu)) {
        r = NIC_PLACEMENT_R_EXISTS;
        goto out;
    }
    if (hmap_count(&t->entries) >= t->limits.capacity) {
        r = NIC_PLACEMENT_R_TABLE_FULL;
        goto out;
    }
    if (reg->mem) {
        r = check_buffer(reg->mem, reg->mem_size, &data_len);
    } else {
        r = reg_buffer(t, reg, &buf);
        data_len = buf ? buf->data_len : 0;
    }
    if (r != NIC_PLACEMENT_N_REFUSALS) {
        goto out;
    }
    /* Into a kept buffer, nothing more is mapped: it counted already. */
    port_usage(t, reg->port, &n, &bytes);
    if (!buf && n >= t->limits.port_entries) {
        r = NIC_PLACEMENT_R_PORT_ENTRIES;
        goto out;
    }
    if (!buf && bytes + data_len > t->limits.port_bytes) {
        r = NIC_PLACEMENT_R_PORT_BYTES;
        goto out;
    }

    e = xzalloc(sizeof *e);
    e->id = t->next_id++;
    if (!t->next_id) {
        t->next_id = 1;
    }
    e->port = reg->port;
    e->owner = reg->owner;
    e->tuple = *tu;
    e->buf = buf;
    e->mem = buf ? buf->mem : reg->mem;
    e->mem_size = buf ? buf->mem_size : reg->mem_size;
    e->hdr = e->mem;
    e->data = (uint8_t *) e->mem + NIC_PLACEMENT_SHM_HDR_SIZE;
    e->data_len = data_len;
    if (buf) {
        buf->user = e;
    }
    hdr_reset(e->hdr);
    e->state = reg->has_seq0 ? NIC_PLACEMENT_SHM_ARMED
                             : NIC_PLACEMENT_SHM_LEARNING;
    e->seq0 = reg->seq0;
    entry_arm(e, shm_read32(&e->hdr->arm_req, memory_order_acquire),
              shm_read64(&e->hdr->arm_offset, memory_order_relaxed));
    publish_state(e, e->state);
    if (reg->has_seq0) {
        atomic_store_explicit(&e->hdr->isn, reg->seq0 - 1,
                              memory_order_relaxed);
    }
    hmap_insert(&t->entries, &e->node, tuple_hash(tu));
    atomic_store_relaxed(&t->n_entries, hmap_count(&t->entries));
    t->stats.registered++;
    *idp = e->id;
    r = NIC_PLACEMENT_N_REFUSALS;

out:
    if (r != NIC_PLACEMENT_N_REFUSALS) {
        t->stats.refused[r]++;
    }
    ovs_mutex_unlock(&t->mutex);
    if (refusalp) {
        *refusalp = r;
    }
    return r == NIC_PLACEMENT_N_REFUSALS ? 0 : refusal_errno(r);
}

int
nicsim_placement_add_buffer(struct nicsim_placement_table *t, uint32_t port,
                            uint64_t owner, void *mem, size_t mem_size,
                            uint32_t *idp,
                            enum nic_placement_refusal *refusalp)
{
    enum nic_placement_refusal r;
    struct placement_buffer *b;
    uint64_t data_len, bytes;
    uint32_t n;

    ovs_mutex_lock(&t->mutex);
    r = check_buffer(mem, mem_size, &data_len);
    if (r != NIC_PLACEMENT_N_REFUSALS) {
        goto out;
    }
    port_usage(t, port, &n, &bytes);
    if (bytes + data_len > t->limits.port_bytes) {
        r = NIC_PLACEMENT_R_PORT_BYTES;
        goto out;
    }
    if (n >= t->limits.port_entries) {
        r = NIC_PLACEMENT_R_PORT_ENTRIES;
        goto out;
    }
    /* Skip ids still taken after a wrap. */
    do {
        *idp = t->next_buffer_id++;
    } while (!*idp || buffer_find(t, *idp));
    b = xzalloc(sizeof *b);
    b->id = *idp;
    b->port = port;
    b->owner = owner;
    b->mem = mem;
    b->mem_size = mem_size;
    b->data_len = data_len;
    hmap_insert(&t->buffers, &b->node, hash_int(b->id, 0));

out:
    if (r != NIC_PLACEMENT_N_REFUSALS) {
        t->stats.refused[r]++;
    }
    ovs_mutex_unlock(&t->mutex);
    if (refusalp) {
        *refusalp = r;
    }
    return r == NIC_PLACEMENT_N_REFUSALS ? 0 : refusal_errno(r);
}

void
nicsim_placement_count_refusal(struct nicsim_placement_table *t,
                               enum nic_placement_refusal r)
{
    if (r < NIC_PLACEMENT_N_REFUSALS) {
        ovs_mutex_lock(&t->mutex);
        t->stats.refused[r]++;
        ovs_mutex_unlock(&t->mutex);
    }
}

/* Re-arms (if 'rearm') or frees entry 'id' of 'owner'. */
static int
entry_of_owner_do(struct nicsim_placement_table *t, uint32_t id,
                  uint64_t owner, bool rearm, uint32_t req, uint64_t offset)
{
    struct placement_entry *e;
    int error = 0;

    ovs_mutex_lock(&t->mutex);
    e = entry_by_id(t, id, owner);
    if (!e) {
        t->stats.refused[NIC_PLACEMENT_R_NO_ENTRY]++;
        error = ENOENT;
    } else if (rearm) {
        entry_arm(e, req, offset);
    } else {
        entry_free(t, e, false);
    }
    ovs_mutex_unlock(&t->mutex);
    return error;
}

int
nicsim_placement_rearm(struct nicsim_placement_table *t, uint32_t id,
                       uint64_t owner, uint32_t req, uint64_t offset)
{
    return entry_of_owner_do(t, id, owner, true, req, offset);
}

int
nicsim_placement_unregister(struct nicsim_placement_table *t, uint32_t id,
                            uint64_t owner)
{
    return entry_of_owner_do(t, id, owner, false, 0, 0);
}

static size_t
release_matching(struct nicsim_placement_table *t, bool by_owner,
                 uint64_t key)
{
    struct placement_entry *e;
    size_t n = 0;

    struct placement_buffer *b;

    ovs_mutex_lock(&t->mutex);
    HMAP_FOR_EACH_SAFE (e, node, &t->entries) {
        if (by_owner ? e->owner == key : e->port == key) {
            entry_free(t, e, false);
            n++;
        }
    }
    HMAP_FOR_EACH_SAFE (b, node, &t->buffers) {
        if (by_owner ? b->owner == key : b->port == key) {
            buffer_free(t, b);
        }
    }
    ovs_mutex_unlock(&t->mutex);
    return n;
}

size_t
nicsim_placement_release_owner(struct nicsim_placement_table *t,
                               uint64_t owner)
{
    return release_matching(t, true, owner);
}

size_t
nicsim_placement_release_port(struct nicsim_placement_table *t,
                              uint32_t port)
{
    return release_matching(t, false, port);
}

/* The decision. */

static void
entry_stop(struct nicsim_placement_table *t, struct placement_entry *e,
           enum nic_placement_reason why)
    OVS_REQUIRES(t->mutex)
{
    atomic_store_explicit(&e->hdr->stop_reason, why, memory_order_relaxed);
    atomic_store_explicit(&e->hdr->n_gaps, ++e->gaps, memory_order_relaxed);
    publish_state(e, NIC_PLACEMENT_SHM_STOPPED);
    t->stats.gaps++;
}

/* Copies 'len' bytes for stream offset 'off' into the ring, which the
 * caller checked has room, and publishes them. */
static void
entry_write(struct placement_entry *e, uint64_t off, const uint8_t *src,
            size_t len)
{
    size_t pos = off % e->data_len;
    size_t first = MIN(len, e->data_len - pos);

    memcpy(e->data + pos, src, first);
    memcpy(e->data, src + first, len - first);
    e->next = off + len;
    atomic_store_explicit(&e->hdr->next, e->next, memory_order_release);
}

static enum nic_placement_reason
entry_segment(struct nicsim_placement_table *t, struct placement_entry *e,
              const struct nicsim_placement_seg *seg)
    OVS_REQUIRES(t->mutex)
{
    uint32_t req = shm_read32(&e->hdr->arm_req, memory_order_acquire);
    const uint8_t *payload = seg->payload;
    size_t len = seg->len;
    uint64_t off, consumed;
    int32_t d;

    if (e->state == NIC_PLACEMENT_SHM_LEARNING) {
        if (seg->tcp_flags & TCP_SYN_) {
            /* The peer's SYN or SYN-ACK: its data starts one later. */
            e->seq0 = seg->seq + 1;
            atomic_store_explicit(&e->hdr->isn, seg->seq,
                                  memory_order_relaxed);
            publish_state(e, NIC_PLACEMENT_SHM_ARMED);
        }
        return len ? NIC_PLACEMENT_NO_ISN : NIC_PLACEMENT_NONE;
    }
    if ((int32_t) (req - e->seen_req) > 0) {
        /* A newer request than any taken (the control path's too). */
        entry_arm(e, req,
                  shm_read64(&e->hdr->arm_offset, memory_order_relaxed));
    }
    if (!len) {
        return NIC_PLACEMENT_NONE;
    }
    if (seg->tcp_flags & TCP_SYN_) {
        /* Data on a SYN starts at ISN + 1; rare, not worth placing. */
        return NIC_PLACEMENT_DUPLICATE;
    }

    /* Where the segment starts, relative to the next expected byte; the
     * 32-bit difference is what handles the wrap of the sequence space. */
    d = (int32_t) (seg->seq - (uint32_t) (e->seq0 + e->next));
    if (d < 0) {
        uint32_t behind = -(int64_t) d;

        if (behind >= len || (uint64_t) behind > e->next) {
            return e->state == NIC_PLACEMENT_SHM_ARMED
                   ? NIC_PLACEMENT_BEFORE_ARM : NIC_PLACEMENT_DUPLICATE;
        }
        /* A retransmit that also carries new bytes: place the tail. */
        payload += behind;
        len -= behind;
        d = 0;
    }
    off = e->next + (uint32_t) d;

    if (e->state == NIC_PLACEMENT_SHM_STOPPED) {
        return NIC_PLACEMENT_STOPPED;
    }
    if (e->state == NIC_PLACEMENT_SHM_ACTIVE && d > 0) {
        entry_stop(t, e, NIC_PLACEMENT_GAP);
        return NIC_PLACEMENT_GAP;
    }

    consumed = shm_read64(&e->hdr->consumed, memory_order_acquire);
    if (off < consumed) {
        /* The application read these bytes already (from the socket). */
        return NIC_PLACEMENT_DUPLICATE;
    }
    if (off + len - consumed > e->data_len) {
        if (e->state == NIC_PLACEMENT_SHM_ACTIVE) {
            entry_stop(t, e, NIC_PLACEMENT_BUFFER_END);
        }
        return NIC_PLACEMENT_BUFFER_END;
    }

    if (e->state == NIC_PLACEMENT_SHM_ARMED) {
        /* A new run: the application reads the socket up to 'start'. */
        if (e->started && (e->after_stop || d > 0)) {
            e->resyncs++;
            t->stats.resyncs++;
        }
        e->started = true;
        atomic_store_explicit(&e->hdr->start, off, memory_order_relaxed);
        atomic_store_explicit(&e->hdr->next, off, memory_order_relaxed);
        atomic_store_explicit(&e->hdr->active_req, e->seen_req,
                              memory_order_release);
        publish_state(e, NIC_PLACEMENT_SHM_ACTIVE);
    }
    entry_write(e, off, payload, len);
    e->bytes_placed += len;
    t->stats.bytes_placed += len;
    t->stats.segs_placed++;
    return NIC_PLACEMENT_NONE;
}

static void
tuple_reverse(const struct nic_placement_tuple *in,
              struct nic_placement_tuple *out)
{
    *out = *in;
    memcpy(out->local, in->remote, 16);
    memcpy(out->remote, in->local, 16);
    out->local_port = in->remote_port;
    out->remote_port = in->local_port;
}

enum nicsim_placement_verdict
nicsim_placement_segment(struct nicsim_placement_table *t,
                         const struct nicsim_placement_seg *seg,
                         enum nic_placement_reason *reasonp)
{
    enum nicsim_placement_verdict v = NICSIM_PLACEMENT_IGNORED;
    enum nic_placement_reason reason = NIC_PLACEMENT_NONE;
    struct placement_entry *e;

    if (!nicsim_placement_active(t)) {
        goto out;
    }
    ovs_mutex_lock(&t->mutex);
    e = entry_find(t, &seg->tuple);
    if (seg->bad_checksum) {
        /* The stack will drop it, and the peer send it again: placing it
         * would put wrong bytes in the buffer, and believing its flags
         * could release a live connection.  Counted, nothing else. */
        if (e || seg->len) {
            reason = NIC_PLACEMENT_BAD_CHECKSUM;
            t->stats.fallbacks[reason]++;
            v = NICSIM_PLACEMENT_FALLBACK;
            if (e) {
                e->fallbacks++;
            }
        }
        ovs_mutex_unlock(&t->mutex);
        goto out;
    }
    if (!e) {
        if (seg->tcp_flags & TCP_RST_) {
            /* The local side resetting its own connection. */
            struct nic_placement_tuple rev;

            tuple_reverse(&seg->tuple, &rev);
            e = entry_find(t, &rev);
            if (e) {
                entry_free(t, e, true);
            }
        } else if (seg->len && seg->port != NIC_PLACEMENT_HOST) {
            /* Counted where segments reach their VF, not on the way. */
            reason = NIC_PLACEMENT_UNKNOWN;
            t->stats.fallbacks[reason]++;
            v = NICSIM_PLACEMENT_FALLBACK;
        }
        ovs_mutex_unlock(&t->mutex);
        goto out;
    }
    if (e->port != seg->port) {
        if (seg->port == NIC_PLACEMENT_HOST) {
            /* On its way to a VF through the host's switch: the VF's
             * transmit decides. */
            ovs_mutex_unlock(&t->mutex);
            goto out;
        }
        reason = NIC_PLACEMENT_WRONG_PORT;
    } else {
        reason = entry_segment(t, e, seg);
    }
    if (reason != NIC_PLACEMENT_NONE) {
        e->fallbacks++;
        t->stats.fallbacks[reason]++;
        v = NICSIM_PLACEMENT_FALLBACK;
    } else if (seg->len) {
        v = NICSIM_PLACEMENT_PLACED;
    }
    if (seg->tcp_flags & (TCP_FIN_ | TCP_RST_) && e->port == seg->port) {
        /* No more data will come: let the buffer go. */
        entry_free(t, e, true);
    }
    ovs_mutex_unlock(&t->mutex);

out:
    if (reasonp) {
        *reasonp = reason;
    }
    return v;
}

/* Introspection. */

void
nicsim_placement_get_stats(struct nicsim_placement_table *t,
                           struct nic_placement_stats *st)
{
    ovs_mutex_lock(&t->mutex);
    struct placement_buffer *b;

    *st = t->stats;
    st->n_entries = hmap_count(&t->entries);
    st->n_buffers = hmap_count(&t->buffers);
    st->buffer_bytes = 0;
    HMAP_FOR_EACH (b, node, &t->buffers) {
        st->buffer_bytes += b->data_len;
    }
    st->limits = t->limits;
    ovs_mutex_unlock(&t->mutex);
}

static int
entry_info_cmp(const void *a_, const void *b_)
{
    const struct nic_placement_entry_info *a = a_, *b = b_;

    return a->id < b->id ? -1 : a->id > b->id;
}

size_t
nicsim_placement_dump(struct nicsim_placement_table *t,
                      struct nic_placement_entry_info **infop)
{
    struct nic_placement_entry_info *info;
    struct placement_entry *e;
    size_t n = 0;

    ovs_mutex_lock(&t->mutex);
    info = xcalloc(MAX(1, hmap_count(&t->entries)), sizeof *info);
    HMAP_FOR_EACH (e, node, &t->entries) {
        struct nic_placement_entry_info *i = &info[n++];

        i->id = e->id;
        i->port = e->port;
        i->owner = e->owner;
        i->tuple = e->tuple;
        i->state = e->state;
        i->stop_reason = shm_read32(&e->hdr->stop_reason,
                                    memory_order_relaxed);
        i->data_len = e->data_len;
        i->start = shm_read64(&e->hdr->start, memory_order_relaxed);
        i->next = e->next;
        i->consumed = shm_read64(&e->hdr->consumed, memory_order_relaxed);
        i->bytes_placed = e->bytes_placed;
        i->fallbacks = e->fallbacks;
        i->gaps = e->gaps;
        i->resyncs = e->resyncs;
    }
    ovs_mutex_unlock(&t->mutex);
    qsort(info, n, sizeof *info, entry_info_cmp);
    *infop = info;
    return n;
}
