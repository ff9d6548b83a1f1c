# SPDX-License-Identifier: Apache-2.0
# lib/: the NIC interface, nicsim and the offload engine's pure logic.
noinst_LIBRARIES += lib/libovsoffload.a
lib_libovsoffload_a_SOURCES = \
	lib/nic-actions.c \
	lib/nic-actions.h \
	lib/nic-class.c \
	lib/nic-class.h \
	lib/nic-media.c \
	lib/nic-media.h \
	lib/nic-medium-afpacket.c \
	lib/nic-medium-gen.c \
	lib/nic-medium-none.c \
	lib/nic-medium-pcap.c \
	lib/nic-medium-provider.h \
	lib/nic-medium-stream.c \
	lib/nic-parse.c \
	lib/nic-parse.h \
	lib/nic-rss.c \
	lib/nic-rss.h \
	lib/nic-rule.c \
	lib/nic-rule.h \
	lib/nic-table.c \
	lib/nic-table.h \
	lib/nicsim.c \
	lib/offload-admission.c \
	lib/offload-admission.h \
	lib/offload-engine.c \
	lib/offload-engine.h \
	lib/offload-tracker.c \
	lib/offload-tracker.h \
	lib/offload-verify.c \
	lib/offload-verify.h \
	lib/offload-translate.c \
	lib/offload-translate.h \
	lib/nicsim.h
