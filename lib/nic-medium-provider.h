/* SPDX-License-Identifier: Apache-2.0 */
/* The interface between nic-media.c and the classes of media, one class per
 * kind of medium, as OVS's stream-provider.h is for streams. */
#ifndef NIC_MEDIUM_PROVIDER_H
#define NIC_MEDIUM_PROVIDER_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/nic-media.h"
#include "openvswitch/compiler.h"
#include "openvswitch/vlog.h"

/* The part of every medium that nic-media.c owns.  A class embeds it in its
 * own struct (usually as member 'up') and gets back to its struct with
 * CONTAINER_OF(). */
struct nic_medium {
    const struct nic_medium_class *class;
    char *spec;                 /* As given to nic_medium_open(). */
    char *claim;                /* Held by nic_medium_claim(), or NULL. */

    /* A class counts here what it could not receive or send; the caller's
     * wrappers count here what they drop themselves. */
    struct nic_medium_stats stats;
};

/* One kind of medium.  nic-media.c is the only caller of these members: it
 * gives each optional member its fallback, so a class leaves out what it
 * has nothing to do for.  A medium is used by one thread at a time (see
 * nic-media.h), so its members need no locks; only claims are shared
 * between media, and nic_medium_claim() locks them. */
struct nic_medium_class {
    /* The spec's prefix, "afpacket" in "afpacket:eth1". */
    const char *name;

    /* Whether the spec has an argument after "NAME:" (required, nonempty),
     * or is the bare name (then "NAME:..." is an unknown medium). */
    bool takes_arg;

    /* Opens a medium on 'arg', the part of 'spec' after "NAME:" (or ""
     * for a class that takes none).
     *
     * Allocates the class's struct, calls nic_medium_init() on its
     * embedded struct nic_medium before anything can fail, and stores it
     * in '*mp'.  Returns 0, or a positive errno with a message for the
     * user in '*errorp' (see nic_medium_error()); on failure the medium
     * stays in '*mp' and the caller closes it, so that a class writes its
     * clean-up once, in 'close'. */
    int (*open)(const char *spec, const char *arg, struct nic_medium **mp,
                char **errorp);

    /* Releases everything the medium holds and frees it, also for a medium
     * whose 'open' failed part way.  The members of struct nic_medium are
     * the caller's to free. */
    void (*close)(struct nic_medium *);

    /* Receives up to 'max' frames into 'pkts' without blocking and returns
     * how many (0 when there is none).  The caller owns the packets.  A
     * frame longer than NIC_MAX_FRAME may be returned: the caller drops and
     * counts it. */
    int (*recv)(struct nic_medium *, struct dp_packet **pkts, int max);

    /* Sends one frame without taking ownership.  Returns 0 or a positive
     * errno, having counted the failure in the medium's tx_errors.
     *
     * Optional: absent, the medium discards what it is sent, and each
     * send succeeds. */
    int (*send)(struct nic_medium *, const struct dp_packet *);

    /* Sends 'n' frames without taking ownership, in as few system calls as
     * the medium allows.  Returns how many were sent, with their bytes in
     * '*bytes', having counted every other one in tx_errors.
     *
     * Optional: absent, the caller calls 'send' once per frame. */
    int (*send_batch)(struct nic_medium *, struct dp_packet **pkts, int n,
                      uint64_t *bytes);

    /* Does periodic work (reconnecting, following an interface), before
     * each 'recv'.
     *
     * Optional: absent, the medium has none. */
    void (*run)(struct nic_medium *);

    /* Arranges for poll_block() to wake when 'recv' may return frames or
     * 'run' has work.
     *
     * Optional: absent, the medium never wakes the engine (it has nothing
     * to receive). */
    void (*wait)(struct nic_medium *);

    /* Whether the medium can carry frames now.
     *
     * Optional: absent, the medium is always up. */
    bool (*link_up)(const struct nic_medium *);

    /* Adds to '*stats', which holds the counters of struct nic_medium, what
     * the medium counts elsewhere (in the kernel, in a ring shared with
     * it).
     *
     * Optional: absent, the counters of struct nic_medium are all. */
    void (*get_stats)(const struct nic_medium *, struct nic_medium_stats *);
};

/* The built-in classes, which nic_medium_open() picks by name. */
extern const struct nic_medium_class nic_medium_afpacket_class;
extern const struct nic_medium_class nic_medium_punix_class;
extern const struct nic_medium_class nic_medium_unix_class;
extern const struct nic_medium_class nic_medium_pcap_class;
extern const struct nic_medium_class nic_medium_gen_class;
extern const struct nic_medium_class nic_medium_none_class;
extern const struct nic_medium_class nic_medium_lossy_class;
#ifdef HAVE_NIC_XDP
extern const struct nic_medium_class nic_medium_afxdp_class;
#endif

/* For classes. */
void nic_medium_init(struct nic_medium *, const struct nic_medium_class *,
                     const char *spec);

/* Sets '*errorp' to the formatted message and returns 'error'. */
int nic_medium_error(char **errorp, int error, const char *fmt, ...)
    OVS_PRINTF_FORMAT(3, 4);

/* Takes 'key' (e.g. an interface name) for the medium, across every NIC of
 * the process, until it is closed; at most one key per medium.  Returns
 * false if another medium holds it. */
bool nic_medium_claim(struct nic_medium *, const char *key);

/* Logs as module "nic_media", the one module of every class, so that one
 * "vlog/set nic_media:..." covers every medium and log lines keep the
 * module they had before media were classes.  'rl' may be NULL. */
void nic_medium_log(enum vlog_level, struct vlog_rate_limit *rl,
                    const char *fmt, ...)
    OVS_PRINTF_FORMAT(3, 4);

#endif /* nic-medium-provider.h */
