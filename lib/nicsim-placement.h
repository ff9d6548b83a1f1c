/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_PLACEMENT_H
#define NICSIM_PLACEMENT_H 1

/* nicsim's placement table: a map from a TCP connection to an application
 * buffer (lib/nic-placement-shm.h) with the next expected sequence number,
 * and the per-segment decision that writes in-order payload into the
 * buffer.  Pure logic: the pipeline hands it a parsed segment, the control
 * socket registrations; it never sees a packet buffer or a socket.
 *
 * Isolation: an entry belongs to one NIC port (a VF, or the host) and to
 * one owner (a control connection); a port may register only connections
 * whose local address is one the table learned from that port's own
 * traffic (nicsim_placement_learn()), and an address two ports sent from
 * belongs to neither.  The host may register any address no VF sent from.
 * The table writes only inside [data, data + data_len) of a registered
 * buffer, with data_len taken once at registration and checked against
 * the mapping's size. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-placement-shm.h"
#include "openvswitch/types.h"

#define NICSIM_PLACEMENT_HOST UINT32_MAX    /* The host's own stack. */
#define NICSIM_PLACEMENT_DEFAULT_CAPACITY 256
#define NICSIM_PLACEMENT_DEFAULT_PORT_ENTRIES 64
#define NICSIM_PLACEMENT_DEFAULT_PORT_BYTES (256ULL << 20)
#define NICSIM_PLACEMENT_MIN_DATA 4096      /* Smallest ring accepted. */
#define NICSIM_PLACEMENT_ADDRS_PER_PORT 8   /* Learned addresses kept. */

/* A connection from the receiver's side.  IPv4 addresses in the first 4
 * bytes, the rest zero, as in struct nic_flow_key. */
struct nicsim_placement_tuple {
    uint8_t local[16];
    uint8_t remote[16];
    ovs_be16 local_port;
    ovs_be16 remote_port;
    uint8_t is_ipv6;
    uint8_t pad[3];
};

/* Why a registration (or a re-arm or unregistration) was refused. */
#define NICSIM_PLACEMENT_REFUSALS                                          \
    NICSIM_PLACEMENT_REFUSAL(NOT_OWN_ADDRESS, "not-own-address",           \
                     "local address is not one the port sent from")        \
    NICSIM_PLACEMENT_REFUSAL(EXISTS, "exists",                             \
                     "connection already registered")                      \
    NICSIM_PLACEMENT_REFUSAL(TABLE_FULL, "table-full",                     \
                     "placement table full")                               \
    NICSIM_PLACEMENT_REFUSAL(PORT_ENTRIES, "port-entries",                 \
                     "port's entry limit reached")                         \
    NICSIM_PLACEMENT_REFUSAL(PORT_BYTES, "port-bytes",                     \
                     "port's buffer byte limit reached")                   \
    NICSIM_PLACEMENT_REFUSAL(BAD_BUFFER, "bad-buffer",                     \
                     "buffer too small, bad header or bad fd")             \
    NICSIM_PLACEMENT_REFUSAL(BAD_PORT, "bad-port", "no such port")         \
    NICSIM_PLACEMENT_REFUSAL(NO_ENTRY, "no-entry",                         \
                     "no such entry of this owner")                        \
    NICSIM_PLACEMENT_REFUSAL(MALFORMED, "malformed",                       \
                     "malformed control message")

enum nicsim_placement_refusal {
#define NICSIM_PLACEMENT_REFUSAL(ENUM, NAME, DESC) NICSIM_PLACEMENT_R_##ENUM,
    NICSIM_PLACEMENT_REFUSALS
#undef NICSIM_PLACEMENT_REFUSAL
    NICSIM_PLACEMENT_N_REFUSALS
};

const char *nicsim_placement_refusal_name(enum nicsim_placement_refusal);
const char *nicsim_placement_refusal_desc(enum nicsim_placement_refusal);
const char *nicsim_placement_reason_name(enum nic_placement_reason);

struct nicsim_placement_limits {
    uint32_t capacity;              /* Entries in the table. */
    uint32_t port_entries;          /* Entries per port. */
    uint64_t port_bytes;            /* Buffer bytes per port. */
};

/* Releases a buffer the table let go of (e.g. munmap()). */
typedef void nicsim_placement_release_cb(void *mem, size_t size, void *aux);

struct nicsim_placement_table;

struct nicsim_placement_table *nicsim_placement_create(
    const struct nicsim_placement_limits *,
    nicsim_placement_release_cb *, void *aux);
/* Releases every buffer and frees the table. */
void nicsim_placement_destroy(struct nicsim_placement_table *);

/* Changes the limits; entries already in the table stay.  Returns 0 or
 * EINVAL (capacity 0 is valid: nothing can register). */
int nicsim_placement_set_limits(struct nicsim_placement_table *,
                                const struct nicsim_placement_limits *);
void nicsim_placement_get_limits(const struct nicsim_placement_table *,
                                 struct nicsim_placement_limits *);

/* Records that 'port' sent a packet from 'addr'. */
void nicsim_placement_learn(struct nicsim_placement_table *, uint32_t port,
                            const uint8_t addr[16], bool is_ipv6);
/* Forgets what 'port' sent from (its medium changed). */
void nicsim_placement_forget_port(struct nicsim_placement_table *,
                                  uint32_t port);

struct nicsim_placement_reg {
    struct nicsim_placement_tuple tuple;
    uint32_t port;                  /* VF port or NICSIM_PLACEMENT_HOST. */
    uint64_t owner;                 /* Whoever may re-arm and release. */
    void *mem;                      /* Shared buffer: header, then data. */
    size_t mem_size;                /* Size of the mapping. */
    bool has_seq0;                  /* Else learned from the handshake. */
    uint32_t seq0;                  /* Sequence of stream offset 0. */
};

/* Registers a connection.  On success returns 0, stores the entry id in
 * '*idp' and the table owns 'mem' (released with the callback).  On
 * failure returns a positive errno (EACCES, EEXIST, ENOSPC, EDQUOT,
 * EINVAL), stores the refusal in '*refusal', counts it, and 'mem' stays
 * the caller's. */
int nicsim_placement_register(struct nicsim_placement_table *,
                              const struct nicsim_placement_reg *,
                              uint32_t *idp,
                              enum nicsim_placement_refusal *refusal);

/* Re-arms entry 'id' at stream offset 'offset', as if the owner had
 * stored it in the header (arm_offset, then arm_req = 'req').  Returns 0
 * or ENOENT. */
int nicsim_placement_rearm(struct nicsim_placement_table *, uint32_t id,
                           uint64_t owner, uint32_t req, uint64_t offset);
/* Counts a refusal seen outside the table (e.g. a malformed message). */
void nicsim_placement_count_refusal(struct nicsim_placement_table *,
                                    enum nicsim_placement_refusal);

/* Removes one entry of 'owner', or every entry of an owner or a port.
 * Return 0 or ENOENT, or the number removed. */
int nicsim_placement_unregister(struct nicsim_placement_table *, uint32_t id,
                                uint64_t owner);
size_t nicsim_placement_release_owner(struct nicsim_placement_table *,
                                      uint64_t owner);
size_t nicsim_placement_release_port(struct nicsim_placement_table *,
                                     uint32_t port);

/* A TCP segment, as the pipeline parsed it, on its way to 'port'. */
struct nicsim_placement_seg {
    struct nicsim_placement_tuple tuple;    /* local = destination. */
    uint32_t port;                  /* Where it goes (VF or host). */
    uint32_t seq;
    uint16_t tcp_flags;             /* Host byte order: FIN 0x1, SYN 0x2,
                                     * RST 0x4. */
    const uint8_t *payload;
    size_t len;
};

enum nicsim_placement_verdict {
    NICSIM_PLACEMENT_IGNORED,       /* No entry, or nothing to place. */
    NICSIM_PLACEMENT_PLACED,        /* Payload (or its new tail) placed. */
    NICSIM_PLACEMENT_FALLBACK,      /* Not placed; see '*reason'. */
};

/* Decides on one segment and places its payload if it is in order and
 * fits.  Segments in the other direction (local = source) are looked at
 * only for RST.  Thread-safe; cheap when the table is empty. */
enum nicsim_placement_verdict nicsim_placement_segment(
    struct nicsim_placement_table *, const struct nicsim_placement_seg *,
    enum nic_placement_reason *reason);

/* Whether anything is registered (a relaxed read, for the pipeline). */
bool nicsim_placement_active(const struct nicsim_placement_table *);

struct nicsim_placement_stats {
    uint32_t n_entries;
    struct nicsim_placement_limits limits;
    uint64_t bytes_placed, segs_placed;
    uint64_t fallbacks[NIC_N_PLACEMENT_REASONS];
    uint64_t gaps;                  /* Times an entry stopped. */
    uint64_t resyncs;               /* Runs begun after a re-arm. */
    uint64_t registered;
    uint64_t refused[NICSIM_PLACEMENT_N_REFUSALS];
    uint64_t released_close;        /* On FIN or RST. */
    uint64_t released_owner;        /* Owner or port gone, unregister. */
};

struct nicsim_placement_entry_info {
    uint32_t id;
    uint32_t port;
    uint64_t owner;
    struct nicsim_placement_tuple tuple;
    enum nic_placement_shm_state state;
    enum nic_placement_reason stop_reason;
    uint64_t data_len;
    uint64_t start, next, consumed;
    uint64_t bytes_placed;
    uint64_t fallbacks, gaps, resyncs;
};

void nicsim_placement_get_stats(struct nicsim_placement_table *,
                                struct nicsim_placement_stats *);
/* Returns the number of entries and a malloc'd array of them, by id. */
size_t nicsim_placement_dump(struct nicsim_placement_table *,
                             struct nicsim_placement_entry_info **);

const char *nicsim_placement_state_name(enum nic_placement_shm_state);

/* Formats 'tuple' as "LOCAL:PORT<-REMOTE:PORT". */
struct ds;
void nicsim_placement_tuple_format(const struct nicsim_placement_tuple *,
                                   struct ds *);

#endif /* nicsim-placement.h */
