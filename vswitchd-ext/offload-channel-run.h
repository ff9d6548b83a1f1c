/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_OFFLOAD_CHANNEL_RUN_H
#define VSWITCHD_EXT_OFFLOAD_CHANNEL_RUN_H 1

/* The host's side of the NICs' control channels: for each NIC row of the
 * Offload database with a 'channel', a JSON-RPC session to the NIC that
 * keeps the NIC's encapsulation mappings equal to the row's 'mappings'
 * (resync after every connection, repair of drift), and
 * "ovs-appctl offload/channel". */

struct smap;

void offload_channel_run_init(void);
void offload_channel_run_run(void);
void offload_channel_run_wait(void);
void offload_channel_run_exit(void);

/* Adds the channel_* keys of NIC 'name' to its status column. */
void offload_channel_run_nic_status(const char *name, struct smap *);

#endif /* offload-channel-run.h */
