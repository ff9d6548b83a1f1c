# SPDX-License-Identifier: Apache-2.0
# ovsdb-schema/: the Offload database.  The C IDL and the man page are made
# at build time with OVS's ovsdb-idlc and ovsdb-doc; nothing generated is
# committed.

OFFLOAD_SCHEMA = $(srcdir)/ovsdb-schema/offload.ovsschema
RUN_OVS_PY = PYTHONPATH=$(OVS_SOURCE)/python$${PYTHONPATH:+:$$PYTHONPATH} \
	PYTHONDONTWRITEBYTECODE=yes $(PYTHON3)
OVSDB_IDLC = $(RUN_OVS_PY) $(OVS_SOURCE)/ovsdb/ovsdb-idlc.in
OVSDB_DOC = $(RUN_OVS_PY) $(OVS_SOURCE)/ovsdb/ovsdb-doc

pkgdata_DATA = ovsdb-schema/offload.ovsschema
EXTRA_DIST += \
	ovsdb-schema/offload.ovsschema \
	ovsdb-schema/offload-idl.ann \
	ovsdb-schema/offload.xml

ovsdb-schema/offload-idl.ovsidl: $(OFFLOAD_SCHEMA) \
		$(srcdir)/ovsdb-schema/offload-idl.ann
	$(AM_V_GEN)$(MKDIR_P) ovsdb-schema && \
	$(OVSDB_IDLC) annotate $(OFFLOAD_SCHEMA) \
		$(srcdir)/ovsdb-schema/offload-idl.ann > $@.tmp && mv $@.tmp $@
ovsdb-schema/offload-idl.h: ovsdb-schema/offload-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
ovsdb-schema/offload-idl.c: ovsdb-schema/offload-idl.ovsidl \
		ovsdb-schema/offload-idl.h
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@

# The IDL as a convenience library for the daemon and ovs-offloadctl.
noinst_LIBRARIES += ovsdb-schema/libofflodb.a
nodist_ovsdb_schema_libofflodb_a_SOURCES = \
	ovsdb-schema/offload-idl.c \
	ovsdb-schema/offload-idl.h
BUILT_SOURCES += ovsdb-schema/offload-idl.h
CLEANFILES += \
	ovsdb-schema/offload-idl.c \
	ovsdb-schema/offload-idl.h \
	ovsdb-schema/offload-idl.ovsidl

# ovs-offload.conf.db(5), from the schema's documentation.
man_MANS += ovsdb-schema/ovs-offload.conf.db.5
CLEANFILES += ovsdb-schema/ovs-offload.conf.db.5
ovsdb-schema/ovs-offload.conf.db.5: $(OFFLOAD_SCHEMA) \
		$(srcdir)/ovsdb-schema/offload.xml
	$(AM_V_GEN)$(MKDIR_P) ovsdb-schema && \
	$(OVSDB_DOC) --version=$(PACKAGE_VERSION) $(OFFLOAD_SCHEMA) \
		$(srcdir)/ovsdb-schema/offload.xml > $@.tmp && mv $@.tmp $@
all-local: ovsdb-schema/offload.stamp

# A changed schema must change its version and checksum (as OVS's does).
ovsdb-schema/offload.stamp: $(OFFLOAD_SCHEMA)
	$(AM_V_GEN)$(MKDIR_P) ovsdb-schema && \
	$(OVS_SOURCE)/build-aux/cksum-schema-check $(OFFLOAD_SCHEMA) $@
CLEANFILES += ovsdb-schema/offload.stamp
