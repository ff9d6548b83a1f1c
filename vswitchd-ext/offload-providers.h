/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_OFFLOAD_PROVIDERS_H
#define VSWITCHD_EXT_OFFLOAD_PROVIDERS_H 1

/* Registers the extension's OVS providers (netdev classes of NIC ports,
 * netdev flow-API providers) with OVS.  Must be called once, before
 * bridge_init(), so that the first configuration can open such ports. */
void offload_providers_register(void);

#endif /* offload-providers.h */
