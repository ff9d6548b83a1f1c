# SPDX-License-Identifier: Apache-2.0
# -*- autoconf -*-
# Checks of ovs-offload's configure script.

# OVS_OFFLOAD_CHECK_OVS
# ---------------------
# Finds the pinned Open vSwitch source and build trees given with
# --with-ovs-source and --with-ovs-build (as OVN's configure does), checks
# that they hold OVS 3.1.x and that the build tree has been built, and sets
# OVS_SOURCE, OVS_BUILD, OVS_CPPFLAGS and OVS_LIBS.
AC_DEFUN([OVS_OFFLOAD_CHECK_OVS], [
  ovs_offload_setup_hint="run utilities/ovs-offload-setup.sh as root and pass the two directories it prints"
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch 3.1 source tree (required)])],
    [OVS_SOURCE=$withval], [OVS_SOURCE=])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [Open vSwitch 3.1 build tree (default: the source tree)])],
    [OVS_BUILD=$withval], [OVS_BUILD=$OVS_SOURCE])

  AC_MSG_CHECKING([for the Open vSwitch source tree])
  AS_IF([test -z "$OVS_SOURCE" || test "$OVS_SOURCE" = yes],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([--with-ovs-source=DIR is required; $ovs_offload_setup_hint])])
  AS_IF([test ! -f "$OVS_SOURCE/lib/netdev-provider.h" ||
         test ! -f "$OVS_SOURCE/vswitchd/bridge.h"],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([$OVS_SOURCE is not an Open vSwitch source tree (no lib/netdev-provider.h); $ovs_offload_setup_hint])])
  OVS_SOURCE=`cd "$OVS_SOURCE" && pwd`
  AC_MSG_RESULT([$OVS_SOURCE])

  AC_MSG_CHECKING([for the Open vSwitch build tree])
  AS_IF([test ! -f "$OVS_BUILD/config.h"],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([$OVS_BUILD is not a configured Open vSwitch build tree (no config.h); $ovs_offload_setup_hint])])
  OVS_BUILD=`cd "$OVS_BUILD" && pwd`
  AC_MSG_RESULT([$OVS_BUILD])

  AC_MSG_CHECKING([the Open vSwitch version])
  ovs_offload_ovs_version=`sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$OVS_BUILD/config.h"`
  AC_MSG_RESULT([$ovs_offload_ovs_version])
  case $ovs_offload_ovs_version in
    3.1.*) ;;
    *) AC_MSG_ERROR([Open vSwitch $ovs_offload_ovs_version found in $OVS_BUILD, but ovs-offload is pinned to 3.1; $ovs_offload_setup_hint]) ;;
  esac

  AC_MSG_CHECKING([whether the Open vSwitch build tree is built])
  ovs_offload_missing=
  for f in lib/.libs/libopenvswitch.a lib/.libs/libsflow.a \
           ofproto/.libs/libofproto.a vswitchd/bridge.o \
           vswitchd/system-stats.o vswitchd/ovs-vswitchd \
           utilities/ovs-vsctl ovsdb/ovsdb-server tests/ovstest tests/atlocal; do
    test -f "$OVS_BUILD/$f" || ovs_offload_missing="$ovs_offload_missing $f"
  done
  AS_IF([test -n "$ovs_offload_missing"],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([$OVS_BUILD is not built (missing:$ovs_offload_missing); run make there, or $ovs_offload_setup_hint])])
  AC_MSG_RESULT([yes])

  # The libraries OVS itself links with, as libtool recorded them; a
  # libtool archive (x/libfoo.la) stands for its static x/.libs/libfoo.a.
  OVS_DEP_LIBS=`sed -n "s/^dependency_libs='\(.*\)'$/\1/p" \
      "$OVS_BUILD/lib/libopenvswitch.la" | tr ' ' '\n' |
      sed 's|^\(.*\)/\([[^/]]*\)\.la$|\1/.libs/\2.a|' | tr '\n' ' '`
  OVS_CPPFLAGS="-I$OVS_BUILD -I$OVS_SOURCE/include -I$OVS_BUILD/include -I$OVS_SOURCE/lib -I$OVS_BUILD/lib -I$OVS_SOURCE"
  OVS_LIBS="$OVS_BUILD/ofproto/.libs/libofproto.a $OVS_BUILD/lib/.libs/libsflow.a $OVS_BUILD/lib/.libs/libopenvswitch.a $OVS_DEP_LIBS"
  OVS_VSWITCHD_OBJS="$OVS_BUILD/vswitchd/bridge.o $OVS_BUILD/vswitchd/system-stats.o"
  OVS_VERSION=$ovs_offload_ovs_version
  AC_SUBST([OVS_SOURCE])
  AC_SUBST([OVS_BUILD])
  AC_SUBST([OVS_VERSION])
  AC_SUBST([OVS_CPPFLAGS])
  AC_SUBST([OVS_LIBS])
  AC_SUBST([OVS_VSWITCHD_OBJS])
])

# OVS_OFFLOAD_ENABLE_WERROR
# -------------------------
AC_DEFUN([OVS_OFFLOAD_ENABLE_WERROR], [
  AC_ARG_ENABLE([Werror],
    [AS_HELP_STRING([--enable-Werror], [treat compiler warnings as errors])],
    [], [enable_Werror=no])
  WARNING_FLAGS="-Wall -Wextra -Wno-sign-compare -Wpointer-arith -Wformat -Wformat-security -Wswitch-enum -Wunused-parameter -Wbad-function-cast -Wcast-align -Wstrict-prototypes -Wold-style-definition -Wmissing-prototypes -Wmissing-field-initializers -Wshadow -fno-strict-aliasing"
  AS_IF([test "$enable_Werror" = yes], [WARNING_FLAGS="$WARNING_FLAGS -Werror"])
  AC_SUBST([WARNING_FLAGS])
])

# OVS_OFFLOAD_ENABLE_SANITIZERS
# -----------------------------
# --enable-sanitizers builds everything of ours with AddressSanitizer and
# UndefinedBehaviorSanitizer; any UB report aborts, so tests see it.
AC_DEFUN([OVS_OFFLOAD_ENABLE_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with ASan and UBSan])],
    [], [enable_sanitizers=no])
  SANITIZER_FLAGS=
  AS_IF([test "$enable_sanitizers" = yes],
        [SANITIZER_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"])
  AC_SUBST([SANITIZER_FLAGS])
  AM_CONDITIONAL([SANITIZERS], [test "$enable_sanitizers" = yes])
])

# OVS_OFFLOAD_CHECK_FUZZER
# ------------------------
# libFuzzer targets need clang; without it they are not built and the test
# runner says so.
AC_DEFUN([OVS_OFFLOAD_CHECK_FUZZER], [
  AC_PATH_PROGS([FUZZ_CC], [clang clang-14], [no])
  AM_CONDITIONAL([HAVE_FUZZER], [test "$FUZZ_CC" != no])
])

dnl OVS_OFFLOAD_CHECK_XDP: the XDP NIC backend (lib/nic-xdp*) needs libbpf,
dnl libxdp and a clang with the BPF target.  --enable-xdp=auto (default)
dnl builds it when all are there, yes requires them, no skips it.
AC_DEFUN([OVS_OFFLOAD_CHECK_XDP], [
  AC_ARG_ENABLE([xdp],
    [AS_HELP_STRING([--enable-xdp=@<:@auto/yes/no@:>@],
      [build the XDP NIC backend (needs libbpf-dev, libxdp-dev, clang)])],
    [], [enable_xdp=auto])
  have_xdp=no
  xdp_why=
  AS_IF([test "$enable_xdp" != no], [
    PKG_CHECK_MODULES([XDP], [libbpf >= 0.8 libxdp >= 1.2],
      [have_xdp=yes], [xdp_why="libbpf/libxdp not found (Debian: apt-get install libbpf-dev libxdp-dev)"])
    AS_IF([test $have_xdp = yes], [
      AC_PATH_PROG([BPF_CLANG], [clang], [no])
      AC_MSG_CHECKING([whether $BPF_CLANG compiles for the BPF target])
      echo 'int x(void) { return 0; }' > conftest-bpf.c
      AS_IF([test "$BPF_CLANG" != no && $BPF_CLANG -target bpf -O2 -c conftest-bpf.c -o conftest-bpf.o >/dev/null 2>&1],
        [AC_MSG_RESULT([yes])],
        [AC_MSG_RESULT([no]); have_xdp=no; xdp_why="clang cannot compile for BPF (Debian: apt-get install clang)"])
      rm -f conftest-bpf.c conftest-bpf.o])
    AS_IF([test $have_xdp = no && test "$enable_xdp" = yes],
      [AC_MSG_ERROR([--enable-xdp: $xdp_why])])])
  AC_MSG_CHECKING([whether to build the XDP NIC backend])
  AC_MSG_RESULT([$have_xdp${xdp_why:+ ($xdp_why)}])
  BPF_TARGET_INCLUDES="-I/usr/include/`$CC -dumpmachine 2>/dev/null`"
  AC_SUBST([BPF_TARGET_INCLUDES])
  AC_SUBST([HAVE_XDP], [$have_xdp])
  AC_SUBST([XDP_WHY], [$xdp_why])
  AM_CONDITIONAL([HAVE_XDP], [test $have_xdp = yes])])
