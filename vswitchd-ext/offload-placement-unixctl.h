/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-appctl offload/placement and offload/placement-set. */
#ifndef VSWITCHD_EXT_OFFLOAD_PLACEMENT_UNIXCTL_H
#define VSWITCHD_EXT_OFFLOAD_PLACEMENT_UNIXCTL_H 1

void offload_placement_unixctl_register(void);

#endif /* offload-placement-unixctl.h */
