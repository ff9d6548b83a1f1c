/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CONFIG_H
#define OFFLOAD_CONFIG_H 1

/* The extension's configuration from OVSDB: Open_vSwitch other_config
 * hw-offload and offload-* keys, Interface other_config:offload.  It has
 * its own IDL connection so that OVS's bridge code stays untouched. */

struct ds;
struct json;

void offload_config_init(const char *remote);
void offload_config_destroy(void);
void offload_config_run(void);
void offload_config_wait(void);

/* Rejected values still in the database, for offload/show. */
struct json *offload_config_errors_json(void);

#endif /* offload-config.h */
