/* SPDX-License-Identifier: Apache-2.0 */
/* The media a NIC port attaches to: AF_PACKET interfaces, unix streams,
 * pcap files and the in-memory generator. */
#include <config.h>

#include "lib/nic-media.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csum.h"
#include "lib/nic.h"
#include "dp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "pcap-file.h"
#include "sset.h"
#include "socket-util.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nic_media);

/* A receive slot of AF_PACKET: longer frames are truncated to it (and
 * counted as errors, as is anything over NIC_MAX_FRAME). */
#define NIC_MEDIUM_MAX_FRAME UINT16_MAX

/* Frames taken per recvmmsg() call: one system call per batch, not per
 * frame, as OVS's own netdev-linux does. */
#define NIC_AFPACKET_BATCH 16
#define NIC_STREAM_TXBUF_MAX (1024 * 1024)

enum nic_medium_kind {
    NIC_MEDIUM_NONE,
    NIC_MEDIUM_AFPACKET,
    NIC_MEDIUM_STREAM,
    NIC_MEDIUM_PCAP,
    NIC_MEDIUM_GEN,
};

/* What a medium holds exclusively, across every NIC of the process: a
 * host interface ("afpacket:IFNAME"; two readers would each get every
 * frame) or a pcap output file ("pcap:DEV:INO"; two writers would mix
 * their records). */
static struct ovs_mutex nic_media_mutex = OVS_MUTEX_INITIALIZER;
static struct sset nic_media_claims OVS_GUARDED_BY(nic_media_mutex)
    = SSET_INITIALIZER(&nic_media_claims);

struct nic_medium {
    enum nic_medium_kind kind;
    char *spec;
    char *claim;                /* In 'nic_media_claims', or NULL. */
    struct nic_medium_stats stats;

    /* afpacket */
    int fd;                     /* -1 while the interface is gone. */
    char *ifname;
    int ifindex;                /* Of the interface 'fd' is bound to. */
    bool link_up;
    long long int next_check;   /* When nic_medium_run() looks again. */
    uint8_t *rxframe;           /* A batch of max-size frames. */

    /* punix/unix */
    struct pstream *pstream;    /* Listening (punix) or NULL. */
    char *connect_name;         /* Reconnect target (unix) or NULL. */
    struct stream *stream;      /* The connection, once there is one. */
    struct ofpbuf rxbuf;        /* Partial frame received. */
    struct ofpbuf txbuf;        /* Framed data not yet sent. */

    /* pcap */
    struct pcap_file *rx_pcap, *tx_pcap;

    /* gen */
    uint32_t gen_n_flows;
    uint32_t gen_next;
    uint32_t gen_len;
    uint64_t gen_pps;               /* 0: as fast as the engine takes. */
    long long int gen_start;        /* ms, when the rate started. */
    uint64_t gen_sent;
    uint8_t *gen_template;
};

static int
nic_medium_error(char **errorp, int error, const char *fmt, ...)
    OVS_PRINTF_FORMAT(3, 4);
static void nic_gen_init_template(struct nic_medium *);

static int
nic_medium_error(char **errorp, int error, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    *errorp = xvasprintf(fmt, args);
    va_end(args);
    return error;
}

/* Takes 'key' for 'm'.  Returns false if another medium holds it. */
static bool
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

static void
nic_medium_unclaim(struct nic_medium *m)
{
    if (m->claim) {
        ovs_mutex_lock(&nic_media_mutex);
        sset_find_and_delete(&nic_media_claims, m->claim);
        ovs_mutex_unlock(&nic_media_mutex);
        free(m->claim);
        m->claim = NULL;
    }
}

/* How often an afpacket medium looks at its interface, in ms: a deleted
 * interface leaves the socket bound to nothing, and one created again
 * under the name has a new index, so the socket must be opened again. */
#define NIC_AFPACKET_CHECK_MS 200

/* Opens m->fd on interface 'ifindex'.  Returns 0 or an errno. */
static int
nic_afpacket_bind(struct nic_medium *m, int ifindex)
{
    struct sockaddr_ll sll;
    struct packet_mreq mreq;
    int one = 1;
    int error;

    m->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (m->fd < 0) {
        return errno;
    }
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    memset(&mreq, 0, sizeof mreq);
    mreq.mr_ifindex = ifindex;
    mreq.mr_type = PACKET_MR_PROMISC;
    /* Frames we send must not come back to us; VLAN tags that the kernel
     * strips are recovered from the auxiliary data. */
    if (bind(m->fd, (struct sockaddr *) &sll, sizeof sll)
        || setsockopt(m->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
                      sizeof mreq)
        || setsockopt(m->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)
        || setsockopt(m->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                      sizeof one)
        || set_nonblocking(m->fd)) {
        error = errno;
        close(m->fd);
        m->fd = -1;
        return error;
    }
    m->ifindex = ifindex;
    return 0;
}

/* Whether the interface 'm->fd' is bound to is up and running. */
static bool
nic_afpacket_running(const struct nic_medium *m)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strzcpy(ifr.ifr_name, m->ifname, sizeof ifr.ifr_name);
    return (!ioctl(m->fd, SIOCGIFFLAGS, &ifr)
            && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING));
}

static int
nic_afpacket_open(struct nic_medium *m, const char *ifname, char **errorp)
{
    int ifindex = if_nametoindex(ifname);
    int error;

    if (!ifindex) {
        return nic_medium_error(errorp, ENODEV, "no interface %s", ifname);
    }
    if (!nic_medium_claim(m, m->spec)) {
        return nic_medium_error(errorp, EBUSY, "interface %s is already "
                                "the medium of another port", ifname);
    }
    m->ifname = xstrdup(ifname);
    m->rxframe = xmalloc(NIC_AFPACKET_BATCH * NIC_MEDIUM_MAX_FRAME);
    error = nic_afpacket_bind(m, ifindex);
    if (error) {
        return nic_medium_error(errorp, error, "AF_PACKET on %s: %s",
                                ifname, ovs_strerror(error));
    }
    m->link_up = nic_afpacket_running(m);
    m->next_check = time_msec() + NIC_AFPACKET_CHECK_MS;
    return 0;
}

/* Follows the interface: notices it gone (the socket then receives and
 * sends nothing) and opens the socket again on the interface that comes
 * back under the same name. */
static void
nic_afpacket_run(struct nic_medium *m)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    bool was_up = m->link_up;
    int ifindex;

    if (time_msec() < m->next_check) {
        return;
    }
    m->next_check = time_msec() + NIC_AFPACKET_CHECK_MS;
    ifindex = if_nametoindex(m->ifname);
    if (m->fd >= 0 && ifindex != m->ifindex) {
        close(m->fd);
        m->fd = -1;
        VLOG_WARN("%s: interface %s is gone, link down", m->spec,
                  m->ifname);
    }
    if (m->fd < 0 && ifindex) {
        int error = nic_afpacket_bind(m, ifindex);

        if (!error) {
            VLOG_INFO("%s: interface %s is back (index %d), attached "
                      "again", m->spec, m->ifname, ifindex);
        } else {
            VLOG_WARN_RL(&rl, "%s: cannot attach to %s again: %s", m->spec,
                         m->ifname, ovs_strerror(error));
        }
    }
    m->link_up = m->fd >= 0 && nic_afpacket_running(m);
    if (m->link_up != was_up) {
        VLOG_INFO("%s: link %s", m->spec, m->link_up ? "up" : "down");
    }
}

static char *
nic_pcap_key(const struct stat *st)
{
    return xasprintf("pcap:%llu:%llu", (unsigned long long) st->st_dev,
                     (unsigned long long) st->st_ino);
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
nic_pcap_open_tx(struct nic_medium *m, const char *tx, bool overwrite,
                 char **errorp)
{
    const char *mode = "wb";
    struct stat st;
    char *key;

    if (!stat(tx, &st)) {
        key = nic_pcap_key(&st);
        if (!nic_medium_claim(m, key)) {
            free(key);
            return nic_medium_error(errorp, EBUSY, "pcap file %s is already "
                                    "written by another port", tx);
        }
        free(key);
        if (!overwrite) {
            if (st.st_size && !nic_pcap_is_capture(tx)) {
                return nic_medium_error(errorp, EEXIST, "%s exists and is "
                                        "not a pcap file (pcap:RX,TX,"
                                        "overwrite replaces it)", tx);
            }
            mode = "ab";
        }
    }
    m->tx_pcap = ovs_pcap_open(tx, mode);
    if (!m->tx_pcap) {
        return nic_medium_error(errorp, errno ? errno : EINVAL,
                                "cannot write pcap file %s", tx);
    }
    if (!m->claim && !stat(tx, &st)) {
        key = nic_pcap_key(&st);
        if (!nic_medium_claim(m, key)) {
            free(key);
            return nic_medium_error(errorp, EBUSY, "pcap file %s is already "
                                    "written by another port", tx);
        }
        free(key);
    }
    if (mode[0] == 'a') {
        VLOG_INFO("%s: appending to existing pcap file %s", m->spec, tx);
    }
    return 0;
}

/* "RX,TX[,overwrite]" or "RX". */
static int
nic_pcap_open(struct nic_medium *m, const char *arg, char **errorp)
{
    char *copy = xstrdup(arg);
    char *comma = strchr(copy, ',');
    const char *rx = copy, *tx = comma ? comma + 1 : "-";
    bool overwrite = false;
    int error = 0;

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
        m->rx_pcap = ovs_pcap_open(rx, "rb");
        if (!m->rx_pcap) {
            error = nic_medium_error(errorp, errno ? errno : EINVAL,
                                     "cannot read pcap file %s", rx);
        }
    }
    if (!error && strcmp(tx, "-")) {
        error = nic_pcap_open_tx(m, tx, overwrite, errorp);
    }
    free(copy);
    return error;
}

/* Limits of the generator: its flows differ in the low 24 bits of the
 * destination address, and its rate times the milliseconds of a run must
 * fit in 64 bits. */
#define NIC_GEN_MAX_FLOWS (1u << 24)
#define NIC_GEN_MAX_PPS 100000000u

/* Parses one unsigned decimal field of a "gen" spec: digits only (no sign,
 * no spaces, nothing after), from 'min' to 'max'. */
static bool
nic_gen_field(const char *s, unsigned int min, unsigned int max,
              unsigned int *value)
{
    return (s && s[0] && strspn(s, "0123456789") == strlen(s)
            && str_to_uint(s, 10, value) && *value >= min && *value <= max);
}

static int
nic_gen_open(struct nic_medium *m, const char *arg, char **errorp)
{
    char *copy = xstrdup(arg);
    char *fields[4] = { NULL, NULL, NULL, NULL };
    unsigned int n, len, pps = 0;
    int n_fields = 0;
    bool ok;

    /* Split at every comma, so that an empty field is seen as one. */
    for (char *p = copy; n_fields < 4; n_fields++) {
        fields[n_fields] = p;
        p = strchr(p, ',');
        if (!p) {
            n_fields++;
            break;
        }
        *p++ = '\0';
    }
    ok = ((n_fields == 2 || n_fields == 3)
          && nic_gen_field(fields[0], 1, NIC_GEN_MAX_FLOWS, &n)
          && nic_gen_field(fields[1], 60, 9000, &len)
          && (n_fields == 2
              || nic_gen_field(fields[2], 1, NIC_GEN_MAX_PPS, &pps)));
    free(copy);
    if (!ok) {
        return nic_medium_error(errorp, EINVAL, "gen wants N,LEN[,PPS] with "
                                "1 <= N <= %u, 60 <= LEN <= 9000 and "
                                "1 <= PPS <= %u, all decimal, not \"%s\"",
                                NIC_GEN_MAX_FLOWS, NIC_GEN_MAX_PPS, arg);
    }
    m->gen_n_flows = n;
    m->gen_len = len;
    m->gen_pps = pps;
    m->gen_start = time_msec();
    nic_gen_init_template(m);
    return 0;
}

int
nic_medium_open(const char *spec, struct nic_medium **mp, char **errorp)
{
    struct nic_medium *m = xzalloc(sizeof *m);
    const char *colon = strchr(spec, ':');
    const char *arg = colon ? colon + 1 : "";
    size_t kind_len = colon ? colon - spec : strlen(spec);
    int error = 0;

    *errorp = NULL;
    m->fd = -1;
    m->spec = xstrdup(spec);
    ofpbuf_init(&m->rxbuf, 2048);
    ofpbuf_init(&m->txbuf, 0);

#define NIC_KIND_IS(NAME) \
    (kind_len == strlen(NAME) && !strncmp(spec, NAME, kind_len))
    if (NIC_KIND_IS("none") && !colon) {
        m->kind = NIC_MEDIUM_NONE;
    } else if (NIC_KIND_IS("afpacket") && *arg) {
        m->kind = NIC_MEDIUM_AFPACKET;
        error = nic_afpacket_open(m, arg, errorp);
    } else if (NIC_KIND_IS("punix") && *arg) {
        m->kind = NIC_MEDIUM_STREAM;
        error = pstream_open(spec, &m->pstream, 0);
        if (error) {
            nic_medium_error(errorp, error, "cannot listen on %s: %s",
                             spec, ovs_strerror(error));
        }
    } else if (NIC_KIND_IS("unix") && *arg) {
        m->kind = NIC_MEDIUM_STREAM;
        m->connect_name = xstrdup(spec);
    } else if (NIC_KIND_IS("pcap") && *arg) {
        m->kind = NIC_MEDIUM_PCAP;
        error = nic_pcap_open(m, arg, errorp);
    } else if (NIC_KIND_IS("gen") && *arg) {
        m->kind = NIC_MEDIUM_GEN;
        error = nic_gen_open(m, arg, errorp);
    } else {
        error = nic_medium_error(errorp, EINVAL, "unknown medium \"%s\" "
                                 "(use afpacket:IF, punix:PATH, unix:PATH, "
                                 "pcap:RX,TX, gen:N,LEN or none)", spec);
    }
#undef NIC_KIND_IS

    if (error) {
        nic_medium_close(m);
        *mp = NULL;
        return error;
    }
    *mp = m;
    return 0;
}

void
nic_medium_close(struct nic_medium *m)
{
    if (!m) {
        return;
    }
    if (m->fd >= 0) {
        close(m->fd);
    }
    stream_close(m->stream);
    pstream_close(m->pstream);
    if (m->rx_pcap) {
        ovs_pcap_close(m->rx_pcap);
    }
    if (m->tx_pcap) {
        ovs_pcap_close(m->tx_pcap);
    }
    ofpbuf_uninit(&m->rxbuf);
    ofpbuf_uninit(&m->txbuf);
    free(m->connect_name);
    free(m->ifname);
    free(m->rxframe);
    free(m->gen_template);
    nic_medium_unclaim(m);
    free(m->spec);
    free(m);
}

/* The tag the kernel took out of a received frame, back in. */
static void
nic_afpacket_restore_vlan(struct dp_packet *pkt, const struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
         c = CMSG_NXTHDR(CONST_CAST(struct msghdr *, msg), c)) {
        const struct tpacket_auxdata *aux;

        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA
            || c->cmsg_len < CMSG_LEN(sizeof *aux)) {
            continue;
        }
        aux = ALIGNED_CAST(const struct tpacket_auxdata *, CMSG_DATA(c));
        if ((aux->tp_status & TP_STATUS_VLAN_VALID)
            && dp_packet_size(pkt) >= ETH_HEADER_LEN) {
            uint8_t *p = dp_packet_push_uninit(pkt, VLAN_HEADER_LEN);
            ovs_be16 tpid = htons(aux->tp_status & TP_STATUS_VLAN_TPID_VALID
                                  ? aux->tp_vlan_tpid
                                  : ETH_TYPE_VLAN_8021Q);
            ovs_be16 tci = htons(aux->tp_vlan_tci);

            memmove(p, p + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
            memcpy(p + 12, &tpid, 2);
            memcpy(p + 14, &tci, 2);
        }
    }
}

static int
nic_afpacket_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    union {
        struct cmsghdr cmsg;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } cmsgs[NIC_AFPACKET_BATCH];
    struct mmsghdr msgs[NIC_AFPACKET_BATCH];
    struct iovec iovs[NIC_AFPACKET_BATCH];
    int n = 0;

    if (m->fd < 0) {
        return 0;
    }
    while (n < max) {
        int want = MIN(max - n, NIC_AFPACKET_BATCH);

        for (int i = 0; i < want; i++) {
            iovs[i].iov_base = m->rxframe + i * NIC_MEDIUM_MAX_FRAME;
            iovs[i].iov_len = NIC_MEDIUM_MAX_FRAME;
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = &cmsgs[i];
            msgs[i].msg_hdr.msg_controllen = sizeof cmsgs[i];
        }

        int got = recvmmsg(m->fd, msgs, want, MSG_TRUNC, NULL);
        if (got <= 0) {
            if (got < 0 && errno != EAGAIN && errno != EINTR) {
                m->stats.rx_errors++;
                /* ENETDOWN: the interface went away; look now. */
                m->next_check = 0;
            }
            break;
        }
        for (int i = 0; i < got; i++) {
            size_t len = msgs[i].msg_len;

            if (len > NIC_MAX_FRAME) {
                /* Truncated into the slot, or too long for the pipeline. */
                m->stats.rx_errors++;
                continue;
            }
            /* Received into a big slot, copied into a packet of the right
             * size. */
            pkts[n] = dp_packet_clone_data_with_headroom(
                iovs[i].iov_base, len, VLAN_HEADER_LEN + 64);
            nic_afpacket_restore_vlan(pkts[n], &msgs[i].msg_hdr);
            n++;
        }
        if (got < want) {
            break;
        }
    }
    return n;
}

static void
nic_stream_flush(struct nic_medium *m)
{
    while (m->stream && m->txbuf.size) {
        int retval = stream_send(m->stream, m->txbuf.data, m->txbuf.size);

        if (retval > 0) {
            ofpbuf_pull(&m->txbuf, retval);
        } else {
            if (retval != -EAGAIN) {
                stream_close(m->stream);
                m->stream = NULL;
            }
            break;
        }
    }
}

/* Establishes the connection if there is none yet. */
static void
nic_stream_connect(struct nic_medium *m)
{
    if (m->stream) {
        int error = stream_connect(m->stream);

        if (error && error != EAGAIN) {
            stream_close(m->stream);
            m->stream = NULL;
        }
        return;
    }
    if (m->pstream) {
        if (pstream_accept(m->pstream, &m->stream)) {
            m->stream = NULL;
        }
    } else if (m->connect_name) {
        if (stream_open(m->connect_name, &m->stream, 0)) {
            m->stream = NULL;
        }
    }
    ofpbuf_clear(&m->rxbuf);
}

static int
nic_stream_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    int n = 0;

    nic_stream_connect(m);
    nic_stream_flush(m);
    while (m->stream && n < max) {
        size_t need, frame_len = 0;
        int retval;

        if (m->rxbuf.size < 2) {
            need = 2 - m->rxbuf.size;
        } else {
            frame_len = ntohs(get_unaligned_be16(m->rxbuf.data));
            need = 2 + frame_len - m->rxbuf.size;
        }
        if (!need) {
            struct dp_packet *pkt;

            pkt = dp_packet_clone_data_with_headroom(
                (uint8_t *) m->rxbuf.data + 2, frame_len, 128);
            pkts[n++] = pkt;
            ofpbuf_clear(&m->rxbuf);
            continue;
        }
        ofpbuf_prealloc_tailroom(&m->rxbuf, need);
        retval = stream_recv(m->stream, ofpbuf_tail(&m->rxbuf), need);
        if (retval > 0) {
            m->rxbuf.size += retval;
        } else {
            if (retval != -EAGAIN) {
                /* Peer gone: a listener waits for the next one. */
                stream_close(m->stream);
                m->stream = NULL;
                ofpbuf_clear(&m->rxbuf);
            }
            break;
        }
    }
    return n;
}

/* Builds the generator's frame template once; each frame is a copy with
 * its flow's destination address and IP checksum patched in. */
static void
nic_gen_init_template(struct nic_medium *m)
{
    uint8_t *p = m->gen_template = xzalloc(m->gen_len);
    ovs_be16 v16;

    memcpy(p, "\x50\x54\x00\x00\x00\x02\x50\x54\x00\x00\x00\x01"
           "\x08\x00\x45\x00", 16);
    v16 = htons(m->gen_len - ETH_HEADER_LEN);
    memcpy(p + 16, &v16, 2);
    p[22] = 64;
    p[23] = IPPROTO_UDP;
    memcpy(p + 26, "\x0a\x00\x00\x01", 4);
    memcpy(p + 34, "\x03\xe8\x07\xd0", 4);  /* 1000 -> 2000 */
    v16 = htons(m->gen_len - 34);
    memcpy(p + 38, &v16, 2);
}

/* How many frames a rate-limited generator may emit now. */
static int
nic_gen_allowed(struct nic_medium *m, int max)
{
    if (!m->gen_pps) {
        return max;
    }
    uint64_t due = (time_msec() - m->gen_start) * m->gen_pps / 1000;
    return due > m->gen_sent ? MIN(max, due - m->gen_sent) : 0;
}

static int
nic_gen_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    max = nic_gen_allowed(m, max);
    m->gen_sent += max;
    for (int i = 0; i < max; i++) {
        uint32_t flow = m->gen_next++ % m->gen_n_flows;
        struct dp_packet *pkt = dp_packet_clone_data_with_headroom(
            m->gen_template, m->gen_len, 64);
        uint8_t *p = dp_packet_data(pkt);
        ovs_be32 dst = htonl(0x0b000000 + flow);
        ovs_be16 v16;

        memcpy(p + 30, &dst, 4);
        v16 = csum(p + 14, 20);
        memcpy(p + 24, &v16, 2);
        pkts[i] = pkt;
    }
    return max;
}

static int nic_medium_recv__(struct nic_medium *, struct dp_packet **,
                             int max);

int
nic_medium_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    int n = nic_medium_recv__(m, pkts, max);
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

static int
nic_medium_recv__(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    switch (m->kind) {
    case NIC_MEDIUM_AFPACKET:
        return nic_afpacket_recv(m, pkts, max);
    case NIC_MEDIUM_STREAM:
        return nic_stream_recv(m, pkts, max);
    case NIC_MEDIUM_PCAP: {
        int n = 0;

        while (m->rx_pcap && n < max) {
            struct dp_packet *pkt;
            int error = ovs_pcap_read(m->rx_pcap, &pkt, NULL);

            if (error) {
                /* End of file (or a bad record): nothing more to read. */
                if (error != EOF) {
                    m->stats.rx_errors++;
                }
                ovs_pcap_close(m->rx_pcap);
                m->rx_pcap = NULL;
                break;
            }
            pkts[n++] = pkt;
        }
        return n;
    }
    case NIC_MEDIUM_GEN:
        return nic_gen_recv(m, pkts, max);
    case NIC_MEDIUM_NONE:
    default:
        return 0;
    }
}

int
nic_medium_send_batch(struct nic_medium *m, struct dp_packet **pkts, int n,
                      uint64_t *bytes)
{
    int sent = 0;

    *bytes = 0;
    if (m->kind == NIC_MEDIUM_AFPACKET && m->fd < 0) {
        m->stats.tx_errors += n;
        return 0;
    } else if (m->kind == NIC_MEDIUM_AFPACKET) {
        int pos = 0;

        while (pos < n) {
            struct mmsghdr msgs[NIC_AFPACKET_BATCH];
            struct iovec iovs[NIC_AFPACKET_BATCH];
            int want = MIN(n - pos, NIC_AFPACKET_BATCH);

            for (int i = 0; i < want; i++) {
                iovs[i].iov_base = dp_packet_data(pkts[pos + i]);
                iovs[i].iov_len = dp_packet_size(pkts[pos + i]);
                memset(&msgs[i], 0, sizeof msgs[i]);
                msgs[i].msg_hdr.msg_iov = &iovs[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int retval = sendmmsg(m->fd, msgs, want, 0);
            if (retval <= 0) {
                /* The frame at 'pos' failed: count it, go on after it. */
                m->stats.tx_errors++;
                pos++;
            } else {
                for (int i = 0; i < retval; i++) {
                    *bytes += dp_packet_size(pkts[pos + i]);
                }
                pos += retval;
                sent += retval;
            }
        }
        return sent;
    }
    for (int i = 0; i < n; i++) {
        if (!nic_medium_send(m, pkts[i])) {
            sent++;
            *bytes += dp_packet_size(pkts[i]);
        }
    }
    return sent;
}

int
nic_medium_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    size_t len = dp_packet_size(pkt);

    switch (m->kind) {
    case NIC_MEDIUM_AFPACKET: {
        ssize_t retval;

        if (m->fd < 0) {
            m->stats.tx_errors++;
            return ENETDOWN;
        }
        retval = send(m->fd, dp_packet_data(pkt), len, 0);
        if (retval < 0) {
            m->stats.tx_errors++;
            return errno;
        }
        return 0;
    }
    case NIC_MEDIUM_STREAM:
        if (!m->stream || len > UINT16_MAX
            || m->txbuf.size > NIC_STREAM_TXBUF_MAX) {
            m->stats.tx_errors++;
            return m->stream ? ENOBUFS : ENOTCONN;
        }
        put_unaligned_be16(ofpbuf_put_uninit(&m->txbuf, 2), htons(len));
        ofpbuf_put(&m->txbuf, dp_packet_data(pkt), len);
        nic_stream_flush(m);
        return 0;
    case NIC_MEDIUM_PCAP:
        if (m->tx_pcap) {
            ovs_pcap_write(m->tx_pcap, CONST_CAST(struct dp_packet *, pkt));
        }
        return 0;
    case NIC_MEDIUM_GEN:
    case NIC_MEDIUM_NONE:
    default:
        return 0;
    }
}

void
nic_medium_wait(struct nic_medium *m)
{
    switch (m->kind) {
    case NIC_MEDIUM_AFPACKET:
        if (m->fd >= 0) {
            poll_fd_wait(m->fd, POLLIN);
        }
        poll_timer_wait_until(m->next_check);
        break;
    case NIC_MEDIUM_STREAM:
        if (m->stream) {
            stream_run_wait(m->stream);
            stream_recv_wait(m->stream);
            if (m->txbuf.size) {
                stream_send_wait(m->stream);
            }
        } else if (m->pstream) {
            pstream_wait(m->pstream);
        } else {
            /* Retry the connection now and then. */
            poll_timer_wait(100);
        }
        break;
    case NIC_MEDIUM_PCAP:
    case NIC_MEDIUM_GEN:
        if (m->kind == NIC_MEDIUM_GEN && m->gen_pps
            && !nic_gen_allowed(m, 1)) {
            poll_timer_wait(1);
        } else if ((m->kind == NIC_MEDIUM_PCAP && m->rx_pcap)
                   || m->kind == NIC_MEDIUM_GEN) {
            poll_immediate_wake();
        }
        break;
    case NIC_MEDIUM_NONE:
    default:
        break;
    }
}

void
nic_medium_run(struct nic_medium *m)
{
    if (m->kind == NIC_MEDIUM_AFPACKET) {
        nic_afpacket_run(m);
    }
}

bool
nic_medium_link_up(const struct nic_medium *m)
{
    return m->kind != NIC_MEDIUM_AFPACKET || m->link_up;
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
}

uint32_t
nic_medium_gen_n_flows(const struct nic_medium *m)
{
    return m->kind == NIC_MEDIUM_GEN ? m->gen_n_flows : 0;
}
