/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_OFFLOAD_VERSION_H
#define VSWITCHD_OFFLOAD_VERSION_H 1

/* OVS_OFFLOAD_VERSION and OVS_OFFLOAD_OVS_VERSION come from configure,
 * through the compiler command line (see Makefile.am). */
#define VSWITCHD_OFFLOAD_VERSION OVS_OFFLOAD_VERSION
#define VSWITCHD_OFFLOAD_OVS_VERSION OVS_OFFLOAD_OVS_VERSION

/* The version that ovs_set_program_name() records: OVS prints it as
 * "<program> (ovs-offload X.Y.Z) A.B.C" followed by OVS's library version.
 * The first line ends in the OVS version and only the library line says
 * "Open vSwitch", because ovs-ctl reads them that way: the last word of
 * "ovs-appctl version" decides whether it may stop the daemon with
 * "exit", and "awk '/Open vSwitch/{print $NF}'" of --version becomes
 * ovs_version in the database. */
#define VSWITCHD_OFFLOAD_PROGRAM_VERSION \
    "(ovs-offload " OVS_OFFLOAD_VERSION ") " OVS_OFFLOAD_OVS_VERSION

#endif /* vswitchd-offload-version.h */
