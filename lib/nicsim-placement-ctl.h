/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_PLACEMENT_CTL_H
#define NICSIM_PLACEMENT_CTL_H 1

/* nicsim's placement control socket: a unix SOCK_SEQPACKET socket on which
 * applications register connections with a memfd (SCM_RIGHTS), re-arm and
 * unregister them (messages of lib/nic-placement-shm.h).  It runs on a
 * thread of its own, as a NIC's mailbox would, and turns each message into
 * a call on the placement table.  Each client connection is one owner:
 * when it closes, its entries are released. */

#include <stdint.h>

struct nicsim_placement_table;
struct nicsim_placement_ctl;

/* Listens on 'path' (replacing a stale socket there).  'n_vfs' bounds the
 * VF numbers that registrations may name.  Returns 0 and the server in
 * '*ctlp', or a positive errno and a malloc'd message in '*errorp'. */
int nicsim_placement_ctl_start(const char *path,
                               struct nicsim_placement_table *,
                               uint32_t n_vfs,
                               struct nicsim_placement_ctl **ctlp,
                               char **errorp);

/* Stops the thread, closes every client (releasing their entries) and
 * removes the socket. */
void nicsim_placement_ctl_stop(struct nicsim_placement_ctl *);

const char *nicsim_placement_ctl_path(const struct nicsim_placement_ctl *);

#endif /* nicsim-placement-ctl.h */
