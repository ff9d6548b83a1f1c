/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_OFFLOAD_CLASSES_RUN_H
#define VSWITCHD_EXT_OFFLOAD_CLASSES_RUN_H 1

/* Receive classes, classifier rules and the SYN guard from the Offload
 * database (tables Class and Class_Rule, Offload's syn_guard_* columns)
 * programmed into the NICs' ports; "ovs-appctl offload/classes". */

struct offrec_offload;

void offload_classes_run_init(void);
void offload_classes_run_run(void);
void offload_classes_run_wait(void);
void offload_classes_run_exit(void);

/* Writes the status and statistics of the Class and Class_Rule rows and
 * Offload's syn_guard_state, in the status transaction. */
void offload_classes_run_publish(const struct offrec_offload *root);

#endif /* offload-classes-run.h */
