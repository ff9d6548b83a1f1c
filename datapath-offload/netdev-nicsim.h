/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NETDEV_NICSIM_H
#define NETDEV_NICSIM_H 1

/* The OVS netdev class "nicsim": representor ports of a NIC's uplinks and
 * virtual functions, on the userspace datapath. */

#include <stdbool.h>
#include <stdint.h>

struct netdev;
struct nic;

void netdev_nicsim_register(void);

/* The NIC and NIC port behind a nicsim netdev; false if 'netdev' is not
 * one or is not configured.  No reference is taken: the NIC may go away
 * when the port is reconfigured, so use the pointer only to compare. */
bool netdev_nicsim_get_port(const struct netdev *, struct nic **,
                            uint32_t *port);

/* The same, with a reference on the NIC that the caller drops with
 * nic->class->close(). */
bool netdev_nicsim_ref_port(const struct netdev *, struct nic **,
                            uint32_t *port);

#endif /* netdev-nicsim.h */
