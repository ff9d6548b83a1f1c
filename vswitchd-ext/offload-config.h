/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CONFIG_H
#define OFFLOAD_CONFIG_H 1

/* The extension's configuration from OVSDB: OVS's own
 * other_config:hw-offload, the Offload database (vswitchd-ext/offload-db.h)
 * and, where that says nothing, the deprecated Open_vSwitch other_config
 * offload-* keys and Interface other_config:offload.  It has its own IDL
 * connection to Open_vSwitch so that OVS's bridge code stays untouched. */

struct ds;
struct json;

void offload_config_init(const char *remote);
void offload_config_destroy(void);
void offload_config_run(void);
void offload_config_wait(void);

/* Rejected values still in the database, for offload/show. */
struct json *offload_config_errors_json(void);

/* What is in force, for the status columns of the Offload database. */
struct smap;
void offload_config_global_status(struct smap *);
void offload_config_port_status(const char *port_name, struct smap *);

/* Applies the DMA polling columns of NIC 'nic''s row (if any) to it, and
 * writes what is in force, or why it was refused, into 'status'. */
struct nic;
void offload_config_nic_dma(struct nic *, struct smap *status);

/* Milliseconds between two status updates (Offload stats_interval). */
#define OFFLOAD_CONFIG_STATS_INTERVAL 5000
int offload_config_stats_interval(void);

/* The external_ids of OVS interface 'name' (libvirt's vm-id,
 * attached-mac...), or NULL. */
const struct smap *offload_config_interface_external_ids(const char *name);

/* The daemon's connection to the Open_vSwitch database (Open_vSwitch
 * other_config, Interface name, other_config, external_ids), or NULL
 * before offload_config_init().  Other modules may read it and write
 * those columns; it is run by offload_config_run(). */
struct ovsdb_idl;
struct ovsdb_idl *offload_config_ovs_idl(void);

#endif /* offload-config.h */
