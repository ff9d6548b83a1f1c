/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-offload-channel: an external controller of a NIC's control channel
 * (add, modify, delete and dump encapsulation mappings, read counters,
 * send raw messages for testing, measure update rates). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "jsonrpc.h"
#include <openssl/crypto.h>

#include "lib/nic-encap-map.h"
#include "lib/offload-channel.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "stream.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "util.h"

static int timeout_s = 10;

static void OVS_NO_RETURN
usage(void)
{
    printf("%s: a controller of a NIC's control channel\n"
           "usage: %s [OPTIONS] TARGET COMMAND [ARG...]\n"
           "Commands:\n"
           "  add SPEC...        add mappings (\"mac=MAC [ip=IP] "
           "type=vxlan|geneve\n"
           "                     vni=N remote=IP [opts=HEX]\", one "
           "argument each)\n"
           "  modify SPEC...     change existing mappings\n"
           "  del KEY...         delete mappings (\"mac=MAC [ip=IP]\")\n"
           "  dump               print the NIC's mappings\n"
           "  counters           print the endpoint's counters (JSON)\n"
           "  key-add ID HEX64 [NOT-AFTER]  give the NIC a sealing key\n"
           "  key-del ID...      retire sealing keys\n"
           "  key-list           the NIC's keys: id, fingerprint, "
           "not-after\n"
           "  learned            the mappings the NIC learned on "
           "decapsulation\n"
           "  monitor [N]        print the NIC's reports (learned, moved,"
           "\n"
           "                     dropped) as they come, N of them or "
           "until\n"
           "                     the timeout\n"
           "  raw TEXT|@FILE     send TEXT (or FILE) byte for byte, print\n"
           "                     the answer\n"
           "  bench N [BATCH]    add, modify, delete N mappings, BATCH per\n"
           "                     request (default 1); print rates\n"
           "Options:\n"
           "  -t, --timeout=SECS  give up after SECS (default 10)\n"
           "  -p, --private-key=FILE, -c, --certificate=FILE,\n"
           "  -C, --ca-cert=FILE  SSL key, certificate and CA\n"
           "  -h, --help, -V, --version\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    enum { OPT_DUMMY = UCHAR_MAX + 1, SSL_OPTION_ENUMS };
    static const struct option long_options[] = {
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);

        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            if (!str_to_int(optarg, 10, &timeout_s) || timeout_s < 1) {
                ovs_fatal(0, "--timeout: \"%s\" is not a positive number",
                          optarg);
            }
            break;
        case 'h':
            usage();
        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);
        STREAM_SSL_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            abort();
        }
    }
    free(short_options);
}

static struct jsonrpc *
open_target(const char *target)
{
    struct stream *stream;
    int error = stream_open_block(jsonrpc_stream_open(target, &stream, 0),
                                  -1, &stream);

    if (error) {
        ovs_fatal(0, "%s: connection failed (%s)", target,
                  ovs_retval_to_string(error));
    }
    return jsonrpc_open(stream);
}

/* Sends 'request' and waits for its answer; exits on a broken
 * connection.  Returns the reply or error message. */
static struct jsonrpc_msg *
transact(struct jsonrpc *rpc, struct jsonrpc_msg *request)
{
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, request, &reply);

    if (error) {
        ovs_fatal(0, "%s: transaction failed (%s)", jsonrpc_get_name(rpc),
                  ovs_retval_to_string(error));
    }
    return reply;
}

/* Prints an error reply and exits 1; returns a result. */
static const struct json *
check_reply(const struct jsonrpc_msg *reply)
{
    if (reply->type == JSONRPC_ERROR) {
        char *s = json_to_string(reply->error, JSSF_SORT);

        fprintf(stderr, "%s: refused: %s\n", program_name, s);
        free(s);
        exit(1);
    }
    return reply->result;
}

static void
parse_specs(int argc, char *argv[], bool key_only,
            struct nic_encap_mapping **mapsp, size_t *np)
{
    *mapsp = xcalloc(MAX(1, argc), sizeof **mapsp);
    for (int i = 0; i < argc; i++) {
        struct nic_encap_mapping *m = &(*mapsp)[i];
        char *error = NULL;

        if (key_only) {
            char *s = xstrdup(argv[i]), *save = NULL;

            for (char *tok = strtok_r(s, ", ", &save); tok && !error;
                 tok = strtok_r(NULL, ", ", &save)) {
                char *v = strchr(tok, '=');

                error = (!v ? xasprintf("%s: expected KEY=VALUE", tok)
                         : strncmp(tok, "mac=", 4) && strncmp(tok, "ip=", 3)
                         ? xasprintf("%s: only mac and ip name a mapping",
                                     tok)
                         : (*v = '\0',
                            nic_encap_mapping_set_field(m, tok, v + 1)));
            }
            free(s);
        } else {
            error = nic_encap_mapping_from_string(argv[i], m);
        }
        if (error) {
            ovs_fatal(0, "\"%s\": %s", argv[i], error);
        }
    }
    *np = argc;
}

static double
bench_phase(struct jsonrpc *rpc, enum offload_channel_method method,
            struct nic_encap_mapping *maps, size_t n, size_t batch)
{
    long long int start = time_msec();

    for (size_t i = 0; i < n; i += batch) {
        struct jsonrpc_msg *reply = transact(
            rpc, offload_channel_request_create(method, &maps[i],
                                                MIN(batch, n - i)));
        check_reply(reply);
        jsonrpc_msg_destroy(reply);
    }
    return n * 1000.0 / MAX(1, time_msec() - start);
}

static void
bench(struct jsonrpc *rpc, size_t n, size_t batch)
{
    struct nic_encap_mapping *maps = xcalloc(MAX(1, n), sizeof *maps);
    double add, modify, del;

    for (size_t i = 0; i < n; i++) {
        struct nic_encap_mapping *m = &maps[i];

        /* Locally administered MACs 0a:..., one per index. */
        m->inner_mac = (struct eth_addr) { { { 0x0a, 0xbe, i >> 24,
                                               i >> 16, i >> 8, i } } };
        m->tun_type = 1 + (i & 1);
        m->vni = 100 + i % 1000;
        m->remote_ip = in6_addr_mapped_ipv4(htonl(0xc0a83200 + i % 250
                                                  + 1));
    }
    add = bench_phase(rpc, OFFLOAD_CHANNEL_ADD, maps, n, batch);
    for (size_t i = 0; i < n; i++) {
        maps[i].vni++;
    }
    modify = bench_phase(rpc, OFFLOAD_CHANNEL_MODIFY, maps, n, batch);
    del = bench_phase(rpc, OFFLOAD_CHANNEL_DELETE, maps, n, batch);
    printf("mappings %"PRIuSIZE" batch %"PRIuSIZE": add %.0f/s, modify "
           "%.0f/s, delete %.0f/s\n", n, batch, add, modify, del);
    free(maps);
}

/* Sends 'text' byte for byte, however malformed, then prints what the
 * NIC answers: a reply, an error, or that it closed the connection. */
static void
raw(const char *target, const char *text)
{
    size_t len = strlen(text), sent = 0;
    struct jsonrpc_msg *reply;
    struct stream *stream;
    struct jsonrpc *rpc;
    int error;

    error = stream_open_block(jsonrpc_stream_open(target, &stream, 0), -1,
                              &stream);
    if (error) {
        ovs_fatal(0, "%s: connection failed (%s)", target,
                  ovs_retval_to_string(error));
    }
    while (sent < len) {
        int n = stream_send(stream, text + sent, len - sent);

        if (n == -EAGAIN) {
            stream_run(stream);
            stream_run_wait(stream);
            stream_send_wait(stream);
            poll_block();
        } else if (n < 0) {
            printf("closed: %s\n", ovs_retval_to_string(-n));
            stream_close(stream);
            return;
        } else {
            sent += n;
        }
    }
    rpc = jsonrpc_open(stream);
    error = jsonrpc_recv_block(rpc, &reply);
    if (error) {
        printf("closed: %s\n", ovs_retval_to_string(error));
    } else {
        char *j = json_to_string(reply->type == JSONRPC_ERROR
                                 ? reply->error : reply->result, JSSF_SORT);

        printf("%s: %s\n", reply->type == JSONRPC_ERROR ? "error" : "result",
               j ? j : "null");
        free(j);
        jsonrpc_msg_destroy(reply);
    }
    jsonrpc_close(rpc);
}

int
main(int argc, char *argv[])
{
    struct nic_encap_mapping *maps;
    struct jsonrpc_msg *reply;
    struct jsonrpc *rpc;
    const char *cmd;
    size_t n;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    parse_options(argc, argv);
    argc -= optind;
    argv += optind;
    if (argc < 2) {
        ovs_fatal(0, "TARGET and COMMAND required (use --help for help)");
    }
    time_alarm(timeout_s);
    cmd = argv[1];
    if (!strcmp(cmd, "bench")) {
        unsigned long long count, batch = 1;

        if (argc < 3 || argc > 4 || !str_to_ullong(argv[2], 10, &count)
            || (argc == 4 && (!str_to_ullong(argv[3], 10, &batch)
                              || !batch
                              || batch > OFFLOAD_CHANNEL_MAX_BATCH))) {
            ovs_fatal(0, "usage: bench N [BATCH], BATCH 1 to %d",
                      OFFLOAD_CHANNEL_MAX_BATCH);
        }
        rpc = open_target(argv[0]);
        bench(rpc, count, batch);
    } else if (!strcmp(cmd, "raw") && argc == 3) {
        if (argv[2][0] == '@') {
            struct ds text = DS_EMPTY_INITIALIZER;
            FILE *f = fopen(argv[2] + 1, "r");

            if (!f) {
                ovs_fatal(errno, "%s: cannot open", argv[2] + 1);
            }
            for (int ch; (ch = getc(f)) != EOF;) {
                ds_put_char(&text, ch);
            }
            fclose(f);
            raw(argv[0], ds_cstr(&text));
            ds_destroy(&text);
        } else {
            raw(argv[0], argv[2]);
        }
        return 0;
    } else if (!strcmp(cmd, "dump") || !strcmp(cmd, "counters")) {
        const struct json *result;

        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_request_create(
                             !strcmp(cmd, "dump") ? OFFLOAD_CHANNEL_DUMP
                             : OFFLOAD_CHANNEL_COUNTERS, NULL, 0));
        result = check_reply(reply);
        if (!strcmp(cmd, "dump")) {
            char *error = offload_channel_mappings_from_json(result, false,
                                                             &maps, &n);
            if (error) {
                ovs_fatal(0, "bad dump from the NIC: %s", error);
            }
            for (size_t i = 0; i < n; i++) {
                struct ds s = DS_EMPTY_INITIALIZER;

                nic_encap_mapping_format(&s, &maps[i]);
                puts(ds_cstr(&s));
                ds_destroy(&s);
            }
            free(maps);
        } else {
            char *s = json_to_string(result, JSSF_SORT);

            puts(s);
            free(s);
        }
        jsonrpc_msg_destroy(reply);
    } else if (!strcmp(cmd, "key-add") && (argc == 4 || argc == 5)) {
        struct offload_token_key k;
        char *error = offload_token_key_parse(argv[2], argv[3],
                                              argc == 5 ? argv[4] : NULL,
                                              &k);
        if (error) {
            ovs_fatal(0, "%s", error);
        }
        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_key_request_create(
                             OFFLOAD_CHANNEL_KEY_ADD, &k, 1));
        OPENSSL_cleanse(&k, sizeof k);
        check_reply(reply);
        jsonrpc_msg_destroy(reply);
    } else if (!strcmp(cmd, "key-del") && argc >= 3) {
        struct offload_token_key *keys = xcalloc(argc - 2, sizeof *keys);

        for (int i = 2; i < argc; i++) {
            if (!str_to_uint(argv[i], 10, &keys[i - 2].id)) {
                ovs_fatal(0, "\"%s\": not a key id", argv[i]);
            }
        }
        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_key_request_create(
                             OFFLOAD_CHANNEL_KEY_DELETE, keys, argc - 2));
        check_reply(reply);
        jsonrpc_msg_destroy(reply);
        free(keys);
    } else if (!strcmp(cmd, "learned") && argc == 2) {
        struct nic_learned *l;
        char *error;

        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_request_create(
                             OFFLOAD_CHANNEL_LEARNED_DUMP, NULL, 0));
        error = offload_channel_learned_from_json(check_reply(reply), &l,
                                                  &n);
        if (error) {
            ovs_fatal(0, "bad learned dump from the NIC: %s", error);
        }
        for (size_t i = 0; i < n; i++) {
            struct ds d = DS_EMPTY_INITIALIZER;

            nic_encap_mapping_format(&d, &l[i].m);
            printf("%s age %lld ms packets %"PRIu64"\n", ds_cstr(&d),
                   l[i].age_ms, l[i].packets);
            ds_destroy(&d);
        }
        free(l);
        jsonrpc_msg_destroy(reply);
    } else if (!strcmp(cmd, "monitor") && (argc == 2 || argc == 3)) {
        int want = INT_MAX;

        if (argc == 3 && (!str_to_int(argv[2], 10, &want) || want < 1)) {
            ovs_fatal(0, "monitor: N must be a positive number");
        }
        rpc = open_target(argv[0]);
        /* An answered echo: the NIC has the connection, so no report
         * after this line is missed. */
        reply = transact(rpc, jsonrpc_create_request(
                             "echo", json_array_create_empty(), NULL));
        jsonrpc_msg_destroy(reply);
        printf("monitoring\n");
        fflush(stdout);
        for (int got = 0; got < want; ) {
            struct nic_learn_event *ev;
            struct jsonrpc_msg *msg;
            char *error;
            int retval = jsonrpc_recv_block(rpc, &msg);

            if (retval) {
                ovs_fatal(0, "%s: %s", jsonrpc_get_name(rpc),
                          ovs_retval_to_string(retval));
            }
            error = offload_channel_learn_notify_parse(msg, &ev, &n);
            jsonrpc_msg_destroy(msg);
            if (error) {
                ovs_fatal(0, "bad report from the NIC: %s", error);
            }
            for (size_t i = 0; i < n; i++, got++) {
                struct ds d = DS_EMPTY_INITIALIZER;

                ds_put_format(&d, "%s ", nic_learn_event_name(ev[i].type));
                nic_encap_mapping_format(&d, &ev[i].m);
                if (ev[i].type == NIC_LEARN_MOVED) {
                    ds_put_format(&d, " from remote ");
                    ipv6_format_mapped(&ev[i].prev.remote_ip, &d);
                } else if (ev[i].type == NIC_LEARN_DROPPED) {
                    ds_put_format(&d, " (%s)", nic_learn_drop_reason_name(
                                      ev[i].reason));
                }
                printf("%s\n", ds_cstr(&d));
                ds_destroy(&d);
            }
            fflush(stdout);
            free(ev);
        }
    } else if (!strcmp(cmd, "key-list") && argc == 2) {
        const struct json *result;

        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_request_create(
                             OFFLOAD_CHANNEL_KEY_LIST, NULL, 0));
        result = check_reply(reply);
        for (size_t i = 0; result->type == JSON_ARRAY
                           && i < json_array(result)->n; i++) {
            struct offload_token_key_info info;
            char *error = offload_channel_key_info_from_json(
                json_array(result)->elems[i], &info);

            if (error) {
                ovs_fatal(0, "bad key list from the NIC: %s", error);
            }
            printf("%"PRIu32" fingerprint ", info.id);
            for (size_t k = 0; k < sizeof info.fingerprint; k++) {
                printf("%02"PRIx8, info.fingerprint[k]);
            }
            printf(" not-after %"PRIu64"\n", info.not_after);
        }
        jsonrpc_msg_destroy(reply);
    } else if (!strcmp(cmd, "add") || !strcmp(cmd, "modify")
               || !strcmp(cmd, "del")) {
        enum offload_channel_method m = (!strcmp(cmd, "add")
                                         ? OFFLOAD_CHANNEL_ADD
                                         : !strcmp(cmd, "modify")
                                         ? OFFLOAD_CHANNEL_MODIFY
                                         : OFFLOAD_CHANNEL_DELETE);

        if (argc < 3) {
            ovs_fatal(0, "%s needs at least one mapping", cmd);
        }
        parse_specs(argc - 2, argv + 2, m == OFFLOAD_CHANNEL_DELETE, &maps,
                    &n);
        rpc = open_target(argv[0]);
        reply = transact(rpc, offload_channel_request_create(m, maps, n));
        check_reply(reply);
        jsonrpc_msg_destroy(reply);
        free(maps);
    } else {
        ovs_fatal(0, "unknown command \"%s\" or wrong arguments (use "
                  "--help for help)", cmd);
    }
    jsonrpc_close(rpc);
    return 0;
}
