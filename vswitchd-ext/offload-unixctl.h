/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_OFFLOAD_UNIXCTL_H
#define VSWITCHD_EXT_OFFLOAD_UNIXCTL_H 1

/* Registers the offload/... ovs-appctl commands. */
void offload_unixctl_register(void);

#endif /* offload-unixctl.h */
