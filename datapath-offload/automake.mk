# SPDX-License-Identifier: Apache-2.0
# datapath-offload/: the OVS-facing providers (OVS 3.1 glue).
noinst_LIBRARIES += datapath-offload/libdpoffload.a
datapath_offload_libdpoffload_a_SOURCES = \
	datapath-offload/dpif-netdev-ufid.c \
	datapath-offload/dpif-netdev-ufid.h \
	datapath-offload/netdev-nic.c \
	datapath-offload/netdev-nic.h \
	datapath-offload/netdev-offload-nic.c \
	datapath-offload/netdev-offload-nic.h \
	datapath-offload/netdev-offload-rates.c \
	datapath-offload/netdev-offload-rates.h
