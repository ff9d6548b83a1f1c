/* SPDX-License-Identifier: Apache-2.0 */
/* bench-encap-bind: what binding encap rules to the NIC's mapping table
 * costs a mapping update: updates per second of nicsim's table with no
 * rule installed (the peer) and with R encap rules bound to M inner MACs,
 * in the same run.
 *
 * Usage: bench-encap-bind [--rules R,...] [--macs M] [--updates U]
 *
 * Each update sets the mapping of a random one of the M MACs to the tunnel
 * its rules already use, so the NIC re-checks those rules (R/M of them)
 * and keeps them; a last pass moves every MAC elsewhere, which removes all
 * R rules, and reports how long that took. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic.h"
#include "lib/nicsim.h"
#include "lib/nic-parse.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "random.h"
#include "tests/test-packets.h"
#include "timeval.h"
#include "util.h"

static struct eth_addr
bench_mac(uint32_t i)
{
    return (struct eth_addr) { { { 0x50, 0x54, 0, i >> 16, i >> 8, i } } };
}

static void
bench_mapping(uint32_t i, uint32_t remote, struct nic_encap_mapping *m)
{
    memset(m, 0, sizeof *m);
    m->inner_mac = bench_mac(i);
    m->tun_type = NIC_TUNNEL_VXLAN;
    m->vni = 5001;
    in6_addr_set_mapped_ipv4(&m->remote_ip, htonl(remote));
}

/* One run: a NIC with 'n_rules' rules spread over 'n_macs' MACs, bound;
 * returns updates per second and, in '*move_ms', the time to move every
 * MAC (removing every rule). */
static double
bench_run(size_t n_rules, uint32_t n_macs, uint32_t n_updates,
          double *move_ms)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 16, .wildcard_capacity = n_rules + 16,
    };
    struct nic_action acts[2];
    struct nic_rule_spec spec;
    struct nicsim_info info;
    struct nic *nic;
    char name[32], *error;
    long long int start;

    snprintf(name, sizeof name, "bench-bind-%"PRIuSIZE, n_rules);
    if (nicsim_create(name, &cfg, &nic)) {
        ovs_fatal(0, "nicsim_create failed");
    }
    tp_encap_action(&acts[0], NIC_TUNNEL_VXLAN, 0x01010258, 0x0101025c,
                    5001, NULL, 0);
    acts[1] = (struct nic_action) { .type = NIC_ACT_OUTPUT, .port = 0 };
    memset(&spec, 0, sizeof spec);
    nic_match_init_catchall(&spec.match);
    spec.match.key.in_port = NIC_PORT_VF_BASE;
    memset(&spec.match.mask.in_port, 0xff, sizeof spec.match.mask.in_port);
    memset(&spec.match.mask.dl_dst, 0xff, sizeof spec.match.mask.dl_dst);
    memset(&spec.match.mask.tp_src, 0xff, sizeof spec.match.mask.tp_src);
    spec.actions = acts;
    spec.n_actions = 2;
    spec.priority = 1;
    for (size_t r = 0; r < n_rules; r++) {
        uint32_t id;

        spec.match.key.dl_dst = bench_mac(r % n_macs);
        spec.match.key.tp_src = htons(r / n_macs);
        if (nic_rule_add(nic, &spec, &id)) {
            ovs_fatal(0, "rule %"PRIuSIZE" refused", r);
        }
    }
    for (uint32_t i = 0; i < n_macs; i++) {
        struct nic_encap_mapping m;

        bench_mapping(i, 0x0101025c, &m);
        if (nic_encap_map_set(nic, &m, &error)) {
            ovs_fatal(0, "mapping: %s", error);
        }
    }

    start = time_usec();
    for (uint32_t u = 0; u < n_updates; u++) {
        struct nic_encap_mapping m;

        bench_mapping(random_range(n_macs), 0x0101025c, &m);
        if (nic_encap_map_set(nic, &m, &error)) {
            ovs_fatal(0, "mapping: %s", error);
        }
    }
    double rate = n_updates / ((time_usec() - start) / 1e6);

    nicsim_get_info(nic, &info);
    if (info.n_encap_removed) {
        ovs_fatal(0, "an agreeing update removed rules");
    }
    start = time_usec();
    for (uint32_t i = 0; i < n_macs; i++) {
        struct nic_encap_mapping m;

        bench_mapping(i, 0x0101025d, &m);
        if (nic_encap_map_set(nic, &m, &error)) {
            ovs_fatal(0, "mapping: %s", error);
        }
    }
    *move_ms = (time_usec() - start) / 1e3;
    nicsim_get_info(nic, &info);
    if (info.n_encap_removed != n_rules
        || info.n_rules[NIC_TABLE_WILDCARD] + info.n_rules[NIC_TABLE_EXACT]) {
        ovs_fatal(0, "moving every MAC removed %"PRIu64" of %"PRIuSIZE
                  " rules", info.n_encap_removed, n_rules);
    }
    nic_close(nic);
    return rate;
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"rules", required_argument, NULL, 'r'},
        {"macs", required_argument, NULL, 'm'},
        {"updates", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *rules_arg = "0,10000,100000";
    uint32_t n_macs = 1000, n_updates = 20000;
    double peer = 0;
    int c;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    while ((c = getopt_long(argc, argv, "r:m:u:h", options, NULL)) != -1) {
        if (c == 'r') {
            rules_arg = optarg;
        } else if (c == 'm' && atoi(optarg) > 0) {
            n_macs = atoi(optarg);
        } else if (c == 'u' && atoi(optarg) > 0) {
            n_updates = atoi(optarg);
        } else {
            printf("usage: %s [--rules R,...] [--macs M] [--updates U]\n",
                   argv[0]);
            return c == 'h' ? 0 : 1;
        }
    }

    printf("%10s %10s %14s %9s %16s\n", "rules", "per MAC", "updates/s",
           "vs none", "move all (ms)");
    char *list = xstrdup(rules_arg), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        size_t n_rules = strtoul(t, NULL, 10);
        double move_ms, rate = bench_run(n_rules, n_macs, n_updates,
                                         &move_ms);

        if (!n_rules) {
            peer = rate;
        }
        printf("%10"PRIuSIZE" %10.1f %14.0f %8.2fx %16.2f\n", n_rules,
               (double) n_rules / n_macs, rate, peer ? rate / peer : 0,
               move_ms);
    }
    free(list);
    return 0;
}
