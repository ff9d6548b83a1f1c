# SPDX-License-Identifier: Apache-2.0
# vswitchd-ext/: the ovs-vswitchd-offload daemon.
sbin_PROGRAMS += vswitchd-ext/ovs-vswitchd-offload
vswitchd_ext_ovs_vswitchd_offload_SOURCES = \
	vswitchd-ext/offload-config.c \
	vswitchd-ext/offload-config.h \
	vswitchd-ext/offload-db.c \
	vswitchd-ext/offload-db.h \
	vswitchd-ext/offload-status.c \
	vswitchd-ext/offload-status.h \
	vswitchd-ext/offload-cpus-run.c \
	vswitchd-ext/offload-cpus-run.h \
	vswitchd-ext/offload-queues-run.c \
	vswitchd-ext/offload-queues-run.h \
	vswitchd-ext/offload-classes-run.c \
	vswitchd-ext/offload-classes-run.h \
	vswitchd-ext/offload-channel-run.c \
	vswitchd-ext/offload-channel-run.h \
	vswitchd-ext/offload-providers.c \
	vswitchd-ext/offload-providers.h \
	vswitchd-ext/nicsim-unixctl.c \
	vswitchd-ext/nicsim-unixctl.h \
	vswitchd-ext/offload-unixctl.c \
	vswitchd-ext/offload-unixctl.h \
	vswitchd-ext/offload-placement-unixctl.c \
	vswitchd-ext/offload-placement-unixctl.h \
	vswitchd-ext/unixctl-format.c \
	vswitchd-ext/unixctl-format.h \
	vswitchd-ext/ovs-vswitchd-offload.c \
	vswitchd-ext/vswitchd-offload-version.h
# OVS's bridge and system-stats objects come from the OVS build tree; our
# main() replaces only OVS's ovs-vswitchd.c.
vswitchd_ext_ovs_vswitchd_offload_LDADD = \
	datapath-offload/libdpoffload.a ovsdb-schema/libofflodb.a \
	$(OFFLOAD_LIB_LIBS) \
	$(OVS_VSWITCHD_OBJS) $(OVS_LIBS)
dist_man_MANS += vswitchd-ext/ovs-vswitchd-offload.8
EXTRA_DIST += vswitchd-ext/nic-xdp-unixctl.c vswitchd-ext/nic-xdp-unixctl.h
if HAVE_XDP
vswitchd_ext_ovs_vswitchd_offload_SOURCES += \
	vswitchd-ext/nic-xdp-unixctl.c \
	vswitchd-ext/nic-xdp-unixctl.h
endif
