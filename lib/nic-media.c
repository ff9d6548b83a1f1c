/* SPDX-License-Identifier: Apache-2.0 */
/* The media a NIC port attaches to: picks a medium's class by its spec and
 * is the only caller of the classes' members (nic-medium-provider.h). */
#include <config.h>

#include "lib/nic-media.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nic-medium-provider.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nic_media);

/* The built-in classes. */
static const struct nic_medium_class *const nic_medium_classes[] = {
    &nic_medium_afpacket_class,
    &nic_medium_punix_class,
    &nic_medium_unix_class,
    &nic_medium_pcap_class,
    &nic_medium_gen_class,
    &nic_medium_none_class,
    &nic_medium_lossy_class,
#ifdef HAVE_NIC_XDP
    &nic_medium_afxdp_class,
#endif
};

/* The media of the build, for the message on an unknown one. */
#ifdef HAVE_NIC_XDP
#define NIC_MEDIA_LIST "afpacket:IF, afxdp:IF, punix:PATH, unix:PATH, " \
    "pcap:RX,TX, gen:N,LEN or none"
#else
#define NIC_MEDIA_LIST "afpacket:IF, punix:PATH, unix:PATH, pcap:RX,TX, " \
    "gen:N,LEN or none (afxdp:IF: not built, no XDP)"
#endif

/* What a medium holds exclusively, across every NIC of the process: a
 * host interface ("afpacket:IFNAME"; two readers would each get every
 * frame) or a pcap output file ("pcap:DEV:INO"; two writers would mix
 * their records). */
static struct ovs_mutex nic_media_mutex = OVS_MUTEX_INITIALIZER;
static struct sset nic_media_claims OVS_GUARDED_BY(nic_media_mutex)
    = SSET_INITIALIZER(&nic_media_claims);

void
nic_medium_init(struct nic_medium *m, const struct nic_medium_class *class,
                const char *spec)
{
    m->class = class;
    m->spec = xstrdup(spec);
    m->claim = NULL;
    memset(&m->stats, 0, sizeof m->stats);
}

int
nic_medium_error(char **errorp, int error, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    *errorp = xvasprintf(fmt, args);
    va_end(args);
    return error;
}

bool
nic_medium_claim(struct nic_medium *m, const char *key)
{
    bool ok;

    ovs_assert(!m->claim);
    ovs_mutex_lock(&nic_media_mutex);
    ok = sset_add(&nic_media_claims, key) != NULL;
    ovs_mutex_unlock(&nic_media_mutex);
    if (ok) {
        m->claim = xstrdup(key);
    }
    return ok;
}

void
nic_medium_log(enum vlog_level level, struct vlog_rate_limit *rl,
               const char *fmt, ...)
{
    if (!rl || !vlog_should_drop(&this_module, level, rl)) {
        va_list args;

        va_start(args, fmt);
        vlog_valist(&this_module, level, fmt, args);
        va_end(args);
    }
}

static void
nic_medium_unclaim(char *claim)
{
    if (claim) {
        ovs_mutex_lock(&nic_media_mutex);
        sset_find_and_delete(&nic_media_claims, claim);
        ovs_mutex_unlock(&nic_media_mutex);
        free(claim);
    }
}

/* The class whose name is the first 'name_len' bytes of a spec, or NULL. */
static const struct nic_medium_class *
nic_medium_class_find(const char *name, size_t name_len)
{
    for (size_t i = 0; i < ARRAY_SIZE(nic_medium_classes); i++) {
        const struct nic_medium_class *class = nic_medium_classes[i];

        if (strlen(class->name) == name_len
            && !strncmp(class->name, name, name_len)) {
            return class;
        }
    }
    return NULL;
}

int
nic_medium_open(const char *spec, struct nic_medium **mp, char **errorp)
{
    const char *colon = strchr(spec, ':');
    const char *arg = colon ? colon + 1 : "";
    const struct nic_medium_class *class;
    struct nic_medium *m = NULL;
    int error;

    *errorp = NULL;
    *mp = NULL;
    class = nic_medium_class_find(spec, colon ? colon - spec : strlen(spec));
    if (!class || (class->takes_arg ? !*arg : colon != NULL)) {
        return nic_medium_error(errorp, EINVAL, "unknown medium \"%s\" "
                                "(use "NIC_MEDIA_LIST")", spec);
    }
    error = class->open(spec, arg, &m, errorp);
    if (error) {
        nic_medium_close(m);
        return error;
    }
    *mp = m;
    return 0;
}

void
nic_medium_close(struct nic_medium *m)
{
    if (m) {
        char *claim = m->claim;
        char *spec = m->spec;

        /* The claim goes only once the class let go of what it claims. */
        m->class->close(m);
        nic_medium_unclaim(claim);
        free(spec);
    }
}

int
nic_medium_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    int n = m->class->recv(m, pkts, max);
    int j = 0;

    /* A stream peer or a pcap file may carry up to 64 kB, more than the
     * pipeline takes (see NIC_MAX_FRAME). */
    for (int i = 0; i < n; i++) {
        if (dp_packet_size(pkts[i]) > NIC_MAX_FRAME) {
            dp_packet_delete(pkts[i]);
            m->stats.rx_errors++;
        } else {
            pkts[j++] = pkts[i];
        }
    }
    return j;
}

int
nic_medium_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    return m->class->send ? m->class->send(m, pkt) : 0;
}

int
nic_medium_send_batch(struct nic_medium *m, struct dp_packet **pkts, int n,
                      uint64_t *bytes)
{
    int sent = 0;

    *bytes = 0;
    if (m->class->send_batch) {
        return m->class->send_batch(m, pkts, n, bytes);
    }
    for (int i = 0; i < n; i++) {
        if (!nic_medium_send(m, pkts[i])) {
            sent++;
            *bytes += dp_packet_size(pkts[i]);
        }
    }
    return sent;
}

void
nic_medium_run(struct nic_medium *m)
{
    if (m->class->run) {
        m->class->run(m);
    }
}

void
nic_medium_wait(struct nic_medium *m)
{
    if (m->class->wait) {
        m->class->wait(m);
    }
}

bool
nic_medium_link_up(const struct nic_medium *m)
{
    return !m->class->link_up || m->class->link_up(m);
}

const char *
nic_medium_spec(const struct nic_medium *m)
{
    return m->spec;
}

void
nic_medium_get_stats(const struct nic_medium *m,
                     struct nic_medium_stats *stats)
{
    *stats = m->stats;
    if (m->class->get_stats) {
        m->class->get_stats(m, stats);
    }
}
