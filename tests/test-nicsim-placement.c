/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nicsim-placement: in-order placement, duplicates, a
 * gap that stops placing until a re-arm, the wrap of the sequence space,
 * the end of the buffer, isolation between ports, and release. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nicsim.h"
#include "lib/nicsim-placement.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"
#include "util.h"

#define VF1 101
#define VF2 102
#define OWNER 7

static size_t n_released;

static void
test_release(void *mem, size_t size OVS_UNUSED, void *aux OVS_UNUSED)
{
    free(mem);
    n_released++;
}

/* Reads of the shared header, with OVS's atomics. */
static uint64_t
ld(_Atomic uint64_t *p)
{
    uint64_t v;

    atomic_read(p, &v);
    return v;
}

static uint32_t
ld32(_Atomic uint32_t *p)
{
    uint32_t v;

    atomic_read(p, &v);
    return v;
}

static struct nicsim_placement_table *
table_new(void)
{
    struct nic_placement_limits l = {
        .capacity = 4, .port_entries = 2, .port_bytes = 3 * 8192,
    };
    n_released = 0;
    return nicsim_placement_create(&l, test_release, NULL);
}

/* A shared buffer of 'data_len' bytes of ring, as the library lays it
 * out. */
static struct nic_placement_shm *
buf_new(size_t data_len)
{
    struct nic_placement_shm *h = xzalloc(NIC_PLACEMENT_SHM_HDR_SIZE
                                          + data_len);
    h->magic = NIC_PLACEMENT_SHM_MAGIC;
    h->version = NIC_PLACEMENT_SHM_VERSION;
    h->hdr_size = NIC_PLACEMENT_SHM_HDR_SIZE;
    h->data_len = data_len;
    atomic_store(&h->arm_req, 1);
    return h;
}

static const uint8_t *
buf_data(const struct nic_placement_shm *h)
{
    return (const uint8_t *) h + NIC_PLACEMENT_SHM_HDR_SIZE;
}

static struct nic_placement_tuple
tuple_make(uint8_t local_last, uint16_t local_port)
{
    struct nic_placement_tuple tu;

    memset(&tu, 0, sizeof tu);
    tu.local[0] = 10;
    tu.local[3] = local_last;
    tu.remote[0] = 10;
    tu.remote[3] = 99;
    tu.local_port = htons(local_port);
    tu.remote_port = htons(5001);
    return tu;
}

static void
learn(struct nicsim_placement_table *t, uint32_t port, uint8_t last)
{
    uint8_t addr[16] = { 10, 0, 0, last };

    nicsim_placement_learn(t, port, addr, false);
}

static int
reg(struct nicsim_placement_table *t, uint32_t port,
    const struct nic_placement_tuple *tu, struct nic_placement_shm *h,
    bool has_seq0, uint32_t seq0, uint32_t *id,
    enum nic_placement_refusal *r)
{
    struct nicsim_placement_reg rg = {
        .tuple = *tu, .port = port, .owner = OWNER, .mem = h,
        .mem_size = NIC_PLACEMENT_SHM_HDR_SIZE + h->data_len,
        .has_seq0 = has_seq0, .seq0 = seq0,
    };
    return nicsim_placement_register(t, &rg, id, r);
}

/* Stream byte at offset 'off': what the tests send and check. */
static uint8_t
stream_byte(uint64_t off)
{
    return (uint8_t) (off * 7 + (off >> 8));
}

static enum nicsim_placement_verdict
seg_full(struct nicsim_placement_table *t, uint32_t port,
         const struct nic_placement_tuple *tu, uint32_t seq0,
         uint64_t off, size_t len, uint16_t flags,
         enum nic_placement_reason *reason)
{
    uint8_t *payload = xmalloc(MAX(len, 1));
    struct nicsim_placement_seg s = {
        .tuple = *tu, .port = port, .seq = seq0 + (uint32_t) off,
        .tcp_flags = flags, .payload = payload, .len = len,
    };
    enum nicsim_placement_verdict v;

    for (size_t i = 0; i < len; i++) {
        payload[i] = stream_byte(off + i);
    }
    v = nicsim_placement_segment(t, &s, reason);
    free(payload);
    return v;
}

static enum nicsim_placement_verdict
seg(struct nicsim_placement_table *t, const struct nic_placement_tuple *tu,
    uint32_t seq0, uint64_t off, size_t len, enum nic_placement_reason *r)
{
    return seg_full(t, VF1, tu, seq0, off, len, 0, r);
}

/* A segment to VF1 that must take the normal path for 'why'. */
static void
expect_fallback(struct nicsim_placement_table *t,
                const struct nic_placement_tuple *tu, uint32_t seq0,
                uint64_t off, size_t len, enum nic_placement_reason why)
{
    enum nic_placement_reason r;

    ck_assert_int_eq(seg(t, tu, seq0, off, len, &r),
                     NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, why);
}

static void
check_placed(const struct nic_placement_shm *h, uint64_t from, uint64_t to)
{
    for (uint64_t o = from; o < to; o++) {
        ck_assert_msg(buf_data(h)[o % h->data_len] == stream_byte(o),
                      "byte at offset %"PRIu64" wrong", o);
    }
}

static uint64_t
shm_next(struct nic_placement_shm *h)
{
    return ld(&h->next);
}

START_TEST(test_placement_in_order)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(8192);
    struct nic_placement_stats st;
    enum nic_placement_reason r;
    uint32_t id;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 1000, &id, NULL), 0);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ARMED);
    for (uint64_t off = 0; off < 4000; off += 1000) {
        ck_assert_int_eq(seg(t, &tu, 1000, off, 1000, &r),
                         NICSIM_PLACEMENT_PLACED);
        ck_assert_int_eq(r, NIC_PLACEMENT_NONE);
    }
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ACTIVE);
    ck_assert_int_eq(ld32(&h->active_req), 1);
    ck_assert_int_eq(ld(&h->start), 0);
    ck_assert_int_eq(shm_next(h), 4000);
    check_placed(h, 0, 4000);

    /* A pure ACK changes nothing. */
    ck_assert_int_eq(seg(t, &tu, 1000, 4000, 0, &r),
                     NICSIM_PLACEMENT_IGNORED);

    /* Another connection, unregistered: the normal path. */
    struct nic_placement_tuple other = tuple_make(1, 40001);
    expect_fallback(t, &other, 1000, 0, 100, NIC_PLACEMENT_UNKNOWN);

    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.bytes_placed, 4000);
    ck_assert_uint_eq(st.segs_placed, 4);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_UNKNOWN], 1);
    ck_assert_uint_eq(st.n_entries, 1);
    nicsim_placement_destroy(t);
    ck_assert_uint_eq(n_released, 1);
}
END_TEST

START_TEST(test_placement_duplicate)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(8192);
    struct nic_placement_stats st;
    enum nic_placement_reason r;
    uint32_t id;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 5, &id, NULL), 0);
    ck_assert_int_eq(seg(t, &tu, 5, 0, 1000, &r), NICSIM_PLACEMENT_PLACED);
    ck_assert_int_eq(seg(t, &tu, 5, 1000, 1000, &r),
                     NICSIM_PLACEMENT_PLACED);
    /* Whole retransmits fall back and do not stop placing. */
    ck_assert_int_eq(seg(t, &tu, 5, 0, 1000, &r), NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, NIC_PLACEMENT_DUPLICATE);
    expect_fallback(t, &tu, 5, 1000, 1000, NIC_PLACEMENT_DUPLICATE);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ACTIVE);
    /* A retransmit repacketised with new bytes: the tail is placed. */
    ck_assert_int_eq(seg(t, &tu, 5, 1500, 1000, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_int_eq(shm_next(h), 2500);
    check_placed(h, 0, 2500);
    ck_assert_int_eq(seg(t, &tu, 5, 2500, 500, &r), NICSIM_PLACEMENT_PLACED);

    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.bytes_placed, 3000);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_DUPLICATE], 2);
    ck_assert_uint_eq(st.gaps, 0);
    nicsim_placement_destroy(t);
}
END_TEST

START_TEST(test_placement_gap_rearm)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(8192);
    struct nic_placement_stats st;
    enum nic_placement_reason r;
    uint32_t id;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 77, &id, NULL), 0);
    ck_assert_int_eq(seg(t, &tu, 77, 0, 1000, &r), NICSIM_PLACEMENT_PLACED);
    /* Segment 1000..2000 lost or late: 2000.. is a gap. */
    expect_fallback(t, &tu, 77, 2000, 1000, NIC_PLACEMENT_GAP);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_STOPPED);
    ck_assert_int_eq(ld32(&h->stop_reason), NIC_PLACEMENT_GAP);
    ck_assert_int_eq(ld(&h->n_gaps), 1);
    ck_assert_int_eq(shm_next(h), 1000);   /* Where it stopped. */

    /* Stopped: even the missing segment is not placed now. */
    expect_fallback(t, &tu, 77, 1000, 1000, NIC_PLACEMENT_STOPPED);
    expect_fallback(t, &tu, 77, 3000, 1000, NIC_PLACEMENT_STOPPED);

    /* The application read up to 4000 (buffer, then socket) and re-arms
     * there through the header. */
    atomic_store(&h->consumed, 4000);
    atomic_store(&h->arm_offset, 4000);
    atomic_store(&h->arm_req, 2);
    /* Late bytes before the arm point are not placed. */
    expect_fallback(t, &tu, 77, 3000, 1000, NIC_PLACEMENT_BEFORE_ARM);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ARMED);
    ck_assert_int_eq(ld32(&h->active_req), 1);
    /* The next segment after the arm point starts a new run (the socket
     * may already hold 4000..5000: the run may start beyond the arm). */
    ck_assert_int_eq(seg(t, &tu, 77, 5000, 1000, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_int_eq(ld32(&h->active_req), 2);
    ck_assert_int_eq(ld(&h->start), 5000);
    ck_assert_int_eq(shm_next(h), 6000);
    check_placed(h, 5000, 6000);

    /* Re-arm through the control path, at the same point again. */
    ck_assert_int_eq(nicsim_placement_rearm(t, id, OWNER, 3, 6000), 0);
    ck_assert_int_eq(nicsim_placement_rearm(t, id, OWNER + 1, 3, 6000),
                     ENOENT);
    ck_assert_int_eq(seg(t, &tu, 77, 6000, 1000, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_int_eq(ld(&h->start), 6000);

    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.gaps, 1);
    /* The run after the stop; the second re-arm came while running and
     * its run skipped nothing. */
    ck_assert_uint_eq(st.resyncs, 1);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_GAP], 1);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_STOPPED], 2);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_BEFORE_ARM], 1);
    ck_assert_uint_eq(st.bytes_placed, 3000);
    nicsim_placement_destroy(t);
}
END_TEST

START_TEST(test_placement_wrap)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(8192);
    enum nic_placement_reason r;
    uint32_t isn = UINT32_MAX - 2500;    /* Wraps after 2500 bytes. */
    uint32_t id;

    learn(t, VF1, 1);
    /* Registered first: the ISN comes from the peer's SYN-ACK. */
    ck_assert_int_eq(reg(t, VF1, &tu, h, false, 0, &id, NULL), 0);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_LEARNING);
    ck_assert_int_eq(seg(t, &tu, 0, 0, 100, &r), NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, NIC_PLACEMENT_NO_ISN);
    ck_assert_int_eq(seg_full(t, VF1, &tu, isn, 0, 0, 0x12, &r),
                     NICSIM_PLACEMENT_IGNORED);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ARMED);
    ck_assert_uint_eq(ld32(&h->isn), isn);

    /* Data offsets count from ISN + 1, across the 2^32 wrap. */
    for (uint64_t off = 0; off < 6000; off += 1000) {
        ck_assert_int_eq(seg(t, &tu, isn + 1, off, 1000, &r),
                         NICSIM_PLACEMENT_PLACED);
    }
    ck_assert_int_eq(shm_next(h), 6000);
    check_placed(h, 0, 6000);
    /* A duplicate from before the wrap is still behind. */
    expect_fallback(t, &tu, isn + 1, 1000, 1000, NIC_PLACEMENT_DUPLICATE);
    /* A gap after the wrap is still ahead. */
    expect_fallback(t, &tu, isn + 1, 7000, 1000, NIC_PLACEMENT_GAP);
    nicsim_placement_destroy(t);
}
END_TEST

START_TEST(test_placement_buffer_end)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(4096);
    enum nic_placement_reason r;
    uint32_t id;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 0, &id, NULL), 0);
    ck_assert_int_eq(seg(t, &tu, 0, 0, 3000, &r), NICSIM_PLACEMENT_PLACED);
    /* 3000 + 1500 bytes unread do not fit 4096. */
    expect_fallback(t, &tu, 0, 3000, 1500, NIC_PLACEMENT_BUFFER_END);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_STOPPED);
    ck_assert_int_eq(ld32(&h->stop_reason), NIC_PLACEMENT_BUFFER_END);
    check_placed(h, 0, 3000);

    /* The application consumed 3000 from the buffer and 1500 from the
     * socket, and re-arms: the ring wraps around its end. */
    atomic_store(&h->consumed, 4500);
    atomic_store(&h->arm_offset, 4500);
    atomic_store(&h->arm_req, 2);
    ck_assert_int_eq(seg(t, &tu, 0, 4500, 3000, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_int_eq(seg(t, &tu, 0, 7500, 1000, &r),
                     NICSIM_PLACEMENT_PLACED);
    check_placed(h, 4500, 8500);
    /* Never more than data_len ahead of the consumer. */
    expect_fallback(t, &tu, 0, 8500, 100, NIC_PLACEMENT_BUFFER_END);
    nicsim_placement_destroy(t);
}
END_TEST

START_TEST(test_placement_isolation)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu1 = tuple_make(1, 40000);
    struct nic_placement_tuple tu2 = tuple_make(2, 40000);
    struct nic_placement_tuple tu3 = tuple_make(3, 40000);
    struct nic_placement_stats st;
    enum nic_placement_refusal rf;
    enum nic_placement_reason r;
    struct nic_placement_shm *h[6];
    uint32_t id;

    for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
        h[i] = buf_new(8192);
    }
    learn(t, VF1, 1);
    learn(t, VF2, 2);

    /* VF1 may not register VF2's connection, nor an unknown address. */
    ck_assert_int_eq(reg(t, VF1, &tu2, h[0], true, 0, &id, &rf), EACCES);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_NOT_OWN_ADDRESS);
    ck_assert_int_eq(reg(t, VF1, &tu3, h[0], true, 0, &id, &rf), EACCES);
    /* Nor may the host take a VF's address. */
    ck_assert_int_eq(reg(t, NIC_PLACEMENT_HOST, &tu2, h[0], true, 0, &id,
                         &rf), EACCES);

    ck_assert_int_eq(reg(t, VF2, &tu2, h[0], true, 0, &id, &rf), 0);
    /* A segment of VF2's connection going elsewhere is never placed. */
    ck_assert_int_eq(seg_full(t, VF1, &tu2, 0, 0, 100, 0, &r),
                     NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, NIC_PLACEMENT_WRONG_PORT);
    /* On its way through the host (to be switched to VF2): ignored. */
    ck_assert_int_eq(seg_full(t, NIC_PLACEMENT_HOST, &tu2, 0, 0, 100, 0, &r),
                     NICSIM_PLACEMENT_IGNORED);
    ck_assert_int_eq(shm_next(h[0]), 0);

    /* Overlapping registration. */
    ck_assert_int_eq(reg(t, VF2, &tu2, h[1], true, 0, &id, &rf), EEXIST);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_EXISTS);

    /* Too small a buffer, a bad header. */
    struct nic_placement_shm *small = buf_new(1024);
    ck_assert_int_eq(reg(t, VF1, &tu1, small, true, 0, &id, &rf), EINVAL);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_BAD_BUFFER);
    free(small);
    h[1]->magic = 0;
    ck_assert_int_eq(reg(t, VF1, &tu1, h[1], true, 0, &id, &rf), EINVAL);
    h[1]->magic = NIC_PLACEMENT_SHM_MAGIC;
    /* A data_len larger than the mapping. */
    struct nicsim_placement_reg lie = {
        .tuple = tu1, .port = VF1, .owner = OWNER, .mem = h[1],
        .mem_size = NIC_PLACEMENT_SHM_HDR_SIZE + 4096, .has_seq0 = true,
    };
    ck_assert_int_eq(nicsim_placement_register(t, &lie, &id, &rf), EINVAL);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_BAD_BUFFER);

    /* Per-port limits: 2 entries, 3 * 8192 bytes. */
    struct nic_placement_tuple a = tuple_make(1, 1), b = tuple_make(1, 2);
    struct nic_placement_tuple c = tuple_make(1, 3);
    ck_assert_int_eq(reg(t, VF1, &a, h[1], true, 0, &id, &rf), 0);
    ck_assert_int_eq(reg(t, VF1, &b, h[2], true, 0, &id, &rf), 0);
    ck_assert_int_eq(reg(t, VF1, &c, h[3], true, 0, &id, &rf), EDQUOT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_PORT_ENTRIES);
    struct nic_placement_shm *big = buf_new(3 * 8192);
    struct nic_placement_tuple d = tuple_make(2, 4);
    ck_assert_int_eq(reg(t, VF2, &d, big, true, 0, &id, &rf), EDQUOT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_PORT_BYTES);
    free(big);
    /* Table capacity: 4. */
    struct nic_placement_tuple e = tuple_make(9, 5);
    ck_assert_int_eq(reg(t, NIC_PLACEMENT_HOST, &e, h[3], true, 0, &id,
                         &rf), 0);
    struct nic_placement_tuple f = tuple_make(9, 6);
    ck_assert_int_eq(reg(t, NIC_PLACEMENT_HOST, &f, h[4], true, 0, &id,
                         &rf), ENOSPC);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_TABLE_FULL);

    /* An address both VFs sent from belongs to neither. */
    nicsim_placement_release_port(t, VF1);
    learn(t, VF2, 1);
    ck_assert_int_eq(reg(t, VF1, &tu1, h[4], true, 0, &id, &rf), EACCES);

    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_NOT_OWN_ADDRESS], 4);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_EXISTS], 1);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_BAD_BUFFER], 3);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_PORT_ENTRIES], 1);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_PORT_BYTES], 1);
    ck_assert_uint_eq(st.refused[NIC_PLACEMENT_R_TABLE_FULL], 1);
    ck_assert_uint_eq(st.n_entries, 2);
    nicsim_placement_destroy(t);
    /* h[0] (VF2), h[1], h[2] (VF1, released), h[3] (host) went back. */
    ck_assert_uint_eq(n_released, 4);
    free(h[4]);
    free(h[5]);
}
END_TEST

START_TEST(test_placement_release)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_tuple tu2 = tuple_make(1, 40001);
    struct nic_placement_tuple tu3 = tuple_make(1, 40002);
    struct nic_placement_shm *h = buf_new(8192), *h2 = buf_new(8192);
    struct nic_placement_shm *h3 = buf_new(8192);
    struct nic_placement_stats st;
    enum nic_placement_reason r;
    uint32_t id, id2, id3;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 0, &id, NULL), 0);
    ck_assert_int_eq(reg(t, VF1, &tu2, h2, true, 0, &id2, NULL), 0);
    /* The peer's last segment, with FIN: placed, then released. */
    ck_assert_int_eq(seg_full(t, VF1, &tu, 0, 0, 500, 0x11, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_uint_eq(n_released, 1);
    ck_assert_int_eq(seg(t, &tu, 0, 500, 500, &r), NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, NIC_PLACEMENT_UNKNOWN);

    /* RST from the local side (other direction) releases too. */
    struct nic_placement_tuple rev = tu2;
    memcpy(rev.local, tu2.remote, 16);
    memcpy(rev.remote, tu2.local, 16);
    rev.local_port = tu2.remote_port;
    rev.remote_port = tu2.local_port;
    ck_assert_int_eq(seg_full(t, 0, &rev, 0, 0, 0, 0x04, &r),
                     NICSIM_PLACEMENT_IGNORED);
    ck_assert_uint_eq(n_released, 2);

    /* The owner going away releases what it registered. */
    ck_assert_int_eq(reg(t, VF1, &tu3, h3, true, 0, &id3, NULL), 0);
    ck_assert_int_eq(nicsim_placement_unregister(t, id3, OWNER + 1),
                     ENOENT);
    ck_assert_uint_eq(nicsim_placement_release_owner(t, OWNER + 1), 0);
    ck_assert_uint_eq(nicsim_placement_release_owner(t, OWNER), 1);
    ck_assert_uint_eq(n_released, 3);
    ck_assert(!nicsim_placement_active(t));

    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.released_close, 2);
    ck_assert_uint_eq(st.released_owner, 1);
    ck_assert_uint_eq(st.n_entries, 0);
    nicsim_placement_destroy(t);
}
END_TEST

/* A buffer handed over once serves connection after connection: one at a
 * time, each from a clean header, counted against the port's limits, and
 * released only with its owner. */
START_TEST(test_placement_buffer_reuse)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_tuple tu2 = tuple_make(1, 40001);
    struct nic_placement_shm *h = buf_new(8192), *h2 = buf_new(8192);
    struct nic_placement_shm *h3 = buf_new(8192), *big = buf_new(3 * 8192);
    struct nic_placement_stats st;
    enum nic_placement_refusal rf;
    enum nic_placement_reason r;
    uint32_t b, b2, id, id2;
    struct nicsim_placement_reg rg = {
        .tuple = tu, .port = VF1, .owner = OWNER, .has_seq0 = true,
        .seq0 = 1000,
    };

    learn(t, VF1, 1);
    ck_assert_int_eq(nicsim_placement_add_buffer(
                         t, VF1, OWNER, h, NIC_PLACEMENT_SHM_HDR_SIZE + 8192,
                         &b, &rf), 0);
    /* Another owner's or port's buffer is not there for it. */
    rg.buffer = b + 1;
    ck_assert_int_eq(nicsim_placement_register(t, &rg, &id, &rf), ENOENT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_NO_BUFFER);
    rg.buffer = b;
    rg.owner = OWNER + 1;
    ck_assert_int_eq(nicsim_placement_register(t, &rg, &id, &rf), ENOENT);
    rg.owner = OWNER;

    /* The first connection places 3000 bytes and stops on a gap. */
    ck_assert_int_eq(nicsim_placement_register(t, &rg, &id, &rf), 0);
    ck_assert_int_eq(seg(t, &tu, 1000, 0, 3000, &r), NICSIM_PLACEMENT_PLACED);
    expect_fallback(t, &tu, 1000, 4000, 100, NIC_PLACEMENT_GAP);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_STOPPED);
    /* One connection at a time. */
    rg.tuple = tu2;
    ck_assert_int_eq(nicsim_placement_register(t, &rg, &id2, &rf), EBUSY);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_BUFFER_BUSY);
    /* Its FIN releases the connection, not the buffer. */
    ck_assert_int_eq(seg_full(t, VF1, &tu, 1000, 3000, 0, 0x11, &r),
                     NICSIM_PLACEMENT_IGNORED);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_RELEASED);
    ck_assert_uint_eq(n_released, 0);

    /* The next connection, as the library arms it, starts clean. */
    atomic_store(&h->consumed, 0);
    atomic_store(&h->arm_offset, 0);
    atomic_store(&h->arm_req, 5);
    rg.seq0 = 70000;
    ck_assert_int_eq(nicsim_placement_register(t, &rg, &id2, &rf), 0);
    ck_assert_uint_ne(id2, id);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ARMED);
    ck_assert_uint_eq(shm_next(h), 0);
    ck_assert_uint_eq(ld(&h->n_gaps), 0);
    ck_assert_uint_eq(ld32(&h->active_req), 0);
    ck_assert_int_eq(seg(t, &tu2, 70000, 0, 2000, &r),
                     NICSIM_PLACEMENT_PLACED);
    ck_assert_uint_eq(ld32(&h->active_req), 5);
    ck_assert_uint_eq(ld(&h->start), 0);
    ck_assert_uint_eq(shm_next(h), 2000);
    check_placed(h, 0, 2000);

    /* Kept buffers count against the limits (2 entries, 3 * 8192 bytes)
     * like buffers of their own: with one, 24576 more bytes pass the
     * byte limit; with two, there is no room for a third buffer. */
    ck_assert_int_eq(reg(t, VF1, &tu, big, true, 0, &id, &rf), EDQUOT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_PORT_BYTES);
    ck_assert_int_eq(nicsim_placement_add_buffer(
                         t, VF1, OWNER, h2, NIC_PLACEMENT_SHM_HDR_SIZE + 8192,
                         &b2, &rf), 0);
    ck_assert_uint_ne(b2, b);
    ck_assert_int_eq(nicsim_placement_add_buffer(
                         t, VF1, OWNER, h3, NIC_PLACEMENT_SHM_HDR_SIZE + 8192,
                         &b2, &rf), EDQUOT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_PORT_ENTRIES);
    ck_assert_int_eq(reg(t, VF1, &tu, h3, true, 0, &id, &rf), EDQUOT);
    ck_assert_int_eq(rf, NIC_PLACEMENT_R_PORT_ENTRIES);
    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.n_buffers, 2);
    ck_assert_uint_eq(st.buffer_bytes, 16384);
    ck_assert_uint_eq(st.n_entries, 1);

    /* The owner going away releases its connection and its buffers. */
    ck_assert_uint_eq(nicsim_placement_release_owner(t, OWNER), 1);
    ck_assert_uint_eq(n_released, 2);
    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.n_buffers, 0);
    ck_assert_uint_eq(st.n_entries, 0);
    nicsim_placement_destroy(t);
    free(h3);
    free(big);
}
END_TEST

static struct nic_placement_msg_register
reg_msg(void)
{
    struct nic_placement_msg_register m;

    memset(&m, 0, sizeof m);
    m.hdr.magic = NIC_PLACEMENT_MSG_MAGIC;
    m.hdr.version = NIC_PLACEMENT_MSG_VERSION;
    m.hdr.type = NIC_PLACEMENT_MSG_REGISTER;
    m.hdr.length = sizeof m;
    m.hdr.xid = 42;
    m.vf = 1;
    m.family = 4;
    m.local[0] = 10;
    m.local[3] = 1;
    m.remote[0] = 10;
    m.remote[3] = 99;
    m.local_port = htons(40000);
    m.remote_port = htons(5001);
    return m;
}

static void
check_malformed(const void *buf, size_t len, const char *word)
{
    struct nic_placement_msg msg;
    const char *error = NULL;

    ck_assert_int_eq(nic_placement_msg_parse(buf, len, &msg, &error),
                     EINVAL);
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, word), "\"%s\" lacks \"%s\"", error, word);
}

START_TEST(test_placement_msg_parse)
{
    struct nic_placement_msg_register m = reg_msg();
    struct nic_placement_msg_rearm ra;
    struct nic_placement_msg msg;
    const char *error;

    ck_assert_int_eq(nic_placement_msg_parse(&m, sizeof m, &msg, &error), 0);
    ck_assert_int_eq(msg.type, NIC_PLACEMENT_MSG_REGISTER);
    ck_assert_uint_eq(msg.xid, 42);
    ck_assert_uint_eq(msg.vf, 1);
    ck_assert(!msg.has_seq0);
    ck_assert(!msg.tuple.is_ipv6);
    ck_assert_int_eq(msg.tuple.local[3], 1);
    ck_assert_uint_eq(ntohs(msg.tuple.remote_port), 5001);

    check_malformed(&m, 3, "shorter");
    check_malformed(&m, sizeof m - 1, "length");
    m.hdr.magic++;
    check_malformed(&m, sizeof m, "magic");
    m = reg_msg();
    m.hdr.version = 2;
    check_malformed(&m, sizeof m, "version");
    m = reg_msg();
    m.hdr.type = 9;
    check_malformed(&m, sizeof m, "type");
    m = reg_msg();
    m.family = 5;
    check_malformed(&m, sizeof m, "family");
    m = reg_msg();
    m.local[7] = 1;
    check_malformed(&m, sizeof m, "IPv4");
    m = reg_msg();
    m.flags = 0x80;
    check_malformed(&m, sizeof m, "flags");
    m = reg_msg();
    m.local_port = 0;
    check_malformed(&m, sizeof m, "port 0");

    /* A REARM whose length claims a REGISTER's. */
    memset(&ra, 0, sizeof ra);
    ra.hdr = reg_msg().hdr;
    ra.hdr.type = NIC_PLACEMENT_MSG_REARM;
    ra.hdr.length = sizeof ra;
    ra.id = 3;
    ra.req = 2;
    ra.offset = 1ULL << 40;
    ck_assert_int_eq(nic_placement_msg_parse(&ra, sizeof ra, &msg, NULL), 0);
    ck_assert_uint_eq(msg.id, 3);
    ck_assert_uint_eq(msg.offset, 1ULL << 40);
    ra.hdr.type = NIC_PLACEMENT_MSG_REGISTER;
    check_malformed(&ra, sizeof ra, "wrong length");

    /* BUFFER and ATTACH. */
    struct nic_placement_msg_buffer bm;
    struct nic_placement_msg_attach am;

    memset(&bm, 0, sizeof bm);
    bm.hdr = reg_msg().hdr;
    bm.hdr.type = NIC_PLACEMENT_MSG_BUFFER;
    bm.hdr.length = sizeof bm;
    bm.vf = 3;
    ck_assert_int_eq(nic_placement_msg_parse(&bm, sizeof bm, &msg, NULL), 0);
    ck_assert_int_eq(msg.type, NIC_PLACEMENT_MSG_BUFFER);
    ck_assert_uint_eq(msg.vf, 3);
    bm.pad = 1;
    check_malformed(&bm, sizeof bm, "padding");

    memset(&am, 0, sizeof am);
    am.reg = reg_msg();
    am.reg.hdr.type = NIC_PLACEMENT_MSG_ATTACH;
    am.reg.hdr.length = sizeof am;
    am.buffer = 9;
    ck_assert_int_eq(nic_placement_msg_parse(&am, sizeof am, &msg, NULL), 0);
    ck_assert_int_eq(msg.type, NIC_PLACEMENT_MSG_ATTACH);
    ck_assert_uint_eq(msg.buffer, 9);
    ck_assert_uint_eq(ntohs(msg.tuple.local_port), 40000);
    am.reg.family = 7;
    check_malformed(&am, sizeof am, "family");
    am.reg.family = 4;
    am.pad = 1;
    check_malformed(&am, sizeof am, "padding");
    /* An ATTACH cut to a REGISTER's length. */
    am.reg.hdr.length = sizeof am.reg;
    check_malformed(&am, sizeof am.reg, "wrong length");
}
END_TEST

/* Through nicsim itself: the control socket, the pipeline's to-host path,
 * and delivery of every segment unchanged. */

static int
ctl_register(const char *path, int memfd, struct nic_placement_msg_reply *rep)
{
    struct nic_placement_msg_register m = reg_msg();
    union {
        struct cmsghdr cm;
        char buf[CMSG_SPACE(sizeof(int))];
    } cmsg;
    struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &cmsg, .msg_controllen = sizeof cmsg.buf,
    };
    struct sockaddr_un sun;
    struct cmsghdr *cm;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    ovs_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *) &sun, sizeof sun), 0);

    /* 10.0.0.2:80, the host's, from 10.0.0.1:1234; data from seq 1000. */
    m.vf = NIC_PLACEMENT_PORT_HOST;
    m.local[3] = 2;
    m.remote[3] = 1;
    m.local_port = htons(80);
    m.remote_port = htons(1234);
    m.flags = NIC_PLACEMENT_REG_SEQ0;
    m.seq0 = 1000;
    memset(&cmsg, 0, sizeof cmsg);
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &memfd, sizeof memfd);
    ck_assert_int_eq(sendmsg(fd, &mh, 0), sizeof m);
    ck_assert_int_eq(recv(fd, rep, sizeof *rep, 0), sizeof *rep);
    return fd;
}

static struct dp_packet *
tcp_segment(uint32_t seq, size_t len)
{
    struct tp_spec sp = {
        .ip_version = 4, .proto = IPPROTO_TCP, .src_ip = "10.0.0.1",
        .dst_ip = "10.0.0.2", .src_port = 1234, .dst_port = 80,
        .payload_len = len,
    };
    struct tp_frame f;
    ovs_be32 s = htonl(seq);

    tp_build(&f, &sp);
    memcpy(f.buf + f.l4 + 4, &s, 4);
    for (size_t i = 0; i < len; i++) {
        f.buf[f.l4 + 20 + i] = stream_byte(seq - 1000 + i);
    }
    tp_set_l4_checksum(&f, IPPROTO_TCP);
    return dp_packet_clone_data(f.buf, f.len);
}

START_TEST(test_placement_nicsim_host)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    struct nic_port_config pc = { .port = 0, .medium = "none", .n_rxq = 1 };
    size_t map_size = NIC_PLACEMENT_SHM_HDR_SIZE + 65536;
    struct nic_placement_config pcfg = { .enabled = true };
    struct nic_placement_msg_reply rep;
    struct nic_placement_status st;
    struct nic_placement_shm *h;
    char *path, *error = NULL;
    struct nic *nic;
    int memfd, ctl;

    path = xasprintf("/tmp/test-placement-%ld.ddp", (long) getpid());
    pcfg.control_path = path;
    pcfg.limits = (struct nic_placement_limits) {
        .capacity = 4, .port_entries = 4, .port_bytes = 1 << 20,
    };
    ck_assert_int_eq(nicsim_create("tpl0", &cfg, &nic), 0);
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error), 0);
    ck_assert_int_eq(nic_placement_set(nic, &pcfg, &error), 0);
    ck_assert_int_eq(nic_placement_get(nic, &st), 0);
    ck_assert(st.enabled);
    ck_assert_str_eq(st.control_path, path);

    memfd = memfd_create("test", MFD_ALLOW_SEALING);
    ck_assert_int_ge(memfd, 0);
    ck_assert_int_eq(ftruncate(memfd, map_size), 0);
    /* Unsealed: refused, as the NIC could fault on a shrunk file. */
    ctl = ctl_register(path, memfd, &rep);
    ck_assert_int_eq(rep.error, EINVAL);
    ck_assert_str_eq(rep.reason, "memfd not sealed against shrinking");
    close(ctl);

    ck_assert_int_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
    h = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    ck_assert(h != MAP_FAILED);
    h->magic = NIC_PLACEMENT_SHM_MAGIC;
    h->version = NIC_PLACEMENT_SHM_VERSION;
    h->hdr_size = NIC_PLACEMENT_SHM_HDR_SIZE;
    h->data_len = 65536;
    atomic_store(&h->arm_req, 1);
    ctl = ctl_register(path, memfd, &rep);
    ck_assert_int_eq(rep.error, 0);
    close(memfd);

    /* A corrupt segment (checksum wrong) reaches the host as it came,
     * but is not placed: the stack will drop it and the peer resend. */
    struct dp_packet *bad = tcp_segment(1000, 100);
    struct dp_packet *got_bad[4];
    int n_bad = 0;

    ((uint8_t *) dp_packet_tail(bad))[-1] ^= 0xff;
    nicsim_process(nic, 0, &bad, 1);
    while (!n_bad) {
        n_bad = nic_host_recv(nic, 0, 0, got_bad, 4);
    }
    ck_assert_int_eq(n_bad, 1);
    dp_packet_delete(got_bad[0]);
    ck_assert_uint_eq(ld(&h->next), 0);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_ARMED);
    ck_assert_int_eq(nic_placement_get(nic, &st), 0);
    ck_assert_uint_eq(st.stats.fallbacks[NIC_PLACEMENT_BAD_CHECKSUM], 1);
    ck_assert_uint_eq(st.stats.bytes_placed, 0);

    /* Three segments miss in the NIC and go to the host, one late. */
    uint32_t seqs[] = { 1000, 1100, 1300, 1200 };
    for (size_t i = 0; i < ARRAY_SIZE(seqs); i++) {
        struct dp_packet *pkt = tcp_segment(seqs[i], 100);
        struct dp_packet *copy = dp_packet_clone(pkt);
        struct dp_packet *got[4];
        int n = 0;

        nicsim_process(nic, 0, &pkt, 1);
        /* Unchanged, placed or not. */
        for (int tries = 0; !n && tries < 1000; tries++) {
            n = nic_host_recv(nic, 0, 0, got, 4);
        }
        ck_assert_int_eq(n, 1);
        ck_assert_uint_eq(dp_packet_size(got[0]), dp_packet_size(copy));
        ck_assert(!memcmp(dp_packet_data(got[0]), dp_packet_data(copy),
                          dp_packet_size(copy)));
        dp_packet_delete(got[0]);
        dp_packet_delete(copy);
    }
    ck_assert_uint_eq(ld(&h->next), 200);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_STOPPED);
    check_placed(h, 0, 200);
    ck_assert_int_eq(nic_placement_get(nic, &st), 0);
    ck_assert_uint_eq(st.stats.bytes_placed, 200);
    ck_assert_uint_eq(st.stats.fallbacks[NIC_PLACEMENT_GAP], 1);
    ck_assert_uint_eq(st.stats.n_entries, 1);

    /* Turning placement off releases the buffer and the socket. */
    pcfg.enabled = false;
    ck_assert_int_eq(nic_placement_set(nic, &pcfg, &error), 0);
    ck_assert_int_eq(ld32(&h->state), NIC_PLACEMENT_SHM_RELEASED);
    ck_assert_int_ne(access(path, F_OK), 0);
    close(ctl);
    munmap(h, map_size);
    nic_close(nic);
    free(path);
}
END_TEST

/* A segment whose checksum is wrong is never placed, and its flags are
 * not believed: a corrupt FIN does not release the connection.  The
 * peer's good retransmit is placed. */
START_TEST(test_placement_bad_checksum)
{
    struct nicsim_placement_table *t = table_new();
    struct nic_placement_tuple tu = tuple_make(1, 40000);
    struct nic_placement_shm *h = buf_new(8192);
    struct nic_placement_stats st;
    enum nic_placement_reason r;
    uint8_t payload[100];
    uint32_t id;

    learn(t, VF1, 1);
    ck_assert_int_eq(reg(t, VF1, &tu, h, true, 1000, &id, NULL), 0);
    memset(payload, 0xee, sizeof payload);
    struct nicsim_placement_seg s = {
        .tuple = tu, .port = VF1, .seq = 1000, .tcp_flags = TCP_FIN,
        .payload = payload, .len = sizeof payload, .bad_checksum = true,
    };
    ck_assert_int_eq(nicsim_placement_segment(t, &s, &r),
                     NICSIM_PLACEMENT_FALLBACK);
    ck_assert_int_eq(r, NIC_PLACEMENT_BAD_CHECKSUM);
    ck_assert_uint_eq(shm_next(h), 0);
    ck_assert_int_eq(n_released, 0);

    ck_assert_int_eq(seg(t, &tu, 1000, 0, 100, &r), NICSIM_PLACEMENT_PLACED);
    check_placed(h, 0, 100);
    nicsim_placement_get_stats(t, &st);
    ck_assert_uint_eq(st.fallbacks[NIC_PLACEMENT_BAD_CHECKSUM], 1);
    ck_assert_uint_eq(st.bytes_placed, 100);
    ck_assert_uint_eq(st.n_entries, 1);
    nicsim_placement_destroy(t);
}
END_TEST

Suite *
nicsim_placement_suite(void)
{
    Suite *s = suite_create("nicsim-placement");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_placement_in_order);
    tcase_add_test(tc, test_placement_duplicate);
    tcase_add_test(tc, test_placement_gap_rearm);
    tcase_add_test(tc, test_placement_wrap);
    tcase_add_test(tc, test_placement_buffer_end);
    tcase_add_test(tc, test_placement_isolation);
    tcase_add_test(tc, test_placement_release);
    tcase_add_test(tc, test_placement_buffer_reuse);
    tcase_add_test(tc, test_placement_bad_checksum);
    tcase_add_test(tc, test_placement_msg_parse);
    tcase_add_test(tc, test_placement_nicsim_host);
    suite_add_tcase(s, tc);
    return s;
}
