# SPDX-License-Identifier: Apache-2.0
# tests/: Check unit tests of lib/, the autotest suite, and the
# compatibility run of OVS's own suite against ovs-vswitchd-offload.

## Check unit tests.
check_PROGRAMS += tests/unit-tests
tests_unit_tests_SOURCES = \
	tests/unit-tests.c \
	tests/unit-tests.h \
	tests/test-dpif-netdev-ufid.c \
	tests/test-nic-actions.c \
	tests/test-nic-encap-map.c \
	tests/test-nic-learn.c \
	tests/test-nic-media.c \
	tests/test-nic-parse.c \
	tests/test-nic-rss.c \
	tests/test-nic-table.c \
	tests/test-nic-xdp.c \
	tests/test-nicsim.c \
	tests/test-nicsim-placement.c \
	tests/test-offload-admission.c \
	tests/test-offload-channel.c \
	tests/test-offload-cpus.c \
	tests/test-offload-differential.c \
	tests/test-offload-dma-poll.c \
	tests/test-offload-queues.c \
	tests/test-offload-classes.c \
	tests/test-offload-engine.c \
	tests/test-offload-token.c \
	tests/test-offload-translate.c \
	tests/test-offload-verify.c \
	tests/test-packets.c \
	tests/test-packets.h
tests_unit_tests_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_tests_LDADD = datapath-offload/libdpoffload.a $(OFFLOAD_LIB_LIBS) \
	$(OVS_LIBS) $(CHECK_LIBS)

# The NIC seam with a test backend: the engine and the NIC model only.
check_PROGRAMS += tests/nic-seam-tests
tests_nic_seam_tests_SOURCES = tests/test-nic-seam.c
tests_nic_seam_tests_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_nic_seam_tests_LDADD = lib/liboffload.a lib/libnicmodel.a \
	$(OVS_LIBS) $(CHECK_LIBS)

## Autotest suite.
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/ovs-offload-macros.at \
	tests/configure.at \
	tests/vswitchd-offload.at \
	tests/nicsim.at \
	tests/nicsim-netns.at \
	tests/nicsim-dma.at \
	tests/placement.at \
	tests/offload.at \
	tests/offload-tunnel.at \
	tests/offload-channel.at \
	tests/offload-token.at \
	tests/offload-differential.at \
	tests/offload-db.at \
	tests/unixctl.at \
	tests/hypervisors.at \
	tests/offload-ovn.at \
	tests/sandbox.at \
	tests/ovs-offloadctl.at \
	tests/offload-queues.at \
	tests/nic-xdp.at \
	tests/offload-cpus.at \
	tests/offload-classes.at \
	tests/nicsim-afxdp.at
EXTRA_DIST += $(TESTSUITE_AT) tests/atlocal.in tests/ovs-compat.sh \
	tests/nicsim-json.py tests/offload-traffic.py tests/unixctl-fields.py \
	tests/offload-token-wire.py \
	tests/offload-queues-json.py tests/offload-classes-json.py \
	tests/offload-syn-auth.py \
	tests/offload-1.0.0.ovsschema \
	tests/placement-ctl.py tests/channel-relay.py tests/json-get.py \
	tests/offload-differential.py tests/offload-tunframe.py \
	tests/offload_packets.py \
	tests/check-layering.sh \
	tests/ovs-compat.list
TESTSUITE = tests/testsuite
CLEANFILES += $(TESTSUITE) tests/package.m4
DISTCLEANFILES += tests/atconfig tests/atlocal

# The suite reads OVS's macro files from the pinned OVS source tree.
$(TESTSUITE): $(TESTSUITE_AT) tests/package.m4
	$(AM_V_GEN)$(AUTOM4TE) -l autotest -I tests -I $(srcdir) \
		-I $(OVS_SOURCE) -o $@.tmp $(srcdir)/tests/testsuite.at && \
	mv $@.tmp $@

tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN){ \
	  echo 'm4_define([AT_PACKAGE_NAME], [$(PACKAGE_NAME)])'; \
	  echo 'm4_define([AT_PACKAGE_TARNAME], [$(PACKAGE_TARNAME)])'; \
	  echo 'm4_define([AT_PACKAGE_VERSION], [$(PACKAGE_VERSION)])'; \
	  echo 'm4_define([AT_PACKAGE_STRING], [$(PACKAGE_STRING)])'; \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} > $@

# "ovs-vswitchd" in tests/bin is ovs-vswitchd-offload, so that OVS's macros
# (and OVS's own suite) start our daemon under the stock name.
tests/bin/ovs-vswitchd: vswitchd-ext/ovs-vswitchd-offload
	$(AM_V_GEN)$(MKDIR_P) tests/bin && \
	ln -sf $(abs_top_builddir)/vswitchd-ext/ovs-vswitchd-offload $@
check_DATA += tests/bin/ovs-vswitchd $(TESTSUITE)
CLEANFILES += tests/bin/ovs-vswitchd

# Our own programs first; then OVS's tools (ovsdb-server, ovs-vsctl,
# ovs-ofctl, ovs-appctl, test helpers), but never OVS's vswitchd/.
AUTOTEST_PATH = $(abs_top_builddir)/tests/bin:$(abs_top_builddir)/vswitchd-ext:$(abs_top_builddir)/utilities:$(abs_top_srcdir)/utilities:$(OVS_BUILD)/utilities:$(OVS_BUILD)/ovsdb:$(OVS_BUILD)/vtep:$(OVS_BUILD)/tests

TESTSUITEFLAGS =
OVS_COMPAT_FLAGS =

check-unit: tests/unit-tests tests/nic-seam-tests
	tests/unit-tests && tests/nic-seam-tests

check-autotest: $(check_DATA) $(check_PROGRAMS) $(sbin_PROGRAMS) \
		$(bin_PROGRAMS)
	$(SHELL) $(TESTSUITE) -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
		$(TESTSUITEFLAGS)

# A documented subset of OVS 3.1's own test suite (tests/ovs-compat.list),
# run with ovs-vswitchd-offload standing in for ovs-vswitchd.
check-ovs-compat: tests/bin/ovs-vswitchd
	OVS_SOURCE='$(OVS_SOURCE)' OVS_BUILD='$(OVS_BUILD)' \
	$(SHELL) $(srcdir)/tests/ovs-compat.sh \
		--list $(srcdir)/tests/ovs-compat.list \
		--workdir $(abs_top_builddir)/tests/ovs-compat \
		--path '$(AUTOTEST_PATH)' $(OVS_COMPAT_FLAGS)

# "make check" runs all three; RUN_OVS_COMPAT=no leaves out the
# compatibility run (the sanitizer build does, to keep CI short).
RUN_OVS_COMPAT = yes
check-local:
	@status=0; \
	$(MAKE) $(AM_MAKEFLAGS) check-unit || status=1; \
	$(MAKE) $(AM_MAKEFLAGS) check-autotest || status=1; \
	if test '$(RUN_OVS_COMPAT)' = yes; then \
	    $(MAKE) $(AM_MAKEFLAGS) check-ovs-compat || status=1; \
	fi; \
	exit $$status

clean-local:
	-test ! -f $(TESTSUITE) || $(SHELL) $(TESTSUITE) -C tests --clean
	-rm -rf tests/ovs-compat tests/bin

.PHONY: check-unit check-autotest check-ovs-compat

## Benchmarks (programs, not tests; see README).
noinst_PROGRAMS += tests/bench-nicsim
tests_bench_nicsim_SOURCES = tests/bench-nicsim.c
tests_bench_nicsim_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-encap-bind
tests_bench_encap_bind_SOURCES = tests/bench-encap-bind.c \
	tests/test-packets.c tests/test-packets.h
tests_bench_encap_bind_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-token
tests_bench_token_SOURCES = tests/bench-token.c tests/test-packets.c \
	tests/test-packets.h
tests_bench_token_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-dma-poll
tests_bench_dma_poll_SOURCES = tests/bench-dma-poll.c
tests_bench_dma_poll_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-queues
tests_bench_queues_SOURCES = tests/bench-queues.c
tests_bench_queues_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-cpus
tests_bench_cpus_SOURCES = tests/bench-cpus.c
tests_bench_cpus_LDADD = $(OFFLOAD_LIB_LIBS) $(OVS_LIBS)

noinst_PROGRAMS += tests/bench-classes
tests_bench_classes_SOURCES = tests/bench-classes.c
tests_bench_classes_LDADD = lib/libnicmodel.a $(OVS_LIBS)
noinst_PROGRAMS += tests/bench-offload
tests_bench_offload_SOURCES = \
	tests/bench-offload.c \
	tests/test-packets.c \
	tests/test-packets.h
tests_bench_offload_LDADD = datapath-offload/libdpoffload.a \
	$(OFFLOAD_LIB_LIBS) $(OVS_LIBS)

## libFuzzer targets, built with clang; "make check-fuzz" runs each for
## FUZZ_SECONDS under ASan and UBSan.
FUZZ_SECONDS = 20
FUZZ_TARGETS =
EXTRA_DIST += tests/fuzz-nic-parse.c tests/fuzz-nic-rule-string.c
EXTRA_DIST += tests/fuzz-nic-placement-msg.c tests/fuzz-offload-channel-msg.c \
	tests/fuzz-offload-token.c
if HAVE_FUZZER
FUZZ_TARGETS += tests/fuzz-nic-parse tests/fuzz-nic-rule-string
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined $(AM_CPPFLAGS) $(CPPFLAGS)
tests/fuzz-nic-parse: tests/fuzz-nic-parse.c lib/nic-parse.c
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
		$(srcdir)/tests/fuzz-nic-parse.c $(srcdir)/lib/nic-parse.c
tests/fuzz-nic-rule-string: tests/fuzz-nic-rule-string.c lib/nic-rule.c \
		lib/nic.c lib/nic-parse.c lib/offload-dma-poll.c \
		lib/nic-encap-map.c lib/nic-encap-bind.c lib/nic-learn.c \
		lib/nic-rss.c
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
		$(srcdir)/tests/fuzz-nic-rule-string.c $(srcdir)/lib/nic-rule.c \
		$(srcdir)/lib/nic.c $(srcdir)/lib/offload-dma-poll.c \
		$(srcdir)/lib/nic-encap-map.c $(srcdir)/lib/nic-encap-bind.c \
		$(srcdir)/lib/nic-learn.c $(srcdir)/lib/nic-rss.c $(OVS_LIBS)
FUZZ_TARGETS += tests/fuzz-nic-placement-msg
tests/fuzz-nic-placement-msg: tests/fuzz-nic-placement-msg.c \
		lib/nic-placement.c
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
		$(srcdir)/tests/fuzz-nic-placement-msg.c \
		$(srcdir)/lib/nic-placement.c $(OVS_LIBS)
FUZZ_TARGETS += tests/fuzz-offload-channel-msg
tests/fuzz-offload-channel-msg: tests/fuzz-offload-channel-msg.c \
		lib/offload-channel.c lib/nic-encap-map.c lib/offload-token.c \
		lib/nic-learn.c
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
		$(srcdir)/tests/fuzz-offload-channel-msg.c \
		$(srcdir)/lib/offload-channel.c $(srcdir)/lib/nic-learn.c \
		$(srcdir)/lib/nic-encap-map.c $(srcdir)/lib/offload-token.c \
		$(OVS_LIBS)
FUZZ_TARGETS += tests/fuzz-offload-token
tests/fuzz-offload-token: tests/fuzz-offload-token.c lib/offload-token.c
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ \
		$(srcdir)/tests/fuzz-offload-token.c \
		$(srcdir)/lib/offload-token.c $(OVS_LIBS)
CLEANFILES += $(FUZZ_TARGETS)
endif

check-fuzz: $(FUZZ_TARGETS)
	@if test -z '$(FUZZ_TARGETS)'; then \
	    echo "check-fuzz: no clang, fuzz targets not built"; exit 1; \
	fi; \
	status=0; \
	for t in $(FUZZ_TARGETS); do \
	    name=$${t#tests/}; \
	    if ASAN_OPTIONS=detect_leaks=1 $$t -max_total_time=$(FUZZ_SECONDS) \
	           -seed=1 -print_final_stats=0 > $$t.log 2>&1; then \
	        echo "fuzz: $$name: ok ($$(grep -o 'Done [0-9]* runs' $$t.log))"; \
	    else \
	        echo "fuzz: $$name: FAILED (see $$t.log)"; \
	        tail -30 $$t.log; status=1; \
	    fi; \
	done; \
	exit $$status
.PHONY: check-fuzz
