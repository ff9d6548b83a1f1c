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

#include "lib/nic-placement.h"

#define NICSIM_PLACEMENT_ADDRS_PER_PORT 8   /* Learned addresses kept. */

/* Releases a buffer the table let go of (e.g. munmap()). */
typedef void nicsim_placement_release_cb(void *mem, size_t size, void *aux);

struct nicsim_placement_table;

struct nicsim_placement_table *nicsim_placement_create(
    const struct nic_placement_limits *,
    nicsim_placement_release_cb *, void *aux);
/* Releases every buffer and frees the table. */
void nicsim_placement_destroy(struct nicsim_placement_table *);

/* Changes the limits; entries already in the table stay.  Returns 0 or
 * EINVAL (capacity 0 is valid: nothing can register). */
int nicsim_placement_set_limits(struct nicsim_placement_table *,
                                const struct nic_placement_limits *);
void nicsim_placement_get_limits(const struct nicsim_placement_table *,
                                 struct nic_placement_limits *);

/* Records that 'port' sent a packet from 'addr'. */
void nicsim_placement_learn(struct nicsim_placement_table *, uint32_t port,
                            const uint8_t addr[16], bool is_ipv6);
/* Forgets what 'port' sent from (its medium changed). */
void nicsim_placement_forget_port(struct nicsim_placement_table *,
                                  uint32_t port);

struct nicsim_placement_reg {
    struct nic_placement_tuple tuple;
    uint32_t port;                  /* VF port or NIC_PLACEMENT_HOST. */
    uint64_t owner;                 /* Whoever may re-arm and release. */
    void *mem;                      /* Shared buffer: header, then data. */
    size_t mem_size;                /* Size of the mapping. */
    uint32_t buffer;                /* Else a buffer of nicsim_placement_
                                     * add_buffer() ('mem' NULL). */
    bool has_seq0;                  /* Else learned from the handshake. */
    uint32_t seq0;                  /* Sequence of stream offset 0. */
};

/* Takes a buffer that connections of 'port' and 'owner' then register
 * into one at a time (reg->buffer), so that an application that opens
 * connection after connection hands over and maps one buffer only.  It
 * counts against the port's limits (as one entry, and its bytes) until
 * the owner or the port goes, whether a connection uses it or not.
 * Returns 0 and its id in '*idp' (the table then owns 'mem'), or a
 * positive errno and the refusal in '*refusal' ('mem' stays the
 * caller's). */
int nicsim_placement_add_buffer(struct nicsim_placement_table *,
                                uint32_t port, uint64_t owner, void *mem,
                                size_t mem_size, uint32_t *idp,
                                enum nic_placement_refusal *refusal);

/* Registers a connection.  On success returns 0, stores the entry id in
 * '*idp' and the table owns 'mem' (released with the callback).  On
 * failure returns a positive errno (EACCES, EEXIST, ENOSPC, EDQUOT,
 * EINVAL, EBUSY), stores the refusal in '*refusal', counts it, and 'mem'
 * stays the caller's.  An accepted buffer's header has the table's side
 * (state, run, counters) reset: a reused buffer starts clean. */
int nicsim_placement_register(struct nicsim_placement_table *,
                              const struct nicsim_placement_reg *,
                              uint32_t *idp,
                              enum nic_placement_refusal *refusal);

/* Re-arms entry 'id' at stream offset 'offset', as if the owner had
 * stored it in the header (arm_offset, then arm_req = 'req').  Returns 0
 * or ENOENT. */
int nicsim_placement_rearm(struct nicsim_placement_table *, uint32_t id,
                           uint64_t owner, uint32_t req, uint64_t offset);
/* Counts a refusal seen outside the table (e.g. a malformed message). */
void nicsim_placement_count_refusal(struct nicsim_placement_table *,
                                    enum nic_placement_refusal);

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
    struct nic_placement_tuple tuple;    /* local = destination. */
    uint32_t port;                  /* Where it goes (VF or host). */
    uint32_t seq;
    uint16_t tcp_flags;             /* Host byte order: FIN 0x1, SYN 0x2,
                                     * RST 0x4. */
    const uint8_t *payload;
    size_t len;
    bool bad_checksum;              /* Its TCP checksum is wrong. */
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

void nicsim_placement_get_stats(struct nicsim_placement_table *,
                                struct nic_placement_stats *);
/* Returns the number of entries and a malloc'd array of them, by id. */
size_t nicsim_placement_dump(struct nicsim_placement_table *,
                             struct nic_placement_entry_info **);

#endif /* nicsim-placement.h */
