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
	lib/nic-encap-bind.c \
	lib/nic-encap-bind.h \
	lib/nic-encap-map.c \
	lib/nic-encap-map.h \
	lib/nic-learn.c \
	lib/nic-learn.h \
	lib/offload-channel.c \
	lib/offload-channel.h \
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
	lib/offload-syn-auth.c \
	lib/offload-syn-auth.h \
	lib/offload-syn-guard.c \
	lib/offload-syn-guard.h \
	lib/offload-token.c \
	lib/offload-token.h
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
	lib/nicsim-channel.c \
	lib/nicsim-channel.h \
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
	lib/offload-cpus.c \
	lib/offload-cpus.h \
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
# (The XDP backend before nicsim: its host-path fallback uses the media.)
OFFLOAD_LIB_LIBS = lib/liboffload.a $(NIC_XDP_LIBS) lib/libnicsim.a \
	lib/libnicmodel.a $(NIC_XDP_SYSLIBS)

# The XDP NIC backend (configure --enable-xdp, on by default where libbpf,
# libxdp and clang's BPF target exist): its eBPF program is compiled with
# clang at build time and embedded in the library, so the daemon needs no
# object file at run time.
EXTRA_DIST += lib/nic-xdp.bpf.c lib/nic-xdp-abi.h lib/nic-xdp.h lib/nic-xdp.c \
	lib/nic-medium-afxdp.c lib/nic-xsk.c lib/nic-xsk.h
if HAVE_XDP
noinst_LIBRARIES += lib/libnicxdp.a
lib_libnicxdp_a_SOURCES = \
	lib/nic-xdp.c \
	lib/nic-xdp.h \
	lib/nic-xdp-abi.h
nodist_lib_libnicxdp_a_SOURCES = lib/nic-xdp-object.c
lib_libnicxdp_a_CFLAGS = $(AM_CFLAGS) $(XDP_CFLAGS)
# The AF_XDP socket code, shared by the backend and nicsim's afxdp medium:
# in libnicsim, which links after the backend.
lib_libnicsim_a_SOURCES += \
	lib/nic-medium-afxdp.c \
	lib/nic-xsk.c \
	lib/nic-xsk.h
BUILT_SOURCES += lib/nic-xdp-object.c
CLEANFILES += lib/nic-xdp.bpf.o lib/nic-xdp-object.c
AM_CPPFLAGS += -DHAVE_NIC_XDP
NIC_XDP_LIBS = lib/libnicxdp.a
NIC_XDP_SYSLIBS = $(XDP_LIBS)

lib/nic-xdp.bpf.o: lib/nic-xdp.bpf.c lib/nic-xdp-abi.h
	$(AM_V_CC)$(MKDIR_P) lib && $(BPF_CLANG) -O2 -g -Wall -Werror \
	  -target bpf -I$(top_srcdir) $(BPF_TARGET_INCLUDES) \
	  -c $(srcdir)/lib/nic-xdp.bpf.c -o $@
lib/nic-xdp-object.c: lib/nic-xdp.bpf.o
	$(AM_V_GEN)$(PYTHON3) -c 'import sys; d = open(sys.argv[1], "rb").read(); \
	  print("/* Generated from lib/nic-xdp.bpf.c: do not edit. */"); \
	  print("#include <stddef.h>"); \
	  print("extern const unsigned char nic_xdp_bpf_object[];"); \
	  print("extern const size_t nic_xdp_bpf_object_size;"); \
	  print("const unsigned char nic_xdp_bpf_object[] " \
	        "__attribute__((aligned(8))) = {"); \
	  [print("    " + ", ".join("%d" % b for b in d[i:i + 16]) + ",") \
	   for i in range(0, len(d), 16)]; \
	  print("};"); \
	  print("const size_t nic_xdp_bpf_object_size = %d;" % len(d))' \
	  $< > $@.tmp && mv $@.tmp $@
endif

# libovs-offload-ddp: what applications link for direct data placement.
# Plain libc, no OVS: its only project header is the NIC ABI.
lib_LTLIBRARIES = lib/libovs-offload-ddp.la
lib_libovs_offload_ddp_la_SOURCES = \
	lib/ovs-offload-ddp.c \
	lib/ovs-offload-ddp.h \
	lib/nic-placement-shm.h
lib_libovs_offload_ddp_la_CPPFLAGS = -I$(top_srcdir)
# 1:0:1: ovs_offload_ddp_ctx_open(), _attach(), _ctx_close() added.
lib_libovs_offload_ddp_la_LDFLAGS = -version-info 1:0:1
ovsoffloadincludedir = $(includedir)/ovs-offload
ovsoffloadinclude_HEADERS = lib/ovs-offload-ddp.h
nodist_ovsoffloadinclude_HEADERS =
dist_man_MANS += lib/ovs-offload-ddp.3
