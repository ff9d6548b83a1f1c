/* SPDX-License-Identifier: Apache-2.0 */
/* The "pcap:RX,TX[,overwrite]" medium: frames read from one pcap file and
 * sent frames written to another. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dp-packet.h"
#include "lib/nic-medium-provider.h"
#include "openvswitch/poll-loop.h"
#include "pcap-file.h"
#include "util.h"

struct nic_pcap {
    struct nic_medium up;
    struct pcap_file *rx_pcap;  /* NULL: none, or read to its end. */
    struct pcap_file *tx_pcap;  /* NULL: sends are discarded. */
};

static struct nic_pcap *
nic_pcap_cast(const struct nic_medium *m)
{
    ovs_assert(m->class == &nic_medium_pcap_class);
    return CONTAINER_OF(m, struct nic_pcap, up);
}

/* Claims the file 'st' describes, by device and inode rather than by name,
 * so that two names of one file are one claim. */
static bool
nic_pcap_claim(struct nic_pcap *p, const struct stat *st)
{
    char *key = xasprintf("pcap:%llu:%llu",
                          (unsigned long long) st->st_dev,
                          (unsigned long long) st->st_ino);
    bool ok = nic_medium_claim(&p->up, key);

    free(key);
    return ok;
}

/* Whether 'path' starts with a pcap magic number (either byte order,
 * microsecond or nanosecond timestamps).  Read here rather than through
 * ovs_pcap_open(), which logs a warning for any other file. */
static bool
nic_pcap_is_capture(const char *path)
{
    static const uint32_t magics[] = {
        0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1,
    };
    FILE *file = fopen(path, "rb");
    uint32_t magic;
    bool ok = false;

    if (file) {
        if (fread(&magic, sizeof magic, 1, file) == 1) {
            for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
                ok = ok || magic == magics[i];
            }
        }
        fclose(file);
    }
    return ok;
}

/* Opens pcap output 'tx'.  An existing capture is appended to, so that a
 * restarted daemon or a re-attached port loses nothing; any other existing
 * file is refused, so that a mistyped medium cannot destroy it, unless
 * 'overwrite' asks to replace it. */
static int
nic_pcap_open_tx(struct nic_pcap *p, const char *tx, bool overwrite,
                 char **errorp)
{
    const char *mode = "wb";
    struct stat st;

    if (!stat(tx, &st)) {
        if (!nic_pcap_claim(p, &st)) {
            return nic_medium_error(errorp, EBUSY, "pcap file %s is already "
                                    "written by another port", tx);
        }
        if (!overwrite) {
            if (st.st_size && !nic_pcap_is_capture(tx)) {
                return nic_medium_error(errorp, EEXIST, "%s exists and is "
                                        "not a pcap file (pcap:RX,TX,"
                                        "overwrite replaces it)", tx);
            }
            mode = "ab";
        }
    }
    p->tx_pcap = ovs_pcap_open(tx, mode);
    if (!p->tx_pcap) {
        return nic_medium_error(errorp, errno ? errno : EINVAL,
                                "cannot write pcap file %s", tx);
    }
    /* A file created just now is claimed once it exists. */
    if (!p->up.claim && !stat(tx, &st) && !nic_pcap_claim(p, &st)) {
        return nic_medium_error(errorp, EBUSY, "pcap file %s is already "
                                "written by another port", tx);
    }
    if (mode[0] == 'a') {
        nic_medium_log(VLL_INFO, NULL, "%s: appending to existing pcap "
                       "file %s", p->up.spec, tx);
    }
    return 0;
}

/* "RX,TX[,overwrite]" or "RX". */
static int
nic_pcap_open(const char *spec, const char *arg, struct nic_medium **mp,
              char **errorp)
{
    struct nic_pcap *p = xzalloc(sizeof *p);
    char *copy = xstrdup(arg);
    char *comma = strchr(copy, ',');
    const char *rx = copy, *tx = comma ? comma + 1 : "-";
    bool overwrite = false;
    int error = 0;

    nic_medium_init(&p->up, &nic_medium_pcap_class, spec);
    *mp = &p->up;
    if (comma) {
        char *flag;

        *comma = '\0';
        flag = strchr(comma + 1, ',');
        if (flag) {
            *flag++ = '\0';
            if (strcmp(flag, "overwrite")) {
                error = nic_medium_error(errorp, EINVAL, "pcap wants "
                                         "RX,TX[,overwrite], not \"%s\"",
                                         arg);
            }
            overwrite = true;
        }
    }
    if (!error && strcmp(rx, "-")) {
        p->rx_pcap = ovs_pcap_open(rx, "rb");
        if (!p->rx_pcap) {
            error = nic_medium_error(errorp, errno ? errno : EINVAL,
                                     "cannot read pcap file %s", rx);
        }
    }
    if (!error && strcmp(tx, "-")) {
        error = nic_pcap_open_tx(p, tx, overwrite, errorp);
    }
    free(copy);
    return error;
}

static void
nic_pcap_close(struct nic_medium *m)
{
    struct nic_pcap *p = nic_pcap_cast(m);

    if (p->rx_pcap) {
        ovs_pcap_close(p->rx_pcap);
    }
    if (p->tx_pcap) {
        ovs_pcap_close(p->tx_pcap);
    }
    free(p);
}

static int
nic_pcap_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    struct nic_pcap *p = nic_pcap_cast(m);
    int n = 0;

    while (p->rx_pcap && n < max) {
        struct dp_packet *pkt;
        int error = ovs_pcap_read(p->rx_pcap, &pkt, NULL);

        if (error) {
            /* End of file (or a bad record): nothing more to read. */
            if (error != EOF) {
                m->stats.rx_errors++;
            }
            ovs_pcap_close(p->rx_pcap);
            p->rx_pcap = NULL;
            break;
        }
        pkts[n++] = pkt;
    }
    return n;
}

static int
nic_pcap_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    struct nic_pcap *p = nic_pcap_cast(m);

    if (p->tx_pcap) {
        ovs_pcap_write(p->tx_pcap, CONST_CAST(struct dp_packet *, pkt));
    }
    return 0;
}

/* A file is read as fast as the engine takes it, until its end. */
static void
nic_pcap_wait(struct nic_medium *m)
{
    if (nic_pcap_cast(m)->rx_pcap) {
        poll_immediate_wake();
    }
}

const struct nic_medium_class nic_medium_pcap_class = {
    .name = "pcap",
    .takes_arg = true,
    .open = nic_pcap_open,
    .close = nic_pcap_close,
    .recv = nic_pcap_recv,
    .send = nic_pcap_send,
    .wait = nic_pcap_wait,
};
