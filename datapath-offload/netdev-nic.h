/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NETDEV_NIC_H
#define NETDEV_NIC_H 1

/* The OVS netdev class of NIC ports: representors of a NIC's uplinks and
 * virtual functions, on the userspace datapath, for any NIC backend (one
 * netdev type per registered NIC type, e.g. "nicsim"). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;
struct nic;
struct offload_dma_poll_stats;

void netdev_nic_register(const char *nic_type);

/* Whether 'netdev' is a NIC port (of any NIC type). */
bool netdev_nic_is_port(const struct netdev *);

/* The NIC and NIC port behind a NIC port netdev; false if 'netdev' is not
 * one or is not configured.  No reference is taken: the NIC may go away
 * when the port is reconfigured, so use the pointer only to compare. */
bool netdev_nic_get_port(const struct netdev *, struct nic **,
                         uint32_t *port);

/* The same, with a reference on the NIC that the caller drops with
 * nic_close(). */
bool netdev_nic_ref_port(const struct netdev *, struct nic **,
                         uint32_t *port);

/* One configured NIC port, for status publishing. */
struct netdev_nic_port {
    char *name;                 /* The netdev's (OVS interface's) name. */
    struct nic *nic;            /* A reference the list owns. */
    uint32_t port;              /* NIC port number. */
};

/* Returns every configured NIC port in '*portsp' (malloc'd) and their
 * number in '*n'; netdev_nic_ports_free() frees them. */
void netdev_nic_list_ports(struct netdev_nic_port **portsp, size_t *n);
void netdev_nic_ports_free(struct netdev_nic_port *, size_t n);

/* The host's DMA completion poller counters of receive queue 'queue' of
 * the representor open on 'nic' port 'port', or of its send ring if
 * 'queue' is NETDEV_NIC_DMA_TX.  Returns false (and zeros) if no
 * representor is open on it. */
#define NETDEV_NIC_DMA_TX UINT32_MAX
bool netdev_nic_dma_poll_stats(const struct nic *, uint32_t port,
                               uint32_t queue,
                               struct offload_dma_poll_stats *);

#endif /* netdev-nic.h */
