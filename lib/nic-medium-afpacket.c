/* SPDX-License-Identifier: Apache-2.0 */
/* The "afpacket:IFNAME" medium: a Linux interface through an AF_PACKET
 * socket, followed when the interface is deleted and created again. */
#include <config.h>

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nic-pktpool.h"
#include "lib/nic-medium-provider.h"
#include "openvswitch/poll-loop.h"
#include "packets.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"

/* A receive slot of AF_PACKET: longer frames are truncated to it (and
 * counted as errors, as is anything over NIC_MAX_FRAME). */
#define NIC_AFPACKET_MAX_FRAME UINT16_MAX

/* Frames taken per recvmmsg() call: one system call per batch, not per
 * frame, as OVS's own netdev-linux does. */
#define NIC_AFPACKET_BATCH 16

/* How often an afpacket medium looks at its interface, in ms: a deleted
 * interface leaves the socket bound to nothing, and one created again
 * under the name has a new index, so the socket must be opened again. */
#define NIC_AFPACKET_CHECK_MS 200

struct nic_afpacket {
    struct nic_medium up;
    int fd;                     /* -1 while the interface is gone. */
    char *ifname;
    int ifindex;                /* Of the interface 'fd' is bound to. */
    bool link_up;
    long long int next_check;   /* When nic_afpacket_run() looks again. */
    uint8_t *rxframe;           /* A batch of max-size frames. */
};

static struct nic_afpacket *
nic_afpacket_cast(const struct nic_medium *m)
{
    ovs_assert(m->class == &nic_medium_afpacket_class);
    return CONTAINER_OF(m, struct nic_afpacket, up);
}

/* Opens a->fd on interface 'ifindex'.  Returns 0 or an errno. */
static int
nic_afpacket_bind(struct nic_afpacket *a, int ifindex)
{
    struct sockaddr_ll sll;
    struct packet_mreq mreq;
    int one = 1;
    int error;

    a->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (a->fd < 0) {
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
    if (bind(a->fd, (struct sockaddr *) &sll, sizeof sll)
        || setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
                      sizeof mreq)
        || setsockopt(a->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)
        || setsockopt(a->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                      sizeof one)
        || set_nonblocking(a->fd)) {
        error = errno;
        close(a->fd);
        a->fd = -1;
        return error;
    }
    a->ifindex = ifindex;
    return 0;
}

/* Whether the interface 'a->fd' is bound to is up and running. */
static bool
nic_afpacket_running(const struct nic_afpacket *a)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strzcpy(ifr.ifr_name, a->ifname, sizeof ifr.ifr_name);
    return (!ioctl(a->fd, SIOCGIFFLAGS, &ifr)
            && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING));
}

static int
nic_afpacket_open(const char *spec, const char *ifname,
                  struct nic_medium **mp, char **errorp)
{
    struct nic_afpacket *a = xzalloc(sizeof *a);
    int ifindex;
    int error;

    nic_medium_init(&a->up, &nic_medium_afpacket_class, spec);
    a->fd = -1;
    *mp = &a->up;

    ifindex = if_nametoindex(ifname);
    if (!ifindex) {
        return nic_medium_error(errorp, ENODEV, "no interface %s", ifname);
    }
    if (!nic_medium_claim(&a->up, spec)) {
        return nic_medium_error(errorp, EBUSY, "interface %s is already "
                                "the medium of another port", ifname);
    }
    a->ifname = xstrdup(ifname);
    a->rxframe = xmalloc(NIC_AFPACKET_BATCH * NIC_AFPACKET_MAX_FRAME);
    error = nic_afpacket_bind(a, ifindex);
    if (error) {
        return nic_medium_error(errorp, error, "AF_PACKET on %s: %s",
                                ifname, ovs_strerror(error));
    }
    a->link_up = nic_afpacket_running(a);
    a->next_check = time_msec() + NIC_AFPACKET_CHECK_MS;
    return 0;
}

static void
nic_afpacket_close(struct nic_medium *m)
{
    struct nic_afpacket *a = nic_afpacket_cast(m);

    if (a->fd >= 0) {
        close(a->fd);
    }
    free(a->ifname);
    free(a->rxframe);
    free(a);
}

/* Follows the interface: notices it gone (the socket then receives and
 * sends nothing) and opens the socket again on the interface that comes
 * back under the same name. */
static void
nic_afpacket_run(struct nic_medium *m)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct nic_afpacket *a = nic_afpacket_cast(m);
    bool was_up = a->link_up;
    int ifindex;

    if (time_msec() < a->next_check) {
        return;
    }
    a->next_check = time_msec() + NIC_AFPACKET_CHECK_MS;
    ifindex = if_nametoindex(a->ifname);
    if (a->fd >= 0 && ifindex != a->ifindex) {
        close(a->fd);
        a->fd = -1;
        nic_medium_log(VLL_WARN, NULL, "%s: interface %s is gone, link "
                       "down", m->spec, a->ifname);
    }
    if (a->fd < 0 && ifindex) {
        int error = nic_afpacket_bind(a, ifindex);

        if (!error) {
            nic_medium_log(VLL_INFO, NULL, "%s: interface %s is back "
                           "(index %d), attached again", m->spec, a->ifname,
                           ifindex);
        } else {
            nic_medium_log(VLL_WARN, &rl, "%s: cannot attach to %s again: "
                           "%s", m->spec, a->ifname, ovs_strerror(error));
        }
    }
    a->link_up = a->fd >= 0 && nic_afpacket_running(a);
    if (a->link_up != was_up) {
        nic_medium_log(VLL_INFO, NULL, "%s: link %s", m->spec,
                       a->link_up ? "up" : "down");
    }
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
    struct nic_afpacket *a = nic_afpacket_cast(m);
    union {
        struct cmsghdr cmsg;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } cmsgs[NIC_AFPACKET_BATCH];
    struct mmsghdr msgs[NIC_AFPACKET_BATCH];
    struct iovec iovs[NIC_AFPACKET_BATCH];
    int n = 0;

    if (a->fd < 0) {
        return 0;
    }
    while (n < max) {
        int want = MIN(max - n, NIC_AFPACKET_BATCH);

        for (int i = 0; i < want; i++) {
            iovs[i].iov_base = a->rxframe + i * NIC_AFPACKET_MAX_FRAME;
            iovs[i].iov_len = NIC_AFPACKET_MAX_FRAME;
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = &cmsgs[i];
            msgs[i].msg_hdr.msg_controllen = sizeof cmsgs[i];
        }

        int got = recvmmsg(a->fd, msgs, want, MSG_TRUNC, NULL);
        if (got <= 0) {
            if (got < 0 && errno != EAGAIN && errno != EINTR) {
                m->stats.rx_errors++;
                /* ENETDOWN: the interface went away; look now. */
                a->next_check = 0;
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
            pkts[n] = nic_pktpool_clone_data(
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

static int
nic_afpacket_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    struct nic_afpacket *a = nic_afpacket_cast(m);

    if (a->fd < 0) {
        m->stats.tx_errors++;
        return ENETDOWN;
    }
    if (send(a->fd, dp_packet_data(pkt), dp_packet_size(pkt), 0) < 0) {
        m->stats.tx_errors++;
        return errno;
    }
    return 0;
}

static int
nic_afpacket_send_batch(struct nic_medium *m, struct dp_packet **pkts,
                        int n, uint64_t *bytes)
{
    struct nic_afpacket *a = nic_afpacket_cast(m);
    int sent = 0;
    int pos = 0;

    *bytes = 0;
    if (a->fd < 0) {
        m->stats.tx_errors += n;
        return 0;
    }
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
        int retval = sendmmsg(a->fd, msgs, want, 0);
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

static void
nic_afpacket_wait(struct nic_medium *m)
{
    struct nic_afpacket *a = nic_afpacket_cast(m);

    if (a->fd >= 0) {
        poll_fd_wait(a->fd, POLLIN);
    }
    poll_timer_wait_until(a->next_check);
}

static bool
nic_afpacket_link_up(const struct nic_medium *m)
{
    return nic_afpacket_cast(m)->link_up;
}

const struct nic_medium_class nic_medium_afpacket_class = {
    .name = "afpacket",
    .takes_arg = true,
    .open = nic_afpacket_open,
    .close = nic_afpacket_close,
    .recv = nic_afpacket_recv,
    .send = nic_afpacket_send,
    .send_batch = nic_afpacket_send_batch,
    .run = nic_afpacket_run,
    .wait = nic_afpacket_wait,
    .link_up = nic_afpacket_link_up,
};
