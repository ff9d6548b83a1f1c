/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TESTS_UNIT_TESTS_H
#define TESTS_UNIT_TESTS_H 1

#include <check.h>

/* One constructor per module under test (lib/, and what of
 * datapath-offload/ runs without a datapath); unit-tests.c runs them all. */
Suite *dpif_netdev_ufid_suite(void);
Suite *nic_actions_suite(void);
Suite *nic_encap_map_suite(void);
Suite *nic_learn_suite(void);
Suite *offload_channel_suite(void);
Suite *nic_media_suite(void);
Suite *nic_parse_suite(void);
Suite *nic_rss_suite(void);
Suite *nic_table_suite(void);
Suite *nic_xdp_suite(void);
Suite *nicsim_suite(void);
Suite *nicsim_placement_suite(void);
Suite *offload_admission_suite(void);
Suite *offload_differential_suite(void);
Suite *offload_cpus_suite(void);
Suite *offload_dma_poll_suite(void);
Suite *offload_queues_suite(void);
Suite *offload_classes_suite(void);
Suite *offload_engine_suite(void);
Suite *offload_token_suite(void);
Suite *offload_translate_suite(void);
Suite *offload_verify_suite(void);

#endif /* unit-tests.h */
