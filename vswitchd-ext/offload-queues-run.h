/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_QUEUES_RUN_H
#define OFFLOAD_QUEUES_RUN_H 1

/* The receive queue manager in the daemon: reads its configuration from
 * the Offload database, measures VMs and flows with the NIC's filter and
 * host-flow counters, runs lib/offload-queues.h on every uplink of a NIC
 * whose row sets "queues", programs the result as receive filters and
 * serves "ovs-appctl offload/queues". */

#include <stdbool.h>
#include <stdint.h>

struct nic;
struct smap;

void offload_queues_run_init(void);
void offload_queues_run_run(void);
void offload_queues_run_wait(void);
void offload_queues_run_exit(void);

/* Whether the queue manager manages the receive queues of 'nic' port
 * 'port': it then owns the port's RSS indirection table (spread over the
 * default queue group only). */
bool offload_queues_run_manages(const struct nic *, uint32_t port);

/* Status keys for the NIC and Port rows of the Offload database. */
void offload_queues_run_nic_status(const struct nic *, struct smap *);
void offload_queues_run_port_status(const char *port, struct smap *);

#endif /* offload-queues-run.h */
