/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_DB_H
#define OFFLOAD_DB_H 1

/* The daemon's connection to its own Offload database (see
 * ovs-offload.conf.db(5)), on the same ovsdb-server as Open_vSwitch.  The
 * configuration reader and the status publisher share it; the daemon
 * works without it, on the older other_config keys. */

#include <stdbool.h>

struct ovsdb_idl;

void offload_db_init(const char *remote);
void offload_db_destroy(void);
void offload_db_run(void);
void offload_db_wait(void);

/* The IDL, or NULL before offload_db_init(). */
struct ovsdb_idl *offload_db_idl(void);

/* Whether the server is reachable and serves the Offload database, so
 * that its contents are the database's. */
bool offload_db_is_served(void);

/* The NIC row named 'name', or NULL (also when the database is not
 * served). */
struct offrec_nic;
const struct offrec_nic *offload_db_find_nic(const char *name);

/* "served", or why not, for offload/show. */
const char *offload_db_state(void);

#endif /* offload-db.h */
