/* SPDX-License-Identifier: Apache-2.0 */
/* The "punix:PATH" and "unix:PATH" media: frames over a unix stream socket,
 * framed as netdev-dummy's streams (a 2-byte big-endian length, then the
 * frame). */
#include <config.h>

#include <errno.h>

#include "dp-packet.h"
#include "lib/nic-medium-provider.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "stream.h"
#include "unaligned.h"
#include "util.h"

/* Framed bytes a medium queues for a slow peer before it refuses frames:
 * bounded, so that a stalled peer cannot take the engine's memory. */
#define NIC_STREAM_TXBUF_MAX (1024 * 1024)

/* One class per direction of the connection, as OVS has "unix" and
 * "punix"; they differ only in how a connection comes about. */
struct nic_stream {
    struct nic_medium up;
    struct pstream *pstream;    /* Listening (punix) or NULL (unix). */
    struct stream *stream;      /* The connection, once there is one. */
    struct ofpbuf rxbuf;        /* Partial frame received. */
    struct ofpbuf txbuf;        /* Framed data not yet sent. */
};

static struct nic_stream *
nic_stream_cast(const struct nic_medium *m)
{
    ovs_assert(m->class == &nic_medium_punix_class
               || m->class == &nic_medium_unix_class);
    return CONTAINER_OF(m, struct nic_stream, up);
}

static struct nic_stream *
nic_stream_create(const struct nic_medium_class *class, const char *spec,
                  struct nic_medium **mp)
{
    struct nic_stream *s = xzalloc(sizeof *s);

    nic_medium_init(&s->up, class, spec);
    ofpbuf_init(&s->rxbuf, 2048);
    ofpbuf_init(&s->txbuf, 0);
    *mp = &s->up;
    return s;
}

static int
nic_punix_open(const char *spec, const char *arg OVS_UNUSED,
               struct nic_medium **mp, char **errorp)
{
    struct nic_stream *s = nic_stream_create(&nic_medium_punix_class, spec,
                                             mp);
    int error = pstream_open(spec, &s->pstream, 0);

    if (error) {
        return nic_medium_error(errorp, error, "cannot listen on %s: %s",
                                spec, ovs_strerror(error));
    }
    return 0;
}

/* Connects later, in nic_stream_recv(), and again whenever the peer goes:
 * the peer may well start after the medium. */
static int
nic_unix_open(const char *spec, const char *arg OVS_UNUSED,
              struct nic_medium **mp, char **errorp OVS_UNUSED)
{
    nic_stream_create(&nic_medium_unix_class, spec, mp);
    return 0;
}

static void
nic_stream_close(struct nic_medium *m)
{
    struct nic_stream *s = nic_stream_cast(m);

    stream_close(s->stream);
    pstream_close(s->pstream);
    ofpbuf_uninit(&s->rxbuf);
    ofpbuf_uninit(&s->txbuf);
    free(s);
}

static void
nic_stream_flush(struct nic_stream *s)
{
    while (s->stream && s->txbuf.size) {
        int retval = stream_send(s->stream, s->txbuf.data, s->txbuf.size);

        if (retval > 0) {
            ofpbuf_pull(&s->txbuf, retval);
        } else {
            if (retval != -EAGAIN) {
                stream_close(s->stream);
                s->stream = NULL;
            }
            break;
        }
    }
}

/* Establishes the connection if there is none yet. */
static void
nic_stream_connect(struct nic_stream *s)
{
    if (s->stream) {
        int error = stream_connect(s->stream);

        if (error && error != EAGAIN) {
            stream_close(s->stream);
            s->stream = NULL;
        }
        return;
    }
    if (s->pstream) {
        if (pstream_accept(s->pstream, &s->stream)) {
            s->stream = NULL;
        }
    } else if (stream_open(s->up.spec, &s->stream, 0)) {
        s->stream = NULL;
    }
    ofpbuf_clear(&s->rxbuf);
}

static int
nic_stream_recv(struct nic_medium *m, struct dp_packet **pkts, int max)
{
    struct nic_stream *s = nic_stream_cast(m);
    int n = 0;

    nic_stream_connect(s);
    nic_stream_flush(s);
    while (s->stream && n < max) {
        size_t need, frame_len = 0;
        int retval;

        if (s->rxbuf.size < 2) {
            need = 2 - s->rxbuf.size;
        } else {
            frame_len = ntohs(get_unaligned_be16(s->rxbuf.data));
            need = 2 + frame_len - s->rxbuf.size;
        }
        if (!need) {
            pkts[n++] = dp_packet_clone_data_with_headroom(
                (uint8_t *) s->rxbuf.data + 2, frame_len, 128);
            ofpbuf_clear(&s->rxbuf);
            continue;
        }
        ofpbuf_prealloc_tailroom(&s->rxbuf, need);
        retval = stream_recv(s->stream, ofpbuf_tail(&s->rxbuf), need);
        if (retval > 0) {
            s->rxbuf.size += retval;
        } else {
            if (retval != -EAGAIN) {
                /* Peer gone: a listener waits for the next one. */
                stream_close(s->stream);
                s->stream = NULL;
                ofpbuf_clear(&s->rxbuf);
            }
            break;
        }
    }
    return n;
}

static int
nic_stream_send(struct nic_medium *m, const struct dp_packet *pkt)
{
    struct nic_stream *s = nic_stream_cast(m);
    size_t len = dp_packet_size(pkt);

    if (!s->stream || len > UINT16_MAX
        || s->txbuf.size > NIC_STREAM_TXBUF_MAX) {
        m->stats.tx_errors++;
        return s->stream ? ENOBUFS : ENOTCONN;
    }
    put_unaligned_be16(ofpbuf_put_uninit(&s->txbuf, 2), htons(len));
    ofpbuf_put(&s->txbuf, dp_packet_data(pkt), len);
    nic_stream_flush(s);
    return 0;
}

static void
nic_stream_wait(struct nic_medium *m)
{
    struct nic_stream *s = nic_stream_cast(m);

    if (s->stream) {
        stream_run_wait(s->stream);
        stream_recv_wait(s->stream);
        if (s->txbuf.size) {
            stream_send_wait(s->stream);
        }
    } else if (s->pstream) {
        pstream_wait(s->pstream);
    } else {
        /* Retry the connection now and then. */
        poll_timer_wait(100);
    }
}

const struct nic_medium_class nic_medium_punix_class = {
    .name = "punix",
    .takes_arg = true,
    .open = nic_punix_open,
    .close = nic_stream_close,
    .recv = nic_stream_recv,
    .send = nic_stream_send,
    .wait = nic_stream_wait,
};

const struct nic_medium_class nic_medium_unix_class = {
    .name = "unix",
    .takes_arg = true,
    .open = nic_unix_open,
    .close = nic_stream_close,
    .recv = nic_stream_recv,
    .send = nic_stream_send,
    .wait = nic_stream_wait,
};
