/* SPDX-License-Identifier: Apache-2.0 */
/* Programs receive classes, classifier rules and the SYN guard from the
 * Offload database into the NICs' ports, publishes their state, and
 * answers "ovs-appctl offload/classes". */
#include <config.h>

#include "vswitchd-ext/offload-classes-run.h"

#include <errno.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "lib/nic.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-status.h"
#include "vswitchd-ext/unixctl-format.h"

VLOG_DEFINE_THIS_MODULE(offload_classes_run);

#define OCR_INTERVAL 500        /* Milliseconds between rounds. */

/* One NIC port whose interface has classes in the database. */
struct ocr_port {
    char *iface;                /* OVS interface name; the shash key. */
    struct nic *nic;
    uint32_t port;
    char *applied;              /* What was programmed, as text. */
    char *error;                /* Why the latest configuration was
                                 * refused (the applied one stays). */
    bool seen;
};

static struct shash ocr_ports = SHASH_INITIALIZER(&ocr_ports);
static long long int ocr_next_run;

static void
ocr_port_destroy(struct ocr_port *p, bool clear)
{
    if (clear && p->applied) {
        struct nic_classes_config off = { .n_classes = 0 };
        char *error;

        nic_classes_set(p->nic, p->port, &off, &error);
        free(error);
    }
    nic_close(p->nic);
    free(p->iface);
    free(p->applied);
    free(p->error);
    free(p);
}

static void
ocr_guard_config(const struct offrec_offload *root,
                 struct offload_syn_guard_config *g)
{
    offload_syn_guard_config_default(g);
    if (!root) {
        return;
    }
    g->enabled = root->syn_guard && *root->syn_guard;
#define OCR_GUARD_COL(COL, FIELD) \
    if (root->COL) { g->FIELD = *root->COL; }
    OCR_GUARD_COL(syn_guard_port_pps, port_pps);
    OCR_GUARD_COL(syn_guard_dst_pps, dst_pps);
    OCR_GUARD_COL(syn_guard_window, window_ms);
    OCR_GUARD_COL(syn_guard_engage, engage_ms);
    OCR_GUARD_COL(syn_guard_calm, calm_ms);
    OCR_GUARD_COL(syn_guard_release, release_pct);
#undef OCR_GUARD_COL
}

static void
ocr_auth_config(const struct offrec_offload *root,
                struct offload_syn_auth_config *a)
{
    offload_syn_auth_config_default(a);
    if (root) {
        a->enabled = root->syn_guard_auth && *root->syn_guard_auth;
        if (root->syn_guard_auth_ttl) {
            a->ttl_s = *root->syn_guard_auth_ttl;
        }
        if (root->syn_guard_auth_pps) {
            a->pps = *root->syn_guard_auth_pps;
        }
    }
}

static int
ocr_class_cmp(const void *a_, const void *b_)
{
    const struct offrec_class *const *a = a_, *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Builds the configuration of 'iface' from the database into 'cfg'
 * (arrays malloc'd, the caller frees them) and its text in 'text'.
 * Returns NULL or a malloc'd error. */
static char *
ocr_build(struct ovsdb_idl *idl, const struct offrec_offload *root,
          const char *iface, struct nic_classes_config *cfg, struct ds *text)
{
    const struct offrec_class **rows = NULL;
    const struct offrec_class *crow;
    const struct offrec_class_rule *rrow;
    size_t n = 0, allocated = 0;
    char *error = NULL;

    OFFREC_CLASS_FOR_EACH (crow, idl) {
        if (!strcmp(crow->interface, iface)) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
            rows[n++] = crow;
        }
    }
    memset(cfg, 0, sizeof *cfg);
    if (!n) {
        return NULL;
    }
    /* The same order whatever the database's, so that the text compares
     * equal when nothing changed. */
    qsort(rows, n, sizeof *rows, ocr_class_cmp);
    if (n > OFFLOAD_CLASSES_MAX) {
        error = xasprintf("%"PRIuSIZE" classes, at most %d", n,
                          OFFLOAD_CLASSES_MAX);
        goto out;
    }

    struct offload_class_config *classes = xcalloc(n, sizeof *classes);
    bool have_fallback = false;

    cfg->classes = classes;
    cfg->n_classes = n;
    for (size_t i = 0; i < n; i++) {
        const struct offrec_class *r = rows[i];
        struct offload_class_config *c = &classes[i];

        ovs_strlcpy(c->name, r->name, sizeof c->name);
        c->queue = r->queue;
        c->n_queues = r->n_queues ? *r->n_queues : 1;
        c->priority = r->priority;
        c->weight = r->weight ? *r->weight : 1;
        c->depth = r->depth ? *r->depth : 256;
        c->pps = r->pps ? *r->pps : 0;
        c->burst = r->burst ? *r->burst : 0;
        if (r->fallback && *r->fallback) {
            if (have_fallback) {
                error = xasprintf("classes %s and %s both fallback",
                                  classes[cfg->default_class].name, c->name);
                goto out;
            }
            have_fallback = true;
            cfg->default_class = i;
        }
        ds_put_format(text, "class %s q%"PRIu32"+%"PRIu32" p%"PRIu32
                      " w%"PRIu32" d%"PRIu32" r%"PRIu64"/%"PRIu32"\n",
                      c->name, c->queue, c->n_queues, c->priority,
                      c->weight, c->depth, c->pps, c->burst);
    }
    ds_put_format(text, "fallback %"PRIu32"\n", cfg->default_class);

    ocr_guard_config(root, &cfg->guard);
    cfg->guard_class = cfg->default_class;
    if (cfg->guard.enabled) {
        const char *gc = root->syn_guard_class;
        size_t i;

        for (i = 0; gc && i < n; i++) {
            if (!strcmp(classes[i].name, gc)) {
                break;
            }
        }
        if (!gc || i >= n) {
            error = xasprintf("syn_guard_class %s is not a class of this "
                              "interface", gc ? gc : "(unset)");
            goto out;
        }
        cfg->guard_class = i;
        ds_put_format(text, "guard %s %"PRIu64" %"PRIu64" %"PRIu32" %"PRIu32
                      " %"PRIu32" %"PRIu32"\n", gc, cfg->guard.port_pps,
                      cfg->guard.dst_pps, cfg->guard.window_ms,
                      cfg->guard.engage_ms, cfg->guard.calm_ms,
                      cfg->guard.release_pct);
        ocr_auth_config(root, &cfg->auth);
        if (cfg->auth.enabled) {
            ds_put_format(text, "auth %"PRIu32" %"PRIu64"\n",
                          cfg->auth.ttl_s, cfg->auth.pps);
        }
    }

    struct nic_classes_rule *rules = NULL;
    size_t n_rules = 0, rules_allocated = 0;
    OFFREC_CLASS_RULE_FOR_EACH (rrow, idl) {
        size_t i;

        for (i = 0; i < n && strcmp(classes[i].name, rrow->class_); i++) {
            continue;
        }
        if (i >= n) {
            continue;           /* Another interface's class, or none. */
        }
        rules = x2nrealloc(rules, &rules_allocated, sizeof *rules);
        struct nic_classes_rule *nr = &rules[n_rules];
        char *e = nic_match_from_string(rrow->match, &nr->match);
        if (e) {
            error = xasprintf("rule \"%s\": %s", rrow->match, e);
            free(e);
            free(rules);
            goto out;
        }
        nr->priority = rrow->priority;
        nr->class = i;
        n_rules++;
    }
    cfg->rules = rules;
    cfg->n_rules = n_rules;
    for (size_t i = 0; i < n_rules; i++) {
        struct ds m = DS_EMPTY_INITIALIZER;

        nic_match_format(&m, &rules[i].match);
        ds_put_format(text, "rule %s p%"PRIu32" c%"PRIu32"\n", ds_cstr(&m),
                      rules[i].priority, rules[i].class);
        ds_destroy(&m);
    }
out:
    free(rows);
    return error;
}

static void
ocr_config_free(struct nic_classes_config *cfg)
{
    free(CONST_CAST(struct offload_class_config *, cfg->classes));
    free(CONST_CAST(struct nic_classes_rule *, cfg->rules));
    memset(cfg, 0, sizeof *cfg);
}

static void
ocr_round(void)
{
    struct ovsdb_idl *idl = offload_db_idl();
    struct netdev_nic_port *ports;
    struct shash_node *node, *next;
    size_t n_ports;

    SHASH_FOR_EACH (node, &ocr_ports) {
        ((struct ocr_port *) node->data)->seen = false;
    }
    netdev_nic_list_ports(&ports, &n_ports);
    for (size_t i = 0; idl && offload_db_is_served() && i < n_ports; i++) {
        const struct offrec_offload *root = offrec_offload_first(idl);
        struct nic_classes_config cfg;
        struct ds text = DS_EMPTY_INITIALIZER;
        struct ocr_port *p = shash_find_data(&ocr_ports, ports[i].name);
        char *error = ocr_build(idl, root, ports[i].name, &cfg, &text);

        if (!cfg.n_classes && !error && !p) {
            ds_destroy(&text);
            continue;
        }
        if (p && (p->nic != ports[i].nic || p->port != ports[i].port)) {
            shash_find_and_delete(&ocr_ports, ports[i].name);
            ocr_port_destroy(p, false);
            p = NULL;
        }
        if (!p) {
            p = xzalloc(sizeof *p);
            p->iface = xstrdup(ports[i].name);
            nic_ref(ports[i].nic, &p->nic);
            p->port = ports[i].port;
            shash_add(&ocr_ports, p->iface, p);
        }
        p->seen = true;
        if (p->applied) {
            struct nic_classes_status st;

            /* A reset or a re-attach of the port loses its classes. */
            nic_classes_get(p->nic, p->port, &st);
            if (!st.n_classes) {
                free(p->applied);
                p->applied = NULL;
            }
            nic_classes_status_destroy(&st);
        }
        if (!error && (!p->applied || strcmp(p->applied, ds_cstr(&text)))) {
            if (!nic_classes_set(p->nic, p->port, &cfg, &error)) {
                VLOG_INFO("%s: %"PRIuSIZE" receive classes, %"PRIuSIZE
                          " rules programmed", p->iface, cfg.n_classes,
                          cfg.n_rules);
                free(p->applied);
                p->applied = cfg.n_classes ? ds_steal_cstr(&text) : NULL;
            }
        }
        if (error && (!p->error || strcmp(error, p->error))) {
            VLOG_WARN("%s: receive classes refused, previous ones stay: %s",
                      p->iface, error);
        } else if (!error && p->error) {
            VLOG_INFO("%s: receive classes accepted", p->iface);
        }
        free(p->error);
        p->error = error;
        if (!error && !cfg.n_classes) {
            p->seen = false;    /* Its classes are gone: forget it. */
        }
        ds_destroy(&text);
        ocr_config_free(&cfg);
    }
    netdev_nic_ports_free(ports, n_ports);
    SHASH_FOR_EACH_SAFE (node, next, &ocr_ports) {
        struct ocr_port *p = node->data;

        if (!p->seen) {
            shash_delete(&ocr_ports, node);
            ocr_port_destroy(p, true);
        }
    }
}

void
offload_classes_run_run(void)
{
    long long int now = time_msec();

    if (now >= ocr_next_run) {
        ocr_round();
        ocr_next_run = now + OCR_INTERVAL;
    }
}

void
offload_classes_run_wait(void)
{
    poll_timer_wait_until(ocr_next_run);
}

void
offload_classes_run_exit(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &ocr_ports) {
        ocr_port_destroy(node->data, false);
    }
    shash_destroy(&ocr_ports);
}

/* Output. */

static const char *
ocr_guard_state(const struct nic_classes_status *st)
{
    return offload_syn_guard_state_name(st->n_classes ? st->guard.state
                                        : OFFLOAD_SYN_GUARD_OFF);
}

static struct json *
ocr_port_json(const void *p_)
{
    const struct ocr_port *p = p_;
    struct nic_classes_status st;
    struct json *j = json_object_create();
    char pname[16];

    nic_port_to_string(p->port, pname, sizeof pname);
    json_object_put_string(j, "interface", p->iface);
    json_object_put_string(j, "nic", nic_get_name(p->nic));
    json_object_put_string(j, "port", pname);
    if (p->error) {
        json_object_put_string(j, "error", p->error);
    }
    nic_classes_get(p->nic, p->port, &st);

    struct json *classes = json_array_create_empty();
    for (size_t i = 0; i < st.n_classes; i++) {
        const struct offload_class_config *c = &st.classes[i];
        const struct offload_class_stats *s = &st.stats[i];
        struct json *cj = json_object_create();
        struct json *drops = json_object_create();

        json_object_put_string(cj, "name", c->name);
        json_object_put(cj, "queue", json_integer_create(c->queue));
        json_object_put(cj, "n_queues", json_integer_create(c->n_queues));
        json_object_put(cj, "priority", json_integer_create(c->priority));
        json_object_put(cj, "weight", json_integer_create(c->weight));
        json_object_put(cj, "depth", json_integer_create(c->depth));
        json_object_put(cj, "pps", json_integer_create(c->pps));
        json_object_put(cj, "fallback",
                        json_boolean_create(i == st.default_class));
        json_object_put(cj, "offered", json_integer_create(s->offered));
        json_object_put(cj, "delivered", json_integer_create(s->delivered));
        json_object_put(cj, "queued", json_integer_create(s->depth));
        for (size_t r = 0; r < OFFLOAD_CLASS_N_DROPS; r++) {
            json_object_put(drops, offload_class_drop_name(r),
                            json_integer_create(s->drops[r]));
        }
        json_object_put(cj, "drops", drops);
        json_array_add(classes, cj);
    }
    json_object_put(j, "classes", classes);

    struct json *rules = json_array_create_empty();
    for (size_t i = 0; i < st.n_rules; i++) {
        const struct offload_class_rule *r = &st.rules[i];
        struct json *rj = json_object_create();
        struct ds m = DS_EMPTY_INITIALIZER;

        nic_match_format(&m, &r->match);
        json_object_put_string(rj, "match", ds_cstr(&m));
        ds_destroy(&m);
        json_object_put(rj, "priority", json_integer_create(r->priority));
        json_object_put_string(rj, "class", st.classes[r->class].name);
        json_object_put(rj, "n_packets", json_integer_create(r->n_packets));
        json_array_add(rules, rj);
    }
    json_object_put(j, "rules", rules);

    struct json *g = json_object_create();
    json_object_put_string(g, "state", ocr_guard_state(&st));
    json_object_put_string(g, "class", st.n_classes
                           ? st.classes[st.guard_class].name : "");
    json_object_put(g, "syns", json_integer_create(st.guard.syns));
    json_object_put(g, "diverted", json_integer_create(st.guard_diverted));
    json_object_put(g, "engaged", json_integer_create(st.guard.n_engaged));
    json_object_put(g, "port_pps", json_integer_create(
                        st.guard.last_port_pps));
    json_object_put(g, "transitions",
                    json_integer_create(st.guard.n_transitions));
    struct json *hist = json_array_create_empty();
    uint64_t first = (st.guard.n_transitions > OFFLOAD_SYN_GUARD_HISTORY
                      ? st.guard.n_transitions - OFFLOAD_SYN_GUARD_HISTORY
                      : 0);
    for (uint64_t i = first; i < st.guard.n_transitions; i++) {
        const struct offload_syn_guard_transition *t
            = &st.guard.history[i % OFFLOAD_SYN_GUARD_HISTORY];
        struct json *tj = json_object_create();
        struct ds d = DS_EMPTY_INITIALIZER;

        offload_syn_dst_format(&d, &t->dst);
        json_object_put_string(tj, "from",
                               offload_syn_guard_state_name(t->from));
        json_object_put_string(tj, "to", offload_syn_guard_state_name(t->to));
        json_object_put(tj, "time_ms", json_integer_create(t->time_ms));
        json_object_put(tj, "port_pps", json_integer_create(t->port_pps));
        json_object_put(tj, "dst_pps", json_integer_create(t->dst_pps));
        json_object_put_string(tj, "dst", ds_cstr(&d));
        ds_destroy(&d);
        json_array_add(hist, tj);
    }
    json_object_put(g, "last_transitions", hist);

    struct json *a = json_object_create();
    json_object_put(a, "enabled", json_boolean_create(st.auth_cfg.enabled));
    json_object_put(a, "ttl_s", json_integer_create(st.auth_cfg.ttl_s));
    json_object_put(a, "pps", json_integer_create(st.auth_cfg.pps));
    json_object_put(a, "challenged", json_integer_create(st.auth.challenged));
    json_object_put(a, "over_rate", json_integer_create(st.auth.limited));
    json_object_put(a, "validated", json_integer_create(st.auth.validated));
    json_object_put(a, "passed", json_integer_create(st.auth.passed));
    json_object_put(a, "sources", json_integer_create(st.auth.n_sources));
    json_object_put(a, "evicted", json_integer_create(st.auth.evicted));
    json_object_put(g, "auth", a);
    json_object_put(j, "syn_guard", g);
    nic_classes_status_destroy(&st);
    return j;
}

static void
ocr_port_text(struct ds *s, const void *p_)
{
    const struct ocr_port *p = p_;
    struct nic_classes_status st;
    char pname[16];

    nic_port_to_string(p->port, pname, sizeof pname);
    ds_put_format(s, "%s (%s %s):\n", p->iface, nic_get_name(p->nic), pname);
    if (p->error) {
        ds_put_format(s, "  refused: %s\n", p->error);
    }
    nic_classes_get(p->nic, p->port, &st);
    for (size_t i = 0; i < st.n_classes; i++) {
        const struct offload_class_config *c = &st.classes[i];
        const struct offload_class_stats *cs = &st.stats[i];

        ds_put_format(s, "  class %s%s: queue %"PRIu32, c->name,
                      i == st.default_class ? " (fallback)" : "", c->queue);
        if (c->n_queues > 1) {
            ds_put_format(s, "-%"PRIu32, c->queue + c->n_queues - 1);
        }
        ds_put_format(s, " priority %"PRIu32" weight %"PRIu32" depth %"PRIu32,
                      c->priority, c->weight, c->depth);
        if (c->pps) {
            ds_put_format(s, " pps %"PRIu64, c->pps);
        }
        ds_put_format(s, "\n    offered %"PRIu64" delivered %"PRIu64
                      " queued %"PRIu32, cs->offered, cs->delivered,
                      cs->depth);
        for (size_t r = 0; r < OFFLOAD_CLASS_N_DROPS; r++) {
            ds_put_format(s, " %s %"PRIu64, offload_class_drop_name(r),
                          cs->drops[r]);
        }
        ds_put_char(s, '\n');
    }
    for (size_t i = 0; i < st.n_rules; i++) {
        const struct offload_class_rule *r = &st.rules[i];

        ds_put_format(s, "  rule priority %"PRIu32" ", r->priority);
        nic_match_format(s, &r->match);
        ds_put_format(s, " -> %s (%"PRIu64" packets)\n",
                      st.classes[r->class].name, r->n_packets);
    }
    if (st.n_classes) {
        ds_put_cstr(s, "  ");
        offload_syn_guard_format(s, &st.guard);
        ds_put_format(s, "  SYNs diverted to %s: %"PRIu64"\n",
                      st.classes[st.guard_class].name, st.guard_diverted);
        offload_syn_auth_format(s, &st.auth_cfg, &st.auth);
    }
    nic_classes_status_destroy(&st);
}

static void
ocr_unixctl_show(struct unixctl_conn *conn, int argc_, const char *argv_[],
                 void *aux OVS_UNUSED)
{
    bool json;

    if (!unixctl_format_parse_only(conn, argc_, argv_, "offload/classes",
                                   &json)) {
        return;
    }
    ocr_round();                /* What the database says now. */
    unixctl_format_reply_items(conn, json, &ocr_ports, "interfaces",
                               ocr_port_json, ocr_port_text,
                               "no interface with receive classes "
                               "(table Class)\n");
}

void
offload_classes_run_init(void)
{
    unixctl_command_register("offload/classes", "[--format text|json]", 0,
                             UNIXCTL_FORMAT_MAX_ARGS, ocr_unixctl_show,
                             NULL);
}

/* Status columns. */

void
offload_classes_run_publish(const struct offrec_offload *root)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_class *crow;
    const struct offrec_class_rule *rrow;
    struct smap guard = SMAP_INITIALIZER(&guard);

    OFFREC_CLASS_FOR_EACH (crow, idl) {
        struct ocr_port *p = shash_find_data(&ocr_ports, crow->interface);
        struct smap status = SMAP_INITIALIZER(&status);
        struct nic_classes_status st;
        const char *keys[3 + OFFLOAD_CLASS_N_DROPS];
        int64_t values[3 + OFFLOAD_CLASS_N_DROPS];
        size_t n = 0;

        memset(&st, 0, sizeof st);
        if (!p) {
            smap_add(&status, "state", "no-interface");
            smap_add(&status, "error", "no NIC interface of this name");
        } else {
            nic_classes_get(p->nic, p->port, &st);
            if (p->error) {
                smap_add(&status, "error", p->error);
            }
        }
        for (size_t i = 0; i < st.n_classes; i++) {
            if (!strcmp(st.classes[i].name, crow->name)) {
                const struct offload_class_stats *s = &st.stats[i];

                smap_add(&status, "state", "programmed");
                keys[n] = "offered"; values[n++] = s->offered;
                keys[n] = "delivered"; values[n++] = s->delivered;
                keys[n] = "queued"; values[n++] = s->depth;
                for (size_t r = 0; r < OFFLOAD_CLASS_N_DROPS; r++) {
                    keys[n] = offload_class_drop_name(r);
                    values[n++] = s->drops[r];
                }
            }
        }
        if (p && !smap_get(&status, "state")) {
            smap_add(&status, "state", "refused");
        }
        offrec_class_set_status(crow, &status);
        offrec_class_set_statistics(crow, keys, values, n);
        smap_destroy(&status);
        nic_classes_status_destroy(&st);
    }
    OFFREC_CLASS_RULE_FOR_EACH (rrow, idl) {
        struct smap status = SMAP_INITIALIZER(&status);
        struct nic_match m;
        char *e = nic_match_from_string(rrow->match, &m);

        if (e) {
            smap_add(&status, "error", e);
            free(e);
        }
        offrec_class_rule_set_status(rrow, &status);
        smap_destroy(&status);
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, &ocr_ports) {
        struct ocr_port *p = node->data;
        struct nic_classes_status st;

        nic_classes_get(p->nic, p->port, &st);
        const struct offload_syn_guard_transition *t
            = offload_syn_guard_last(&st.guard);
        struct ds s = DS_EMPTY_INITIALIZER;

        ds_put_format(&s, "%s, engaged %"PRIu64" times", ocr_guard_state(&st),
                      st.guard.n_engaged);
        if (st.n_classes && t) {
            ds_put_cstr(&s, "; last ");
            offload_syn_guard_transition_format(&s, t);
        }
        if (st.n_classes && st.auth_cfg.enabled) {
            ds_put_format(&s, "; authentication: %"PRIu64" challenged, "
                          "%"PRIu64" validated, %"PRIu32" sources",
                          st.auth.challenged, st.auth.validated,
                          st.auth.n_sources);
        }
        smap_add(&guard, p->iface, ds_cstr(&s));
        ds_destroy(&s);
        nic_classes_status_destroy(&st);
    }
    offrec_offload_set_syn_guard_state(root, &guard);
    smap_destroy(&guard);
}
