/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSWITCHD_EXT_UNIXCTL_FORMAT_H
#define VSWITCHD_EXT_UNIXCTL_FORMAT_H 1

/* "--format text|json" for the extension's ovs-appctl commands. */

#include <stdbool.h>

struct json;
struct unixctl_conn;

/* Maximum arguments of a command that takes --format. */
#define UNIXCTL_FORMAT_MAX_ARGS 8

/* Parses a leading "--format text|json" (or "--format=...") and copies
 * the other arguments to 'args' (the caller's argv belongs to unixctl and
 * must not be rearranged).  Returns false, with an error reply sent, if
 * the option is bad. */
bool unixctl_format_parse(struct unixctl_conn *, int argc, const char *argv[],
                          const char *args[UNIXCTL_FORMAT_MAX_ARGS],
                          int *n_argsp, bool *json);

/* The same for a command that takes nothing but "--format": returns false,
 * with an error reply naming 'cmd' and its usage, if anything else is
 * given. */
bool unixctl_format_parse_only(struct unixctl_conn *, int argc,
                               const char *argv[], const char *cmd,
                               bool *json);

/* Replies with 'j', pretty-printed with sorted keys, and frees it. */
void unixctl_format_reply_json(struct unixctl_conn *, struct json *j);

/* Error replies (ovs-appctl prints them on stderr and exits 2).  With
 * 'json' the error is the JSON object {"error": MSG}, so that a caller who
 * asked for JSON can parse every reply; otherwise it is 'msg' itself.
 * (An error in "--format" itself is always text.) */
void unixctl_format_reply_error(struct unixctl_conn *, bool json,
                                const char *msg);

/* The same for a result that is a failure: 'j', an object, gets "error":
 * 'msg' and is the reply.  Frees 'j'. */
void unixctl_format_reply_error_json(struct unixctl_conn *, struct json *j,
                                     const char *msg);

/* A NIC port's counters (struct nic_port_stats): as a JSON object
 * ("rx_packets", "forwarded", "to_host" and "dropped" by reason, ...), and
 * as indented text lines appended to 's'. */
struct ds;
struct nic_port_stats;
struct json *unixctl_nic_port_stats_json(const struct nic_port_stats *);
void unixctl_nic_port_stats_text(struct ds *s, const struct nic_port_stats *);

/* The reply of a "show" command over the items of 'items' (sorted by
 * name): with 'json' an object whose member 'key' is the array of
 * to_json() of each, else the text to_text() appends for each, or
 * 'empty' if there is none. */
struct shash;
void unixctl_format_reply_items(struct unixctl_conn *, bool json,
                                const struct shash *items, const char *key,
                                struct json *(*to_json)(const void *item),
                                void (*to_text)(struct ds *,
                                                const void *item),
                                const char *empty);

#endif /* unixctl-format.h */
