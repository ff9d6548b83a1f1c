/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_NICSIM_UNIXCTL_H
#define VSWITCHD_EXT_NICSIM_UNIXCTL_H 1

/* Registers the nicsim/... ovs-appctl commands. */
void nicsim_unixctl_register(void);

#endif /* nicsim-unixctl.h */
