/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_OFFLOAD_PROVIDERS_H
#define VSWITCHD_EXT_OFFLOAD_PROVIDERS_H 1

/* Registers the extension's OVS providers (netdev classes of NIC ports,
 * netdev flow-API providers) with OVS.  Must be called once, before
 * bridge_init(), so that the first configuration can open such ports. */
void offload_providers_register(void);

/* The backends' own work in the daemon's main loop (nicsim's control
 * channel endpoints). */
void offload_providers_run(void);
void offload_providers_wait(void);

/* Stops the backends' packet threads before bridge_exit() closes their
 * ports (nicsim_stop_all() says why). */
void offload_providers_stop(void);

#endif /* offload-providers.h */
