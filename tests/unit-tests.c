/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the Check unit tests of lib/.
 *
 * Usage: unit-tests [SUITE...]   (default: all suites)
 * Exit status 0 when every test passed. */

#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/vlog.h"
#include "tests/unit-tests.h"

struct unit_suite {
    const char *name;
    Suite *(*create)(void);
};

static const struct unit_suite unit_suites[] = {
    { "dpif-netdev-ufid", dpif_netdev_ufid_suite },
    { "nic-actions", nic_actions_suite },
    { "nic-encap-map", nic_encap_map_suite },
    { "nic-learn", nic_learn_suite },
    { "offload-channel", offload_channel_suite },
    { "nic-media", nic_media_suite },
    { "nic-parse", nic_parse_suite },
    { "nic-rss", nic_rss_suite },
    { "nic-table", nic_table_suite },
    { "nic-xdp", nic_xdp_suite },
    { "nicsim", nicsim_suite },
    { "nicsim-placement", nicsim_placement_suite },
    { "offload-admission", offload_admission_suite },
    { "offload-differential", offload_differential_suite },
    { "offload-cpus", offload_cpus_suite },
    { "offload-dma-poll", offload_dma_poll_suite },
    { "offload-engine", offload_engine_suite },
    { "offload-queues", offload_queues_suite },
    { "offload-classes", offload_classes_suite },
    { "offload-token", offload_token_suite },
    { "offload-translate", offload_translate_suite },
    { "offload-verify", offload_verify_suite },
};

static bool
unit_suite_selected(const char *name, int argc, char *argv[])
{
    if (argc < 2) {
        return true;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], name)) {
            return true;
        }
    }
    return false;
}

int
main(int argc, char *argv[])
{
    SRunner *runner = NULL;
    int n_failed;

    /* Log lines of the code under test would only clutter the report. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_ERR);

    for (size_t i = 0; i < sizeof unit_suites / sizeof *unit_suites; i++) {
        if (!unit_suite_selected(unit_suites[i].name, argc, argv)) {
            continue;
        }
        Suite *s = unit_suites[i].create();
        if (!runner) {
            runner = srunner_create(s);
        } else {
            srunner_add_suite(runner, s);
        }
    }
    if (!runner) {
        fprintf(stderr, "unit-tests: no such suite\n");
        return 2;
    }
    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
