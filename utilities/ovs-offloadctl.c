/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-offloadctl: edits and shows the Offload database, on OVS's
 * db-ctl-base (the generic commands) plus commands for the common tasks. */

#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "jsonrpc.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-session.h"
#include "ovsdb-schema/offload-idl.h"
#include "process.h"
#include "socket-util.h"
#include "stream.h"
#include "stream-ssl.h"
#include "svec.h"
#include "table.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(offloadctl);

/* --db: the database server. */
static const char *offctl_db;

/* --oneline: each command's output on a single line. */
static bool offctl_oneline;

/* --dry-run: build the transaction, do not commit it. */
static bool offctl_dry_run;

/* --timeout: seconds after which to give up (0: never). */
static unsigned int offctl_timeout;

/* --format, --columns, ...: how "list", "find" and the like print. */
static struct table_style offctl_table_style = TABLE_STYLE_DEFAULT;

/* The IDL and the transaction in progress, kept here only so that
 * offctl_exit(), which db-ctl-base calls on a fatal error, can free them
 * (a clean leak report under ASan). */
static struct ovsdb_idl *offctl_idl;
static struct ovsdb_idl_txn *offctl_txn;

OVS_NO_RETURN static void offctl_exit(int status);
OVS_NO_RETURN static void offctl_usage(void);
static void offctl_parse_options(int argc, char *argv[],
                                 struct shash *local_options);
static void offctl_check_server(const char *remote_list);
static void offctl_pre_commands(struct ctl_command *, size_t n,
                                struct ovsdb_idl *);
static bool offctl_run_commands(const char *args, struct ctl_command *,
                                size_t n, struct ovsdb_idl *);
static void offctl_free_commands(struct ctl_command *, size_t n);

/* How db-ctl-base's commands may name rows besides by UUID (and "." for
 * the single Offload and Summary rows, which it handles itself). */
static const struct ctl_table_class offctl_tables[OFFREC_N_TABLES] = {
    [OFFREC_TABLE_NIC].row_ids[0] = {&offrec_nic_col_name, NULL, NULL},
    [OFFREC_TABLE_PORT].row_ids[0] = {&offrec_port_col_name, NULL, NULL},
    [OFFREC_TABLE_CLASS].row_ids[0] = {&offrec_class_col_name, NULL, NULL},
};

static void offctl_register_commands(void);

int
main(int argc, char *argv[])
{
    struct shash local_options = SHASH_INITIALIZER(&local_options);
    struct ctl_command *commands;
    size_t n_commands;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");
    /* The IDL logs a failed transaction's error as a warning, and
     * ctl_fatal() then reports it again: once on the console is enough. */
    vlog_set_levels_from_string_assert("ovsdb_idl:console:err");

    offctl_register_commands();

    char *args = process_escape_args(argv);
    offctl_parse_options(argc, argv, &local_options);
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    ctl_timeout_setup(offctl_timeout);
    offctl_check_server(offctl_db);

    offctl_idl = ovsdb_idl_create(offctl_db, &offrec_idl_class, false, false);
    offctl_pre_commands(commands, n_commands, offctl_idl);

    /* A transaction that fails because the database changed under it is
     * only worth retrying once the IDL has seen a newer sequence number. */
    unsigned int seqno = ovsdb_idl_get_seqno(offctl_idl);
    for (;;) {
        ovsdb_idl_run(offctl_idl);
        if (!ovsdb_idl_is_alive(offctl_idl)) {
            int retval = ovsdb_idl_get_last_error(offctl_idl);
            ctl_fatal("%s: database connection failed (%s)",
                      offctl_db, ovs_retval_to_string(retval));
        }

        if (seqno != ovsdb_idl_get_seqno(offctl_idl)) {
            seqno = ovsdb_idl_get_seqno(offctl_idl);
            if (offctl_run_commands(args, commands, n_commands,
                                    offctl_idl)) {
                break;
            }
        }

        if (seqno == ovsdb_idl_get_seqno(offctl_idl)) {
            ovsdb_idl_wait(offctl_idl);
            poll_block();
        }
    }

    offctl_free_commands(commands, n_commands);
    ovsdb_idl_destroy(offctl_idl);
    shash_destroy(&local_options);
    free(args);
    return EXIT_SUCCESS;
}

static void
offctl_parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_DRY_RUN,
        OPT_NO_WAIT,
        OPT_COMMANDS,
        OPT_OPTIONS,
        OPT_LOCAL,
        OPT_PEER_CA_CERT,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"commands", no_argument, NULL, OPT_COMMANDS},
        {"options", no_argument, NULL, OPT_OPTIONS},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    const size_t n_global = ARRAY_SIZE(global_options) - 1;

    /* getopt_long() takes one array, so the commands' own options ("--if-
     * exists", "--columns=", ...) go after the global ones; a leading "+"
     * stops at the first command word. */
    char *tmp = ovs_cmdl_long_options_to_short_options(global_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    size_t allocated = ARRAY_SIZE(global_options);
    size_t n_options = n_global;
    struct option *options = xmemdup(global_options, sizeof global_options);
    ctl_add_cmd_options(&options, &n_options, &allocated, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            offctl_db = optarg;
            break;

        case OPT_ONELINE:
            offctl_oneline = true;
            break;

        case OPT_DRY_RUN:
            offctl_dry_run = true;
            break;

        case OPT_NO_WAIT:
            /* No daemon acknowledges changes to this database, so there is
             * nothing to wait for; accepted as ovs-vsctl's is. */
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            offctl_usage();

        case 'V':
            printf("%s (ovs-offload) %s\n", program_name,
                   OVS_OFFLOAD_VERSION);
            printf("Open vSwitch %s\n", OVS_OFFLOAD_OVS_VERSION);
            printf("DB Schema %s\n", offrec_get_db_version());
            exit(EXIT_SUCCESS);

        case OPT_COMMANDS:
            ctl_print_commands();   /* Exits. */
            OVS_NOT_REACHED();

        case OPT_OPTIONS:
            ctl_print_options(global_options);   /* Exits. */
            OVS_NOT_REACHED();

        case 't':
            if (!str_to_uint(optarg, 10, &offctl_timeout)
                || !offctl_timeout) {
                ctl_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&offctl_table_style)
        STREAM_SSL_OPTION_HANDLERS

        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (!offctl_db) {
        offctl_db = ctl_default_db();
    }

    for (size_t i = n_global; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

static void
offctl_usage(void)
{
    printf("\
%s: edits and shows the Offload database of ovs-offload\n\
usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n\
\n\
Offload commands:\n\
  init                        create the Offload row if there is none\n\
  show                        print an overview of the database\n\
  set-policy value|first-come set the admission policy\n\
\n\
Port commands:\n\
  exclude-port IFACE          keep flows from IFACE on the host\n\
  include-port IFACE          let flows from IFACE be offloaded\n\
  [--if-exists] del-port IFACE  forget IFACE's policy (default applies)\n\
  list-ports                  print the names of the ports with a policy\n\
\n\
NIC commands:\n\
  list-nics                   print the names of the NICs\n\
  nic-show NIC                print everything about NIC\n\
\n\
%s\
%s\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE\n\
                              (default: %s)\n\
  -t, --timeout=SECS          give up after SECS seconds\n\
  --dry-run                   do not commit changes to the database\n\
  --oneline                   print each command's output on one line\n\
  --no-wait                   accepted and ignored (as ovs-vsctl's)\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage(), ctl_default_db());
    table_usage();
    vlog_usage();
    stream_usage("database", true, true, false);
    printf("\n\
Other options:\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n\
  --commands, --options       list the commands or options (completion)\n\
  --peer-ca-cert=FILE         with SSL, the peer's CA certificate\n");
    exit(EXIT_SUCCESS);
}

/* Frees what is live and exits: db-ctl-base's ctl_fatal() ends here. */
static void
offctl_exit(int status)
{
    if (offctl_txn) {
        ovsdb_idl_txn_abort(offctl_txn);
        ovsdb_idl_txn_destroy(offctl_txn);
        offctl_txn = NULL;
    }
    ovsdb_idl_destroy(offctl_idl);
    offctl_idl = NULL;
    exit(status);
}

/* Asks the server at the active remote 'name' for its databases.  Returns
 * 1 if it serves the Offload database, 0 if it answers without it, -1 if
 * it cannot be asked. */
static int
offctl_server_serves_offload(const char *name)
{
    struct stream *stream;

    if (stream_verify_name(name)
        || stream_open_block(jsonrpc_stream_open(name, &stream,
                                                 DSCP_DEFAULT),
                             -1, &stream)) {
        return -1;
    }

    struct jsonrpc *rpc = jsonrpc_open(stream);
    struct jsonrpc_msg *request
        = jsonrpc_create_request("list_dbs", json_array_create_empty(),
                                 NULL);
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, request, &reply);
    jsonrpc_close(rpc);
    if (error) {
        return -1;
    }

    int answer = -1;
    if (reply->type == JSONRPC_REPLY && reply->result
        && reply->result->type == JSON_ARRAY) {
        const struct json_array *dbs = json_array(reply->result);

        answer = 0;
        for (size_t i = 0; i < dbs->n; i++) {
            if (dbs->elems[i]->type == JSON_STRING
                && !strcmp(json_string(dbs->elems[i]),
                           offrec_idl_class.database)) {
                answer = 1;
                break;
            }
        }
    }
    jsonrpc_msg_destroy(reply);
    return answer;
}

/* The IDL, given a server without the Offload database, keeps waiting for
 * it (a server may gain a database at run time), so that a mistaken --db
 * would hang.  So ask first: if some remote of 'remote_list' answers and
 * none that answers serves the database, that is a fatal error.  Remotes
 * that cannot be asked (down, passive) are left to the IDL, which reports
 * them as ovs-vsctl does. */
static void
offctl_check_server(const char *remote_list)
{
    struct svec remotes = SVEC_EMPTY_INITIALIZER;
    struct svec without = SVEC_EMPTY_INITIALIZER;
    struct uuid cid;

    ovsdb_session_parse_remote(remote_list, &remotes, &cid);
    for (size_t i = 0; i < remotes.n; i++) {
        int answer = offctl_server_serves_offload(remotes.names[i]);
        if (answer > 0) {
            svec_clear(&without);
            break;
        } else if (!answer) {
            svec_add(&without, remotes.names[i]);
        }
    }
    svec_destroy(&remotes);

    if (without.n) {
        const char *verb = without.n > 1 ? "do" : "does";
        char *names = svec_join(&without, ", ", "");

        svec_destroy(&without);
        ctl_fatal("%s %s not serve the %s database", names, verb,
                  offrec_idl_class.database);
    }
    svec_destroy(&without);
}

static void
offctl_pre_commands(struct ctl_command *commands, size_t n,
                    struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &offrec_table_offload);
    for (struct ctl_command *c = commands; c < &commands[n]; c++) {
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;

            ds_init(&c->output);
            c->table = NULL;
            ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            c->syntax->prerequisites(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);
            ovs_assert(!c->output.string);
            ovs_assert(!c->table);
        }
    }
}

/* Prints 'ds' on one line, newlines and backslashes escaped (--oneline). */
static void
offctl_print_oneline(struct ds *ds)
{
    ds_chomp(ds, '\n');
    for (size_t i = 0; i < ds->length; i++) {
        char ch = ds->string[i];

        if (ch == '\n') {
            fputs("\\n", stdout);
        } else if (ch == '\\') {
            fputs("\\\\", stdout);
        } else {
            putchar(ch);
        }
    }
    putchar('\n');
}

/* Frees the per-attempt output of 'commands'. */
static void
offctl_discard_output(struct ctl_command *commands, size_t n)
{
    for (struct ctl_command *c = commands; c < &commands[n]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        c->table = NULL;
    }
}

static void
offctl_free_commands(struct ctl_command *commands, size_t n)
{
    for (struct ctl_command *c = commands; c < &commands[n]; c++) {
        shash_destroy_free_data(&c->options);
    }
    free(commands);
}

/* Symbols ("--id=@name") must be created, and the rows they name must be
 * referred to, or they vanish: every table here is a non-root one. */
static void
offctl_check_symbols(struct ovsdb_symbol_table *symtab)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;

        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is used but never created (create it "
                      "with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref) {
            VLOG_WARN("row id \"%s\" was created but nothing refers to it "
                      "%s, so the row will not be kept in the database",
                      node->name,
                      symbol->weak_ref ? "except weakly" : "at all");
        }
    }
}

/* Runs 'commands' in one transaction on the IDL's current contents and
 * prints their output.  Returns false if the transaction must be run
 * again on a newer view of the database ("wait-until" not yet satisfied,
 * or the database changed under the transaction). */
static bool
offctl_run_commands(const char *args, struct ctl_command *commands,
                    size_t n, struct ovsdb_idl *idl)
{
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    struct ctl_context ctx;
    struct ctl_command *c;

    offctl_txn = txn;
    if (offctl_dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "ovs-offloadctl: %s", args);

    for (c = commands; c < &commands[n]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }

    bool again = false;
    ctl_context_init(&ctx, NULL, idl, txn, symtab, NULL);
    for (c = commands; c < &commands[n]; c++) {
        ctl_context_init_command(&ctx, c, c == &commands[n - 1]);
        if (c->syntax->run) {
            c->syntax->run(&ctx);
        }
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        again = ctx.try_again;
        ctl_context_done_command(&ctx, c);
        if (again) {
            break;
        }
    }
    ctl_context_done(&ctx, NULL);

    enum ovsdb_idl_txn_status status = TXN_TRY_AGAIN;
    if (!again) {
        offctl_check_symbols(symtab);
        status = ovsdb_idl_txn_commit_block(txn);
        if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
            for (c = commands; c < &commands[n]; c++) {
                if (c->syntax->postprocess) {
                    ctl_context_init(&ctx, c, idl, txn, symtab, NULL);
                    c->syntax->postprocess(&ctx);
                    if (ctx.error) {
                        ctl_fatal("%s", ctx.error);
                    }
                    ctl_context_done(&ctx, c);
                }
            }
        }
    }

    char *error = xstrdup(ovsdb_idl_txn_get_error(txn));
    if (again) {
        ovsdb_idl_txn_abort(txn);
    }
    ovsdb_idl_txn_destroy(txn);
    offctl_txn = NULL;
    ovsdb_symbol_table_destroy(symtab);

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        /* Only "again" aborts, and it never gets here. */
        ctl_fatal("transaction aborted");

    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        break;

    case TXN_TRY_AGAIN:
        free(error);
        offctl_discard_output(commands, n);
        return false;

    case TXN_ERROR:
        ctl_fatal("transaction error: %s", error);

    case TXN_NOT_LOCKED:
        /* We never ask for a lock. */
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }
    free(error);

    for (c = commands; c < &commands[n]; c++) {
        if (c->table) {
            table_print(c->table, &offctl_table_style);
        } else if (offctl_oneline) {
            offctl_print_oneline(&c->output);
        } else {
            fputs(ds_cstr(&c->output), stdout);
        }
    }
    offctl_discard_output(commands, n);
    return true;
}

/* Prerequisites: every column of 'table'. */
static void
offctl_add_table(struct ovsdb_idl *idl,
                 const struct ovsdb_idl_table_class *table)
{
    ovsdb_idl_add_table(idl, table);
    for (size_t i = 0; i < table->n_columns; i++) {
        ovsdb_idl_add_column(idl, &table->columns[i]);
    }
}

static void
pre_offload(struct ctl_context *ctx)
{
    offctl_add_table(ctx->idl, &offrec_table_offload);
}

static void
pre_ports(struct ctl_context *ctx)
{
    offctl_add_table(ctx->idl, &offrec_table_offload);
    offctl_add_table(ctx->idl, &offrec_table_port);
}

static void
pre_nics(struct ctl_context *ctx)
{
    offctl_add_table(ctx->idl, &offrec_table_offload);
    offctl_add_table(ctx->idl, &offrec_table_nic);
}

static void
pre_show(struct ctl_context *ctx)
{
    for (size_t i = 0; i < OFFREC_N_TABLES; i++) {
        offctl_add_table(ctx->idl, &offrec_table_classes[i]);
    }
}

/* Returns the Offload row, or NULL with an error in 'ctx' that says how to
 * create it. */
static const struct offrec_offload *
offctl_get_offload(struct ctl_context *ctx)
{
    const struct offrec_offload *offload = offrec_offload_first(ctx->idl);

    if (!offload) {
        ctl_error(ctx, "the database has no Offload row yet: "
                  "run \"ovs-offloadctl init\" first");
    }
    return offload;
}

/* Returns the row of 'table' whose string column 'name_column' is 'name',
 * or NULL.  Only an exact name: db-ctl-base's ctl_get_row() would also
 * take a UUID prefix, and "exclude-port dead" must never change a port
 * whose UUID begins with "dead". */
static const struct ovsdb_idl_row *
offctl_find_by_name(struct ovsdb_idl *idl,
                    const struct ovsdb_idl_table_class *table,
                    const struct ovsdb_idl_column *name_column,
                    const char *name)
{
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, table);
         row; row = ovsdb_idl_next_row(row)) {
        const struct ovsdb_datum *datum = ovsdb_idl_read(row, name_column);

        if (datum->n == 1 && !strcmp(json_string(datum->keys[0].s), name)) {
            return row;
        }
    }
    return NULL;
}

static const struct offrec_port *
offctl_find_port(struct ovsdb_idl *idl, const char *name)
{
    const struct ovsdb_idl_row *row
        = offctl_find_by_name(idl, &offrec_table_port, &offrec_port_col_name,
                              name);
    return row ? CONTAINER_OF(row, struct offrec_port, header_) : NULL;
}

static const struct offrec_nic *
offctl_find_nic(struct ovsdb_idl *idl, const char *name)
{
    const struct ovsdb_idl_row *row
        = offctl_find_by_name(idl, &offrec_table_nic, &offrec_nic_col_name,
                              name);
    return row ? CONTAINER_OF(row, struct offrec_nic, header_) : NULL;
}

/* Appends "COLUMN: VALUE" for 'row''s 'column', indented by 'level', unless
 * the column holds its default (empty) value, as ovs-vsctl's "show". */
static void
offctl_put_column(struct ds *out, const struct ovsdb_idl_row *row,
                  const struct ovsdb_idl_column *column, int level)
{
    const struct ovsdb_datum *datum = ovsdb_idl_read(row, column);

    if (!ovsdb_datum_is_default(datum, &column->type)) {
        ds_put_char_multiple(out, ' ', level * 4);
        ds_put_format(out, "%s: ", column->name);
        ovsdb_datum_to_string(datum, &column->type, out);
        ds_put_char(out, '\n');
    }
}

/* Appends a row's heading, "TABLE NAME" (the name quoted as OVSDB quotes a
 * string that needs it), then its 'columns' one level deeper. */
static void
offctl_put_row(struct ds *out, const struct ovsdb_idl_row *row,
               const struct ovsdb_idl_column *name_column,
               const struct ovsdb_idl_column *const columns[],
               size_t n_columns, int level)
{
    ds_put_char_multiple(out, ' ', level * 4);
    ds_put_cstr(out, row->table->class_->name);
    if (name_column) {
        ds_put_char(out, ' ');
        ovsdb_datum_to_string(ovsdb_idl_read(row, name_column),
                              &name_column->type, out);
    }
    ds_put_char(out, '\n');
    for (size_t i = 0; i < n_columns; i++) {
        offctl_put_column(out, row, columns[i], level + 1);
    }
}

static const struct ovsdb_idl_column *const offctl_show_offload[] = {
    &offrec_offload_col_policy,
    &offrec_offload_col_min_pps,
    &offrec_offload_col_hysteresis,
    &offrec_offload_col_rebalance_interval,
    &offrec_offload_col_stats_interval,
    &offrec_offload_col_queue_policy,
    &offrec_offload_col_queue_min_pps,
    &offrec_offload_col_queue_flow_min_pps,
    &offrec_offload_col_queue_hysteresis,
    &offrec_offload_col_queue_hold_time,
    &offrec_offload_col_queue_idle_time,
    &offrec_offload_col_queue_interval,
    &offrec_offload_col_other_config,
    &offrec_offload_col_external_ids,
    &offrec_offload_col_status,
};

static const struct ovsdb_idl_column *const offctl_show_nic[] = {
    &offrec_nic_col_type,
    &offrec_nic_col_queues,
    &offrec_nic_col_queue_default,
    &offrec_nic_col_uplinks,
    &offrec_nic_col_vfs,
    &offrec_nic_col_occupancy,
    &offrec_nic_col_status,
};

/* "nic-show" prints every column. */
static const struct ovsdb_idl_column *const offctl_nic_all[] = {
    &offrec_nic_col_type,
    &offrec_nic_col_queues,
    &offrec_nic_col_queue_default,
    &offrec_nic_col_uplinks,
    &offrec_nic_col_vfs,
    &offrec_nic_col_capabilities,
    &offrec_nic_col_occupancy,
    &offrec_nic_col_statistics,
    &offrec_nic_col_status,
    &offrec_nic_col_other_config,
    &offrec_nic_col_external_ids,
};

static const struct ovsdb_idl_column *const offctl_show_port[] = {
    &offrec_port_col_offload,
    &offrec_port_col_queues,
    &offrec_port_col_queue_priority,
    &offrec_port_col_queue_never,
    &offrec_port_col_status,
};

static const struct ovsdb_idl_column *const offctl_show_summary[] = {
    &offrec_summary_col_flows,
    &offrec_summary_col_reasons,
    &offrec_summary_col_rules,
    &offrec_summary_col_rates,
    &offrec_summary_col_latency,
};

static void
cmd_show(struct ctl_context *ctx)
{
    const struct offrec_offload *offload = offctl_get_offload(ctx);
    struct ds *out = &ctx->output;

    if (!offload) {
        return;
    }

    /* The row's UUID heads the tree, as in ovs-vsctl's "show". */
    ds_put_format(out, UUID_FMT"\n", UUID_ARGS(&offload->header_.uuid));
    for (size_t i = 0; i < ARRAY_SIZE(offctl_show_offload); i++) {
        offctl_put_column(out, &offload->header_, offctl_show_offload[i], 1);
    }

    /* NICs and ports sorted by name, for output that does not depend on
     * UUIDs. */
    struct shash rows = SHASH_INITIALIZER(&rows);
    for (size_t i = 0; i < offload->n_nics; i++) {
        shash_add(&rows, offload->nics[i]->name, offload->nics[i]);
    }
    const struct shash_node **sorted = shash_sort(&rows);
    for (size_t i = 0; i < shash_count(&rows); i++) {
        const struct offrec_nic *nic = sorted[i]->data;

        offctl_put_row(out, &nic->header_, &offrec_nic_col_name,
                       offctl_show_nic, ARRAY_SIZE(offctl_show_nic), 1);
    }
    free(sorted);
    shash_clear(&rows);

    for (size_t i = 0; i < offload->n_ports; i++) {
        shash_add(&rows, offload->ports[i]->name, offload->ports[i]);
    }
    sorted = shash_sort(&rows);
    for (size_t i = 0; i < shash_count(&rows); i++) {
        const struct offrec_port *port = sorted[i]->data;

        offctl_put_row(out, &port->header_, &offrec_port_col_name,
                       offctl_show_port, ARRAY_SIZE(offctl_show_port), 1);
    }
    free(sorted);
    shash_destroy(&rows);

    if (offload->summary) {
        offctl_put_row(out, &offload->summary->header_, NULL,
                       offctl_show_summary, ARRAY_SIZE(offctl_show_summary),
                       1);
    }
}

static void
cmd_init(struct ctl_context *ctx)
{
    if (!offrec_offload_first(ctx->idl)) {
        offrec_offload_insert(ctx->txn);
    }
}

static void
cmd_set_policy(struct ctl_context *ctx)
{
    const char *policy = ctx->argv[1];

    /* The schema would refuse another value too; saying what is allowed
     * here is clearer than OVSDB's constraint violation. */
    if (strcmp(policy, "value") && strcmp(policy, "first-come")) {
        ctl_error(ctx, "%s: unknown policy (use \"value\" or \"first-come\")",
                  policy);
        return;
    }

    const struct offrec_offload *offload = offctl_get_offload(ctx);
    if (offload) {
        offrec_offload_set_policy(offload, policy);
    }
}

/* Adds 'add' to, or removes 'remove' from, 'offload''s ports (either may
 * be NULL).  The whole column is written, not a partial update, so that
 * the later commands of the same invocation see the change; the verify
 * makes the transaction run again, instead of failing on the name index,
 * if another client changes the ports meanwhile. */
static void
offctl_change_port_refs(const struct offrec_offload *offload,
                        const struct offrec_port *add,
                        const struct offrec_port *remove)
{
    struct offrec_port **ports = xmalloc((offload->n_ports + 1)
                                         * sizeof *ports);
    size_t n = 0;

    for (size_t i = 0; i < offload->n_ports; i++) {
        if (offload->ports[i] != remove) {
            ports[n++] = offload->ports[i];
        }
    }
    if (add) {
        ports[n++] = CONST_CAST(struct offrec_port *, add);
    }
    offrec_offload_verify_ports(offload);
    offrec_offload_set_ports(offload, ports, n);
    free(ports);
}

/* Sets the Port row named by the command's argument to 'offload', creating
 * it (and its reference from the Offload row) if there is none. */
static void
offctl_set_port_offload(struct ctl_context *ctx, bool offload)
{
    const char *name = ctx->argv[1];

    if (!name[0]) {
        ctl_error(ctx, "%s: the interface name must not be empty",
                  ctx->argv[0]);
        return;
    }

    const struct offrec_offload *root = offctl_get_offload(ctx);
    if (!root) {
        return;
    }

    const struct offrec_port *port = offctl_find_port(ctx->idl, name);
    if (!port) {
        port = offrec_port_insert(ctx->txn);
        offrec_port_set_name(port, name);
        offctl_change_port_refs(root, port, NULL);
    }
    offrec_port_set_offload(port, &offload, 1);
}

static void
cmd_exclude_port(struct ctl_context *ctx)
{
    offctl_set_port_offload(ctx, false);
}

static void
cmd_include_port(struct ctl_context *ctx)
{
    offctl_set_port_offload(ctx, true);
}

static void
cmd_del_port(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct offrec_port *port = offctl_find_port(ctx->idl, name);

    if (!port) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            ctl_error(ctx, "no port named %s", name);
        }
        return;
    }

    const struct offrec_offload *offload = offrec_offload_first(ctx->idl);
    if (offload) {
        offctl_change_port_refs(offload, NULL, port);
    }
    offrec_port_delete(port);
}

/* Prints the names in 'names', sorted, one a line. */
static void
offctl_put_names(struct ds *out, struct svec *names)
{
    svec_sort(names);
    for (size_t i = 0; i < names->n; i++) {
        ds_put_format(out, "%s\n", names->names[i]);
    }
    svec_destroy(names);
}

static void
cmd_list_ports(struct ctl_context *ctx)
{
    struct svec names = SVEC_EMPTY_INITIALIZER;
    const struct offrec_port *port;

    OFFREC_PORT_FOR_EACH (port, ctx->idl) {
        svec_add(&names, port->name);
    }
    offctl_put_names(&ctx->output, &names);
}

static void
cmd_list_nics(struct ctl_context *ctx)
{
    struct svec names = SVEC_EMPTY_INITIALIZER;
    const struct offrec_nic *nic;

    OFFREC_NIC_FOR_EACH (nic, ctx->idl) {
        svec_add(&names, nic->name);
    }
    offctl_put_names(&ctx->output, &names);
}

static void
cmd_nic_show(struct ctl_context *ctx)
{
    const struct offrec_nic *nic = offctl_find_nic(ctx->idl, ctx->argv[1]);

    if (!nic) {
        ctl_error(ctx, "no NIC named %s", ctx->argv[1]);
        return;
    }
    offctl_put_row(&ctx->output, &nic->header_, &offrec_nic_col_name,
                   offctl_nic_all, ARRAY_SIZE(offctl_nic_all), 0);
}

static const struct ctl_command_syntax offctl_commands[] = {
    {"init", 0, 0, "", pre_offload, cmd_init, NULL, "", RW},
    {"show", 0, 0, "", pre_show, cmd_show, NULL, "", RO},
    {"set-policy", 1, 1, "value|first-come", pre_offload, cmd_set_policy,
     NULL, "", RW},
    {"exclude-port", 1, 1, "IFACE", pre_ports, cmd_exclude_port, NULL, "",
     RW},
    {"include-port", 1, 1, "IFACE", pre_ports, cmd_include_port, NULL, "",
     RW},
    {"del-port", 1, 1, "IFACE", pre_ports, cmd_del_port, NULL,
     "--if-exists", RW},
    {"list-ports", 0, 0, "", pre_ports, cmd_list_ports, NULL, "", RO},
    {"list-nics", 0, 0, "", pre_nics, cmd_list_nics, NULL, "", RO},
    {"nic-show", 1, 1, "NIC", pre_nics, cmd_nic_show, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

static void
offctl_register_commands(void)
{
    /* No cmd_show_tables: "show" is ours, in offctl_commands. */
    ctl_init(&offrec_idl_class, offrec_table_classes, offctl_tables, NULL,
             offctl_exit);
    ctl_register_commands(offctl_commands);
}
