/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_PLACEMENT_H
#define NIC_PLACEMENT_H 1

/* Direct data placement, NIC-neutral part: the connection tuple, limits,
 * reasons and counters that every NIC with a placement table reports
 * through lib/nic.h, and the parser of the control messages that
 * applications send (lib/nic-placement-shm.h has their layout). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-placement-shm.h"
#include "openvswitch/types.h"

struct ds;

#define NIC_PLACEMENT_HOST UINT32_MAX   /* NIC port number of the host. */
#define NIC_PLACEMENT_DEFAULT_CAPACITY 256
#define NIC_PLACEMENT_DEFAULT_PORT_ENTRIES 64
#define NIC_PLACEMENT_DEFAULT_PORT_BYTES (256ULL << 20)
#define NIC_PLACEMENT_MAX_CAPACITY 65536
#define NIC_PLACEMENT_MIN_DATA 4096     /* Smallest ring accepted. */
#define NIC_PLACEMENT_MAX_DATA (1ULL << 32)     /* Largest ring. */

/* A connection from the receiver's side.  IPv4 addresses in the first 4
 * bytes, the rest zero, as in struct nic_flow_key. */
struct nic_placement_tuple {
    uint8_t local[16];
    uint8_t remote[16];
    ovs_be16 local_port;
    ovs_be16 remote_port;
    uint8_t is_ipv6;
    uint8_t pad[3];
};

/* Why a registration (or a re-arm or unregistration) was refused. */
#define NIC_PLACEMENT_REFUSALS                                                \
    NIC_PLACEMENT_REFUSAL(NOT_OWN_ADDRESS, "not-own-address",                 \
        "local address is not one the port sent from")                        \
    NIC_PLACEMENT_REFUSAL(EXISTS, "exists",                                   \
        "connection already registered")                                      \
    NIC_PLACEMENT_REFUSAL(TABLE_FULL, "table-full",                           \
        "placement table full")                                               \
    NIC_PLACEMENT_REFUSAL(PORT_ENTRIES, "port-entries",                       \
        "port's entry limit reached")                                         \
    NIC_PLACEMENT_REFUSAL(PORT_BYTES, "port-bytes",                           \
        "port's buffer byte limit reached")                                   \
    NIC_PLACEMENT_REFUSAL(BAD_BUFFER, "bad-buffer",                           \
        "buffer too small, bad header or bad fd")                             \
    NIC_PLACEMENT_REFUSAL(BAD_PORT, "bad-port", "no such port")               \
    NIC_PLACEMENT_REFUSAL(NO_ENTRY, "no-entry",                               \
        "no such entry of this owner")                                        \
    NIC_PLACEMENT_REFUSAL(MALFORMED, "malformed",                             \
        "malformed control message")                                          \
    NIC_PLACEMENT_REFUSAL(NO_BUFFER, "no-buffer",                             \
        "no such buffer of this owner and port")                              \
    NIC_PLACEMENT_REFUSAL(BUFFER_BUSY, "buffer-busy",                         \
        "buffer in use by another connection")

enum nic_placement_refusal {
#define NIC_PLACEMENT_REFUSAL(ENUM, NAME, DESC) NIC_PLACEMENT_R_##ENUM,
    NIC_PLACEMENT_REFUSALS
#undef NIC_PLACEMENT_REFUSAL
    NIC_PLACEMENT_N_REFUSALS
};

struct nic_placement_limits {
    uint32_t capacity;              /* Entries in the table. */
    uint32_t port_entries;          /* Entries per port. */
    uint64_t port_bytes;            /* Buffer bytes per port. */
};

struct nic_placement_stats {
    uint32_t n_entries;
    uint32_t n_buffers;             /* Handed over for connection after
                                     * connection (BUFFER messages). */
    uint64_t buffer_bytes;          /* Their rings' bytes. */
    struct nic_placement_limits limits;
    uint64_t bytes_placed, segs_placed;
    uint64_t fallbacks[NIC_N_PLACEMENT_REASONS];
    uint64_t gaps;                  /* Times an entry stopped. */
    uint64_t resyncs;               /* Runs begun after a re-arm. */
    uint64_t registered;
    uint64_t refused[NIC_PLACEMENT_N_REFUSALS];
    uint64_t released_close;        /* On FIN or RST. */
    uint64_t released_owner;        /* Owner or port gone, unregister. */
};

struct nic_placement_entry_info {
    uint32_t id;
    uint32_t port;
    uint64_t owner;
    struct nic_placement_tuple tuple;
    enum nic_placement_shm_state state;
    enum nic_placement_reason stop_reason;
    uint64_t data_len;
    uint64_t start, next, consumed;
    uint64_t bytes_placed;
    uint64_t fallbacks, gaps, resyncs;
};

const char *nic_placement_refusal_name(enum nic_placement_refusal);
const char *nic_placement_refusal_desc(enum nic_placement_refusal);
const char *nic_placement_reason_name(enum nic_placement_reason);
const char *nic_placement_reason_desc(enum nic_placement_reason);
const char *nic_placement_state_name(enum nic_placement_shm_state);

/* Formats 'tuple' as "LOCAL:PORT<-REMOTE:PORT". */
void nic_placement_tuple_format(const struct nic_placement_tuple *,
                                struct ds *);

/* A control message, parsed. */
struct nic_placement_msg {
    enum nic_placement_msg_type type;
    uint32_t xid;
    /* REGISTER. */
    uint32_t vf;                    /* VF number or NIC_PLACEMENT_PORT_HOST. */
    struct nic_placement_tuple tuple;
    bool has_seq0;
    uint32_t seq0;
    /* ATTACH: also the REGISTER fields above. */
    uint32_t buffer;
    /* REARM, UNREGISTER. */
    uint32_t id;
    uint32_t req;
    uint64_t offset;
};

/* Parses one datagram of 'len' bytes received on a control socket.
 * Returns 0, or EINVAL with a static message in '*errorp' (and the xid,
 * if the header was readable, in msg->xid).  Pure: never reads past
 * 'len', never allocates. */
int nic_placement_msg_parse(const void *buf, size_t len,
                            struct nic_placement_msg *msg,
                            const char **errorp);

#endif /* nic-placement.h */
