/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_CHANNEL_H
#define NICSIM_CHANNEL_H 1

/* The reference NIC's control endpoint: a JSON-RPC server (protocol in
 * lib/offload-channel.h) on one of OVS's passive streams, "pssl:" in
 * production, through which the host and external controllers manage the
 * NIC's encapsulation mappings.  It changes the NIC only through lib/nic.h,
 * so it serves any backend's table.
 *
 * nicsim lives inside ovs-vswitchd-offload, whose SSL key, certificate and
 * CA are process-wide in OVS's stream layer: the endpoint therefore
 * presents the same certificate as the host and trusts the same CA.  It
 * runs from the daemon's main loop (nicsim_channel_run()/wait()). */

#include <stdint.h>

struct ds;
struct json;
struct nic;

struct nicsim_channel_stats {
    uint64_t accepted;          /* Connections accepted. */
    uint64_t failed;            /* Connections that ended in an error
                                 * (a refused certificate, a broken SSL
                                 * record, a reset). */
    uint64_t closed;            /* Connections the peer closed cleanly. */
    uint64_t oversized;         /* Closed for a message too large. */
    uint64_t requests;          /* Requests answered with a result. */
    uint64_t refused;           /* Requests answered with an error. */
    uint64_t added, modified, deleted;  /* Mappings. */
    uint64_t keys_added, keys_deleted;  /* Sealing keys. */
    uint64_t learned_reports;   /* Learned or moved mappings reported. */
    uint64_t dropped_reports;   /* Dropped ones. */
    uint64_t reports_skipped;   /* Not sent to a connection with a large
                                 * backlog. */
};

/* Starts serving 'nic' on 'target' (e.g. "pssl:6640:127.0.0.1"), replacing
 * an earlier endpoint of the NIC.  Returns 0, or a positive errno with a
 * malloc'd message in '*errorp'. */
int nicsim_channel_listen(struct nic *, const char *target, char **errorp);
/* Stops serving 'nic' and closes its connections: 0 or ENOENT. */
int nicsim_channel_close(const struct nic *);

void nicsim_channel_run(void);
void nicsim_channel_wait(void);

/* The state of 'nic''s endpoint: ENOENT if there is none. */
int nicsim_channel_to_json(const struct nic *, struct json **);
int nicsim_channel_format(const struct nic *, struct ds *);

#endif /* nicsim-channel.h */
