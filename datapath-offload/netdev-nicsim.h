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
 * one or is not configured. */
bool netdev_nicsim_get_port(const struct netdev *, struct nic **,
                            uint32_t *port);

#endif /* netdev-nicsim.h */
