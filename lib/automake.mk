# lib/: the NIC interface, nicsim and the offload engine's pure logic.
noinst_LIBRARIES += lib/libovsoffload.a
lib_libovsoffload_a_SOURCES = \
	lib/nic-rss.c \
	lib/nic-rss.h
