/* SPDX-License-Identifier: Apache-2.0 */
/* Direct data placement, NIC-neutral part: names of reasons and states,
 * and the parser of control messages (see nic-placement.h). */

#include <config.h>

#include "lib/nic-placement.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "packets.h"

struct name_desc {
    const char *name, *desc;
};

static const struct name_desc refusals[] = {
#define NIC_PLACEMENT_REFUSAL(ENUM, NAME, DESC) { NAME, DESC },
    NIC_PLACEMENT_REFUSALS
#undef NIC_PLACEMENT_REFUSAL
};
static const struct name_desc reasons[] = {
#define NIC_PLACEMENT_REASON(ENUM, NAME, DESC) { NAME, DESC },
    NIC_PLACEMENT_REASONS
#undef NIC_PLACEMENT_REASON
};
static const struct name_desc unknown = { "?", "?" };

static const struct name_desc *
refusal(enum nic_placement_refusal r)
{
    return r < NIC_PLACEMENT_N_REFUSALS ? &refusals[r] : &unknown;
}

static const struct name_desc *
reason(enum nic_placement_reason r)
{
    return r < NIC_N_PLACEMENT_REASONS ? &reasons[r] : &unknown;
}

const char *
nic_placement_refusal_name(enum nic_placement_refusal r)
{
    return refusal(r)->name;
}

const char *
nic_placement_refusal_desc(enum nic_placement_refusal r)
{
    return refusal(r)->desc;
}

const char *
nic_placement_reason_name(enum nic_placement_reason r)
{
    return reason(r)->name;
}

const char *
nic_placement_reason_desc(enum nic_placement_reason r)
{
    return reason(r)->desc;
}

const char *
nic_placement_state_name(enum nic_placement_shm_state s)
{
    switch (s) {
    case NIC_PLACEMENT_SHM_NEW: return "new";
    case NIC_PLACEMENT_SHM_LEARNING: return "learning";
    case NIC_PLACEMENT_SHM_ARMED: return "armed";
    case NIC_PLACEMENT_SHM_ACTIVE: return "active";
    case NIC_PLACEMENT_SHM_STOPPED: return "stopped";
    case NIC_PLACEMENT_SHM_RELEASED: return "released";
    }
    return "?";
}

static void
addr_format(const uint8_t *addr, bool is_ipv6, struct ds *s)
{
    if (is_ipv6) {
        struct in6_addr a;

        memcpy(&a, addr, sizeof a);
        ds_put_char(s, '[');
        ipv6_format_addr(&a, s);
        ds_put_char(s, ']');
    } else {
        ds_put_format(s, "%d.%d.%d.%d", addr[0], addr[1], addr[2], addr[3]);
    }
}

void
nic_placement_tuple_format(const struct nic_placement_tuple *tu,
                           struct ds *s)
{
    addr_format(tu->local, tu->is_ipv6, s);
    ds_put_format(s, ":%u<-", ntohs(tu->local_port));
    addr_format(tu->remote, tu->is_ipv6, s);
    ds_put_format(s, ":%u", ntohs(tu->remote_port));
}

static bool
all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* Checks a registration's addresses: 'family' and the unused bytes of an
 * IPv4 address, so that one connection has one tuple. */
static const char *
parse_register(const struct nic_placement_msg_register *m,
               struct nic_placement_msg *msg)
{
    struct nic_placement_tuple *tu = &msg->tuple;

    if (m->family != 4 && m->family != 6) {
        return "address family is neither 4 nor 6";
    }
    if (m->flags & ~NIC_PLACEMENT_REG_SEQ0) {
        return "unknown flags";
    }
    if (m->pad) {
        return "nonzero padding";
    }
    if (m->family == 4
        && (!all_zero(m->local + 4, 12) || !all_zero(m->remote + 4, 12))) {
        return "IPv4 address with nonzero bytes after the fourth";
    }
    if (!m->local_port || !m->remote_port) {
        return "TCP port 0";
    }
    memset(tu, 0, sizeof *tu);
    memcpy(tu->local, m->local, 16);
    memcpy(tu->remote, m->remote, 16);
    tu->local_port = m->local_port;
    tu->remote_port = m->remote_port;
    tu->is_ipv6 = m->family == 6;
    msg->vf = m->vf;
    msg->has_seq0 = (m->flags & NIC_PLACEMENT_REG_SEQ0) != 0;
    msg->seq0 = m->seq0;
    return NULL;
}

int
nic_placement_msg_parse(const void *buf, size_t len,
                        struct nic_placement_msg *msg, const char **errorp)
{
    struct nic_placement_msg_hdr h;
    const char *error = NULL;
    size_t want;

    memset(msg, 0, sizeof *msg);
    if (len < sizeof h) {
        error = "shorter than a message header";
        goto out;
    }
    memcpy(&h, buf, sizeof h);
    msg->xid = h.xid;
    if (h.magic != NIC_PLACEMENT_MSG_MAGIC) {
        error = "bad magic";
        goto out;
    }
    if (h.version != NIC_PLACEMENT_MSG_VERSION) {
        error = "unsupported version";
        goto out;
    }
    if (h.length != len) {
        error = "length field does not match the datagram";
        goto out;
    }
    switch (h.type) {
    case NIC_PLACEMENT_MSG_REGISTER:
        want = sizeof(struct nic_placement_msg_register);
        break;
    case NIC_PLACEMENT_MSG_REARM:
        want = sizeof(struct nic_placement_msg_rearm);
        break;
    case NIC_PLACEMENT_MSG_UNREGISTER:
        want = sizeof(struct nic_placement_msg_unregister);
        break;
    case NIC_PLACEMENT_MSG_BUFFER:
        want = sizeof(struct nic_placement_msg_buffer);
        break;
    case NIC_PLACEMENT_MSG_ATTACH:
        want = sizeof(struct nic_placement_msg_attach);
        break;
    default:
        error = "unknown message type";
        goto out;
    }
    if (len != want) {
        error = "wrong length for its type";
        goto out;
    }
    msg->type = h.type;

    /* Copies, so that an unaligned datagram is never read in place. */
    if (h.type == NIC_PLACEMENT_MSG_REGISTER) {
        struct nic_placement_msg_register m;

        memcpy(&m, buf, sizeof m);
        error = parse_register(&m, msg);
    } else if (h.type == NIC_PLACEMENT_MSG_ATTACH) {
        struct nic_placement_msg_attach m;

        memcpy(&m, buf, sizeof m);
        error = m.pad ? "nonzero padding" : parse_register(&m.reg, msg);
        msg->buffer = m.buffer;
    } else if (h.type == NIC_PLACEMENT_MSG_BUFFER) {
        struct nic_placement_msg_buffer m;

        memcpy(&m, buf, sizeof m);
        if (m.pad) {
            error = "nonzero padding";
        }
        msg->vf = m.vf;
    } else if (h.type == NIC_PLACEMENT_MSG_REARM) {
        struct nic_placement_msg_rearm m;

        memcpy(&m, buf, sizeof m);
        msg->id = m.id;
        msg->req = m.req;
        msg->offset = m.offset;
    } else {
        struct nic_placement_msg_unregister m;

        memcpy(&m, buf, sizeof m);
        if (m.pad) {
            error = "nonzero padding";
        }
        msg->id = m.id;
    }

out:
    if (errorp) {
        *errorp = error;
    }
    return error ? EINVAL : 0;
}
