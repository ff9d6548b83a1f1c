/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ovs-vswitchd-offload: Open vSwitch's switch daemon with the NIC offload
 * extension's providers registered.
 *
 * This is our own main(); it links OVS's bridge, ofproto and libraries from
 * the pinned OVS build tree.  It accepts ovs-vswitchd's command line, and
 * with offload off it behaves as ovs-vswitchd does, so that it can stand in
 * for it (installed or symlinked under the name "ovs-vswitchd", it also
 * takes that name for its pidfile and control socket).
 */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "dns-resolve.h"
#include "dpdk.h"
#include "dpif.h"
#include "dummy.h"
#include "fatal-signal.h"
#include "memory.h"
#include "netdev.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-numa.h"
#include "ovs-rcu.h"
#include "ovs-router.h"
#include "ovs-thread.h"
#include "simap.h"
#include "stream-ssl.h"
#include "stream.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd/bridge.h"

#include "datapath-offload/netdev-offload-nic.h"
#include "vswitchd-ext/offload-config.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-cpus-run.h"
#include "vswitchd-ext/offload-channel-run.h"
#include "vswitchd-ext/offload-classes-run.h"
#include "vswitchd-ext/offload-queues-run.h"
#include "vswitchd-ext/offload-status.h"
#include "vswitchd-ext/offload-providers.h"
#include "vswitchd-ext/vswitchd-offload-version.h"

VLOG_DEFINE_THIS_MODULE(ovs_vswitchd_offload);

/* What the command line asked for. */
struct vswitchd_offload_config {
    char *db_remote;            /* OVSDB remote of the configuration. */
    const char *unixctl_path;   /* Control socket; NULL for the default. */
    bool mlockall;              /* Lock all memory (--mlockall). */
};

/* Set by the "exit" unixctl command. */
struct vswitchd_offload_exit {
    bool requested;             /* Leave the main loop. */
    bool cleanup;               /* Also delete datapaths and ports. */
};

static void vswitchd_offload_parse_options(int argc, char *argv[],
                                           struct vswitchd_offload_config *);
OVS_NO_RETURN static void vswitchd_offload_usage(void);
static unixctl_cb_func vswitchd_offload_unixctl_exit;
static void vswitchd_offload_lock_memory(void);
static void vswitchd_offload_main_loop(struct unixctl_server *,
                                       struct vswitchd_offload_exit *);

int
main(int argc, char *argv[])
{
    struct vswitchd_offload_config config = { .db_remote = NULL };
    struct vswitchd_offload_exit exit_state = { .requested = false };
    struct unixctl_server *unixctl;

    /* Our own version string, so that "ovs-appctl version" tells this
     * daemon apart from stock ovs-vswitchd. */
    ovs_set_program_name(argv[0], VSWITCHD_OFFLOAD_PROGRAM_VERSION);
    ovsthread_id_init();
    dns_resolve_init(true);
    ovs_cmdl_proctitle_init(argc, argv);
    service_start(&argc, &argv);
    vswitchd_offload_parse_options(argc, argv, &config);
    fatal_ignore_sigpipe();

    daemonize_start(true);
    if (config.mlockall) {
        vswitchd_offload_lock_memory();
    }

    if (unixctl_server_create(config.unixctl_path, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "[--cleanup]", 0, 1,
                             vswitchd_offload_unixctl_exit, &exit_state);

    /* Providers must be known before the bridge reads its first
     * configuration, or ports of their types would fail to open. */
    offload_providers_register();

    bridge_init(config.db_remote);
    offload_db_init(config.db_remote);
    offload_config_init(config.db_remote);
    offload_queues_run_init();
    offload_cpus_run_init(unixctl_server_get_path(unixctl));
    offload_classes_run_init();
    offload_channel_run_init();
    free(config.db_remote);

    vswitchd_offload_main_loop(unixctl, &exit_state);

    /* No rule may outlive the daemon that tracks it. */
    netdev_offload_nic_exit();
    offload_status_exit();
    offload_queues_run_exit();
    offload_cpus_run_exit();
    offload_classes_run_exit();
    offload_channel_run_exit();
    offload_config_destroy();
    offload_db_destroy();
    offload_providers_stop();
    bridge_exit(exit_state.cleanup);
    unixctl_server_destroy(unixctl);
    service_stop();
    vlog_disable_async();
    ovsrcu_exit();
    dns_resolve_destroy();
    return 0;
}

static void
vswitchd_offload_main_loop(struct unixctl_server *unixctl,
                           struct vswitchd_offload_exit *exit_state)
{
    while (!exit_state->requested) {
        memory_run();
        if (memory_should_report()) {
            struct simap usage = SIMAP_INITIALIZER(&usage);

            bridge_get_memory_usage(&usage);
            memory_report(&usage);
            simap_destroy(&usage);
        }
        bridge_run();
        offload_db_run();
        offload_config_run();
        offload_status_run();
        offload_queues_run_run();
        offload_cpus_run_run();
        offload_classes_run_run();
        offload_channel_run_run();
        offload_providers_run();
        netdev_offload_nic_run();
        unixctl_server_run(unixctl);
        netdev_run();

        memory_wait();
        bridge_wait();
        offload_db_wait();
        offload_config_wait();
        offload_status_wait();
        offload_queues_run_wait();
        offload_cpus_run_wait();
        offload_classes_run_wait();
        offload_channel_run_wait();
        offload_providers_wait();
        netdev_offload_nic_wait();
        unixctl_server_wait(unixctl);
        netdev_wait();
        if (exit_state->requested) {
            poll_immediate_wake();
        }
        poll_block();
        if (should_service_stop()) {
            exit_state->requested = true;
        }
    }
}

static void
vswitchd_offload_lock_memory(void)
{
#ifdef HAVE_MLOCKALL
    if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
        VLOG_ERR("mlockall failed: %s", ovs_strerror(errno));
    } else {
        set_memory_locked();
    }
#else
    VLOG_ERR("mlockall not supported on this system");
#endif
}

static void
vswitchd_offload_print_version(void)
{
    printf("%s", ovs_get_program_version());
    printf("ovs-offload %s built against OVS %s\n",
           VSWITCHD_OFFLOAD_VERSION, VSWITCHD_OFFLOAD_OVS_VERSION);
    print_dpdk_version();
}

static void
vswitchd_offload_parse_options(int argc, char *argv[],
                               struct vswitchd_offload_config *config)
{
    enum {
        OPT_PEER_CA_CERT = UCHAR_MAX + 1,
        OPT_BOOTSTRAP_CA_CERT,
        OPT_MLOCKALL,
        OPT_UNIXCTL,
        OPT_ENABLE_DUMMY,
        OPT_DISABLE_SYSTEM,
        OPT_DISABLE_SYSTEM_ROUTE,
        OPT_DPDK,
        OPT_DUMMY_NUMA,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"mlockall", no_argument, NULL, OPT_MLOCKALL},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {"bootstrap-ca-cert", required_argument, NULL,
         OPT_BOOTSTRAP_CA_CERT},
        {"enable-dummy", optional_argument, NULL, OPT_ENABLE_DUMMY},
        {"disable-system", no_argument, NULL, OPT_DISABLE_SYSTEM},
        {"disable-system-route", no_argument, NULL,
         OPT_DISABLE_SYSTEM_ROUTE},
        {"dpdk", optional_argument, NULL, OPT_DPDK},
        {"dummy-numa", required_argument, NULL, OPT_DUMMY_NUMA},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'h':
            vswitchd_offload_usage();

        case 'V':
            vswitchd_offload_print_version();
            exit(EXIT_SUCCESS);

        case OPT_MLOCKALL:
            config->mlockall = true;
            break;

        case OPT_UNIXCTL:
            config->unixctl_path = optarg;
            break;

        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;

        case OPT_BOOTSTRAP_CA_CERT:
            stream_ssl_set_ca_cert_file(optarg, true);
            break;

        case OPT_ENABLE_DUMMY:
            dummy_enable(optarg);
            break;

        case OPT_DISABLE_SYSTEM:
            dp_disallow_provider("system");
            break;

        case OPT_DISABLE_SYSTEM_ROUTE:
            ovs_router_disable_system_routing_table();
            break;

        case OPT_DPDK:
            ovs_fatal(0, "Using --dpdk to configure DPDK is not supported.");

        case OPT_DUMMY_NUMA:
            ovs_numa_set_dummy(optarg);
            break;

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    argc -= optind;
    argv += optind;
    if (argc > 1) {
        VLOG_FATAL("at most one non-option argument accepted; "
                   "use --help for usage");
    }
    config->db_remote = (argc == 1
                         ? xstrdup(argv[0])
                         : xasprintf("unix:%s/db.sock", ovs_rundir()));
}

static void
vswitchd_offload_usage(void)
{
    printf("%s: Open vSwitch daemon with NIC offload (ovs-offload)\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "where DATABASE is a socket on which ovsdb-server is listening\n"
           "      (default: \"unix:%s/db.sock\").\n",
           program_name, program_name, ovs_rundir());
    stream_usage("DATABASE", true, false, true);
    daemon_usage();
    vlog_usage();
    printf("\nTesting options:\n"
           "  --enable-dummy[=override]  allow dummy netdevs and datapaths\n"
           "  --dummy-numa=LIST          pretend to have these NUMA nodes\n"
           "  --disable-system           disable the kernel datapath\n"
           "  --disable-system-route     ignore the kernel routing table\n"
           "\nOther options:\n"
           "  --mlockall                 lock all memory into RAM\n"
           "  --unixctl=SOCKET           override default control socket\n"
           "  -h, --help                 display this help message\n"
           "  -V, --version              display version information\n"
           "\nOffload is configured in OVSDB, see ovs-vswitchd-offload(8).\n");
    exit(EXIT_SUCCESS);
}

static void
vswitchd_offload_unixctl_exit(struct unixctl_conn *conn, int argc,
                              const char *argv[], void *exit_state_)
{
    struct vswitchd_offload_exit *exit_state = exit_state_;

    if (argc == 2 && strcmp(argv[1], "--cleanup")) {
        unixctl_command_reply_error(conn, "usage: exit [--cleanup]");
        return;
    }
    exit_state->requested = true;
    exit_state->cleanup = argc == 2;
    unixctl_command_reply(conn, NULL);
}
