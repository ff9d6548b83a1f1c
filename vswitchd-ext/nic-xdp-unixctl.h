/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_NIC_XDP_UNIXCTL_H
#define VSWITCHD_EXT_NIC_XDP_UNIXCTL_H 1

/* ovs-appctl commands of the XDP NIC backend (xdp/show). */

void nic_xdp_unixctl_register(void);

#endif /* nic-xdp-unixctl.h */
