/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim's placement control socket: registrations with a memfd, re-arms
 * and unregistrations, on a thread of its own (nicsim-placement-ctl.h). */

#include <config.h>

#include "lib/nicsim-placement-ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/nic.h"
#include "lib/nicsim-placement.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "socket-util.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nicsim_placement_ctl);

#define CTL_MAX_CLIENTS 64

struct ctl_client {
    int fd;
    uint64_t owner;
};

struct nicsim_placement_ctl {
    char *path;
    int listen_fd;
    int exit_pipe[2];
    pthread_t thread;
    struct nicsim_placement_table *table;
    uint32_t n_vfs;
    uint64_t next_owner;
    size_t n_clients;
    struct ctl_client clients[CTL_MAX_CLIENTS];
};

static void
ctl_reply(int fd, uint32_t xid, int error, enum nic_placement_refusal r,
          uint32_t id, const char *reason)
{
    struct nic_placement_msg_reply rep;

    memset(&rep, 0, sizeof rep);
    rep.hdr.magic = NIC_PLACEMENT_MSG_MAGIC;
    rep.hdr.version = NIC_PLACEMENT_MSG_VERSION;
    rep.hdr.type = NIC_PLACEMENT_MSG_REPLY;
    rep.hdr.length = sizeof rep;
    rep.hdr.xid = xid;
    rep.error = error;
    rep.refusal = error ? r : 0;
    rep.id = id;
    ovs_strlcpy(rep.reason, reason ? reason : "", sizeof rep.reason);
    if (send(fd, &rep, sizeof rep, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        VLOG_DBG("placement reply: %s", ovs_strerror(errno));
    }
}

/* Maps the memfd of a registration, after checking that it can be neither
 * too small nor made smaller later (which would fault the NIC's writes). */
static int
ctl_map(int fd, void **memp, size_t *sizep, const char **why)
{
    struct stat st;
    int seals;
    void *mem;

    if (fd < 0) {
        *why = "no file descriptor passed";
        return EINVAL;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        *why = "descriptor is not a memory file";
        return EINVAL;
    }
    seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
        *why = "memfd not sealed against shrinking";
        return EINVAL;
    }
    if (st.st_size < NIC_PLACEMENT_SHM_HDR_SIZE + NIC_PLACEMENT_MIN_DATA
        || (uint64_t) st.st_size > NIC_PLACEMENT_SHM_HDR_SIZE
                                   + NIC_PLACEMENT_MAX_DATA) {
        *why = "buffer size out of range";
        return EINVAL;
    }
    mem = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        *why = "buffer cannot be mapped";
        return EINVAL;
    }
    *memp = mem;
    *sizep = st.st_size;
    return 0;
}

static void
ctl_handle(struct nicsim_placement_ctl *ctl, struct ctl_client *c,
           const void *buf, size_t len, int fd)
{
    enum nic_placement_refusal r = NIC_PLACEMENT_R_MALFORMED;
    struct nic_placement_msg msg;
    const char *why = NULL;
    bool takes_fd;
    uint32_t id = 0;
    int error;

    error = nic_placement_msg_parse(buf, len, &msg, &why);
    if (error) {
        nicsim_placement_count_refusal(ctl->table, r);
        goto reply;
    }
    takes_fd = (msg.type == NIC_PLACEMENT_MSG_REGISTER
                || msg.type == NIC_PLACEMENT_MSG_BUFFER);
    if (!takes_fd && fd >= 0) {
        error = EINVAL;
        why = "file descriptor on a message that takes none";
        nicsim_placement_count_refusal(ctl->table, r);
        goto reply;
    }

    switch (msg.type) {
    case NIC_PLACEMENT_MSG_REGISTER:
    case NIC_PLACEMENT_MSG_ATTACH:
    case NIC_PLACEMENT_MSG_BUFFER: {
        struct nicsim_placement_reg reg = {
            .tuple = msg.tuple, .owner = c->owner, .buffer = msg.buffer,
            .has_seq0 = msg.has_seq0, .seq0 = msg.seq0,
        };

        if (msg.vf == NIC_PLACEMENT_PORT_HOST) {
            reg.port = NIC_PLACEMENT_HOST;
        } else if (msg.vf < ctl->n_vfs) {
            reg.port = NIC_PORT_VF_BASE + msg.vf;
        } else {
            r = NIC_PLACEMENT_R_BAD_PORT;
            error = EINVAL;
            why = nic_placement_refusal_desc(r);
            nicsim_placement_count_refusal(ctl->table, r);
            break;
        }
        if (takes_fd) {
            error = ctl_map(fd, &reg.mem, &reg.mem_size, &why);
            if (error) {
                r = NIC_PLACEMENT_R_BAD_BUFFER;
                nicsim_placement_count_refusal(ctl->table, r);
                break;
            }
        }
        error = (msg.type == NIC_PLACEMENT_MSG_BUFFER
                 ? nicsim_placement_add_buffer(ctl->table, reg.port,
                                               reg.owner, reg.mem,
                                               reg.mem_size, &id, &r)
                 : nicsim_placement_register(ctl->table, &reg, &id, &r));
        if (error) {
            if (reg.mem) {
                munmap(reg.mem, reg.mem_size);
            }
            why = nic_placement_refusal_desc(r);
        }
        break;
    }
    case NIC_PLACEMENT_MSG_REARM:
        error = nicsim_placement_rearm(ctl->table, msg.id, c->owner,
                                       msg.req, msg.offset);
        r = NIC_PLACEMENT_R_NO_ENTRY;
        why = error ? nic_placement_refusal_desc(r) : NULL;
        id = msg.id;
        break;
    case NIC_PLACEMENT_MSG_UNREGISTER:
        error = nicsim_placement_unregister(ctl->table, msg.id, c->owner);
        r = NIC_PLACEMENT_R_NO_ENTRY;
        why = error ? nic_placement_refusal_desc(r) : NULL;
        id = msg.id;
        break;
    case NIC_PLACEMENT_MSG_REPLY:
    default:
        OVS_NOT_REACHED();
    }

reply:
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

        VLOG_INFO_RL(&rl, "%s: placement request refused (%s): %s",
                     ctl->path, nic_placement_refusal_name(r), why);
    }
    ctl_reply(c->fd, msg.xid, error, r, id, why);
    if (fd >= 0) {
        close(fd);
    }
}

/* Receives one datagram from client 'c'.  Returns false if the client is
 * gone. */
static bool
ctl_recv(struct nicsim_placement_ctl *ctl, struct ctl_client *c)
{
    union {
        struct cmsghdr cm;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } cmsg;
    uint8_t buf[512];
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &cmsg, .msg_controllen = sizeof cmsg,
    };
    int fd = -1, n_fds = 0;
    ssize_t n;

    n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR;
    }
    if (n == 0 && !(mh.msg_flags & MSG_CTRUNC)) {
        return false;
    }
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
         cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            for (size_t i = 0; i < k; i++) {
                int f;

                memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
                if (!n_fds++) {
                    fd = f;
                } else {
                    close(f);
                }
            }
        }
    }
    if (n_fds > 1 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        /* More than one buffer, or more than fits: malformed. */
        if (fd >= 0) {
            close(fd);
        }
        nicsim_placement_count_refusal(ctl->table,
                                       NIC_PLACEMENT_R_MALFORMED);
        ctl_reply(c->fd, 0, EINVAL, NIC_PLACEMENT_R_MALFORMED, 0,
                  "truncated message or more than one descriptor");
        return true;
    }
    ctl_handle(ctl, c, buf, n, fd);
    return true;
}

static void
ctl_drop_client(struct nicsim_placement_ctl *ctl, size_t i)
{
    size_t n = nicsim_placement_release_owner(ctl->table,
                                              ctl->clients[i].owner);

    if (n) {
        VLOG_INFO("%s: client gone, %"PRIuSIZE" placement buffer(s) "
                  "released", ctl->path, n);
    }
    close(ctl->clients[i].fd);
    ctl->clients[i] = ctl->clients[--ctl->n_clients];
}

static void *
ctl_main(void *ctl_)
{
    struct nicsim_placement_ctl *ctl = ctl_;

    /* It blocks in poll() and reads nothing RCU protects: quiescent for
     * good, so that it never holds up OVS's RCU. */
    ovsrcu_quiesce_start();
    for (;;) {
        struct pollfd pfds[CTL_MAX_CLIENTS + 2];
        size_t n_clients = ctl->n_clients;

        pfds[0] = (struct pollfd) { .fd = ctl->exit_pipe[0],
                                    .events = POLLIN };
        pfds[1] = (struct pollfd) { .fd = ctl->listen_fd, .events = POLLIN };
        for (size_t i = 0; i < n_clients; i++) {
            pfds[i + 2] = (struct pollfd) { .fd = ctl->clients[i].fd,
                                            .events = POLLIN };
        }
        if (poll(pfds, n_clients + 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            VLOG_ERR("%s: poll: %s", ctl->path, ovs_strerror(errno));
            break;
        }
        if (pfds[0].revents) {
            break;
        }
        /* Clients from the last first, so that dropping one (which moves
         * the last into its slot) never skips another. */
        for (size_t i = n_clients; i-- > 0;) {
            if (pfds[i + 2].revents & POLLIN) {
                if (!ctl_recv(ctl, &ctl->clients[i])) {
                    ctl_drop_client(ctl, i);
                }
            } else if (pfds[i + 2].revents & (POLLHUP | POLLERR)) {
                ctl_drop_client(ctl, i);
            }
        }
        if (pfds[1].revents & POLLIN) {
            int fd = accept4(ctl->listen_fd, NULL, NULL,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);

            if (fd >= 0 && ctl->n_clients < CTL_MAX_CLIENTS) {
                ctl->clients[ctl->n_clients++] = (struct ctl_client) {
                    .fd = fd, .owner = ++ctl->next_owner,
                };
            } else if (fd >= 0) {
                VLOG_WARN("%s: too many placement clients", ctl->path);
                close(fd);
            }
        }
    }
    return NULL;
}

int
nicsim_placement_ctl_start(const char *path,
                           struct nicsim_placement_table *table,
                           uint32_t n_vfs,
                           struct nicsim_placement_ctl **ctlp,
                           char **errorp)
{
    struct nicsim_placement_ctl *ctl;
    int fd;

    *ctlp = NULL;
    *errorp = NULL;
    unlink(path);
    fd = make_unix_socket(SOCK_SEQPACKET, true, path, NULL);
    if (fd < 0) {
        *errorp = xasprintf("%s: cannot listen: %s", path,
                            ovs_strerror(-fd));
        return -fd;
    }
    if (listen(fd, 16) < 0) {
        int error = errno;

        *errorp = xasprintf("%s: listen: %s", path, ovs_strerror(error));
        close(fd);
        unlink(path);
        return error;
    }
    ctl = xzalloc(sizeof *ctl);
    ctl->path = xstrdup(path);
    ctl->listen_fd = fd;
    ctl->table = table;
    ctl->n_vfs = n_vfs;
    xpipe(ctl->exit_pipe);
    ctl->thread = ovs_thread_create("nicsim_ddp_ctl", ctl_main, ctl);
    *ctlp = ctl;
    return 0;
}

void
nicsim_placement_ctl_stop(struct nicsim_placement_ctl *ctl)
{
    if (!ctl) {
        return;
    }
    ignore(write(ctl->exit_pipe[1], "x", 1));
    xpthread_join(ctl->thread, NULL);
    while (ctl->n_clients) {
        ctl_drop_client(ctl, ctl->n_clients - 1);
    }
    close(ctl->listen_fd);
    close(ctl->exit_pipe[0]);
    close(ctl->exit_pipe[1]);
    unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}

const char *
nicsim_placement_ctl_path(const struct nicsim_placement_ctl *ctl)
{
    return ctl ? ctl->path : NULL;
}
