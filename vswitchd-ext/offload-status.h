/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_STATUS_H
#define OFFLOAD_STATUS_H 1

/* Publishing the daemon's state into the Offload database: the Offload
 * row's status, one NIC row per NIC, each Port row's status and the
 * Summary row, every stats_interval milliseconds, like OVS's Interface
 * statistics. */

void offload_status_run(void);
void offload_status_wait(void);

/* Publishes at the next run, not at the next interval (a configuration
 * change makes status change). */
void offload_status_poke(void);

/* Marks the daemon stopped in the database (at exit). */
void offload_status_exit(void);

/* Status updates written so far, for offload/show. */
unsigned long long offload_status_n_updates(void);

#endif /* offload-status.h */
