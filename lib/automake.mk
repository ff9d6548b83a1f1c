# SPDX-License-Identifier: Apache-2.0
# lib/: the NIC interface, nicsim and the offload engine's pure logic.
# Three libraries, so that the build keeps the layers apart: the NIC model
# and interface (every backend and the engine use it), each backend, and
# the engine, which links without any backend (tests/test-nic-seam.c).
noinst_LIBRARIES += lib/libnicmodel.a lib/libnicsim.a lib/liboffload.a
lib_libnicmodel_a_SOURCES = \
	lib/nic-actions.c \
	lib/nic-actions.h \
	lib/nic.c \
	lib/nic.h \
	lib/nic-provider.h \
	lib/nic-parse.c \
	lib/nic-parse.h \
	lib/nic-placement.c \
	lib/nic-placement.h \
	lib/nic-placement-shm.h \
	lib/nic-rss.c \
	lib/nic-rss.h \
	lib/nic-rule.c \
	lib/nic-rule.h \
	lib/nic-table.c \
	lib/nic-table.h \
	lib/offload-dma-poll.c \
	lib/offload-dma-poll.h \
	lib/offload-classes.c \
	lib/offload-classes.h \
	lib/offload-syn-guard.c \
	lib/offload-syn-guard.h
lib_libnicsim_a_SOURCES = \
	lib/nic-media.c \
	lib/nic-media.h \
	lib/nic-medium-afpacket.c \
	lib/nic-medium-gen.c \
	lib/nic-medium-lossy.c \
	lib/nic-medium-none.c \
	lib/nic-medium-pcap.c \
	lib/nic-medium-provider.h \
	lib/nic-medium-stream.c \
	lib/nic-pktpool.c \
	lib/nic-pktpool.h \
	lib/nicsim.c \
	lib/nicsim.h \
	lib/nicsim-classes.c \
	lib/nicsim-classes.h \
	lib/nicsim-counter.h \
	lib/nicsim-dma.c \
	lib/nicsim-dma.h \
	lib/nicsim-placement.c \
	lib/nicsim-placement.h \
	lib/nicsim-placement-ctl.c \
	lib/nicsim-placement-ctl.h
lib_liboffload_a_SOURCES = \
	lib/offload-admission.c \
	lib/offload-admission.h \
	lib/offload-engine.c \
	lib/offload-engine.h \
	lib/offload-queues.c \
	lib/offload-queues.h \
	lib/offload-state.c \
	lib/offload-state.h \
	lib/offload-tracker.c \
	lib/offload-tracker.h \
	lib/offload-verify.c \
	lib/offload-verify.h \
	lib/offload-translate.c \
	lib/offload-translate.h

# Everything of lib/, in link order.
OFFLOAD_LIB_LIBS = lib/liboffload.a lib/libnicsim.a lib/libnicmodel.a

# libovs-offload-ddp: what applications link for direct data placement.
# Plain libc, no OVS: its only project header is the NIC ABI.
lib_LTLIBRARIES = lib/libovs-offload-ddp.la
lib_libovs_offload_ddp_la_SOURCES = \
	lib/ovs-offload-ddp.c \
	lib/ovs-offload-ddp.h \
	lib/nic-placement-shm.h
lib_libovs_offload_ddp_la_CPPFLAGS = -I$(top_srcdir)
lib_libovs_offload_ddp_la_LDFLAGS = -version-info 0:0:0
ovsoffloadincludedir = $(includedir)/ovs-offload
ovsoffloadinclude_HEADERS = lib/ovs-offload-ddp.h
nodist_ovsoffloadinclude_HEADERS =
dist_man_MANS += lib/ovs-offload-ddp.3
