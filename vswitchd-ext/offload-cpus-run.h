/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CPUS_RUN_H
#define OFFLOAD_CPUS_RUN_H 1

/* Runs the CPU aligner (lib/offload-cpus.h) on the nicsim-pmd ports:
 * configuration from the Offload database, the mapping written as the
 * ports' pmd-rxq-affinity and RSS indirection tables, "ovs-appctl
 * offload/cpus". */

struct nic;
struct smap;

/* 'unixctl_path' is the daemon's own control socket (absolute), where
 * dpif-netdev's PMD figures are asked for (NULL: loads from the NIC's
 * counters only). */
void offload_cpus_run_init(const char *unixctl_path);
void offload_cpus_run_run(void);
void offload_cpus_run_wait(void);
void offload_cpus_run_exit(void);

/* Status keys for the Offload row and for NIC 'nic''s row. */
void offload_cpus_run_global_status(struct smap *);
void offload_cpus_run_nic_status(const struct nic *, struct smap *);

#endif /* offload-cpus-run.h */
