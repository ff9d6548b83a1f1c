# SPDX-License-Identifier: Apache-2.0
# utilities/: the ctl tool, set-up, sandbox and demo scripts.
EXTRA_DIST += \
	utilities/ovs-offload-setup.sh \
	utilities/ovs-offload-build.sh \
	utilities/ovs-offload-bench-cpu.sh \
	utilities/ovs-offload-bench-cpus.sh \
	utilities/ovs-offload-channel-bench.sh \
	utilities/ovs-offload-token-bench.sh \
	utilities/ovs-offload-bench-xdp.sh \
	utilities/ovs-offload-bench-queues.sh \
	utilities/ovs-offload-bench-syn.sh \
	utilities/ovs-offload-build-afxdp.sh \
	utilities/ovs-offload-ddp-bench.sh \
	utilities/ovs-offload-demo.sh \
	utilities/ovs-offload-hypervisors.sh \
	utilities/ovs-offload-ovn.sh \
	utilities/ovs-offload-refs.sh \
	utilities/ovs-offload-sandbox.sh \
	utilities/ovs-offload-test.sh

# ovs-offloadctl: the ctl tool of the Offload database, on OVS's
# db-ctl-base.
bin_PROGRAMS += utilities/ovs-offloadctl
utilities_ovs_offloadctl_SOURCES = utilities/ovs-offloadctl.c
utilities_ovs_offloadctl_LDADD = ovsdb-schema/libofflodb.a $(OVS_LIBS)
dist_man_MANS += utilities/ovs-offloadctl.8

# Its bash completion, asking the program for its commands and options.
bashcompdir = $(sysconfdir)/bash_completion.d
dist_bashcomp_DATA = utilities/ovs-offloadctl.bash

# The placement receiver: a user of libovs-offload-ddp that checks every
# byte (tests, benchmarks).
bin_PROGRAMS += utilities/ovs-offload-ddp-recv
utilities_ovs_offload_ddp_recv_SOURCES = utilities/ovs-offload-ddp-recv.c
utilities_ovs_offload_ddp_recv_CPPFLAGS = -I$(top_srcdir)
utilities_ovs_offload_ddp_recv_LDADD = lib/libovs-offload-ddp.la
dist_man_MANS += utilities/ovs-offload-ddp-recv.1

# ovs-offload-channel: an external controller of a NIC's control channel.
bin_PROGRAMS += utilities/ovs-offload-channel
utilities_ovs_offload_channel_SOURCES = utilities/ovs-offload-channel.c
utilities_ovs_offload_channel_LDADD = lib/libnicmodel.a $(OVS_LIBS)
dist_man_MANS += utilities/ovs-offload-channel.8

# Sealed destinations: keys, tokens from a key file, token frames and a
# VM-side sender.
bin_PROGRAMS += utilities/ovs-offload-token
utilities_ovs_offload_token_SOURCES = utilities/ovs-offload-token.c
utilities_ovs_offload_token_LDADD = lib/libnicmodel.a $(OVS_LIBS)
dist_man_MANS += utilities/ovs-offload-token.1
