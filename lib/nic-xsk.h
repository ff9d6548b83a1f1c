/* SPDX-License-Identifier: Apache-2.0 */
/* AF_XDP sockets with their UMEM, as the XDP backend's representor queues
 * and nicsim's "afxdp" medium both use them: one copy of the ring code. */
#ifndef NIC_XSK_H
#define NIC_XSK_H 1

#include <stdbool.h>
#include <stdint.h>

struct dp_packet;
struct nic_xsk;

/* How a socket is opened. */
struct nic_xsk_config {
    const char *ifname;
    uint32_t queue;             /* The interface's queue it receives. */
    uint32_t xdp_flags;         /* XDP_FLAGS_*_MODE, or 0: any. */

    /* Whether libxdp loads its own program that sends every frame of the
     * queue to the socket (nicsim's medium), or the caller's program is
     * already there and redirects by its own XSKMAP (the XDP backend). */
    bool load_prog;

    /* UMEM frames, a power of 2 from 64 (0: NIC_XSK_DEFAULT_FRAMES); half
     * are on the fill ring, half for sending, and each ring holds half.
     * A socket that carries a VM's traffic needs the fill ring to hold a
     * TCP window's burst arriving while its thread waits for a CPU. */
    uint32_t n_frames;
};

#define NIC_XSK_DEFAULT_FRAMES 2048

int nic_xsk_create(const struct nic_xsk_config *, struct nic_xsk **,
                   char **errorp);
void nic_xsk_destroy(struct nic_xsk *);

/* Receives up to 'max' frames without blocking, copied into new packets
 * with NIC_FRAME_HEADROOM; returns how many. */
int nic_xsk_recv(struct nic_xsk *, struct dp_packet **pkts, int max);

/* Sends up to 'n' frames on the TX ring without taking ownership; returns
 * how many were sent (the rest: no free frame, or too long). */
int nic_xsk_send(struct nic_xsk *, struct dp_packet **pkts, int n);

/* The socket, for poll(). */
int nic_xsk_fd(const struct nic_xsk *);

/* Whether the kernel gave zero-copy (else copy mode). */
bool nic_xsk_zerocopy(const struct nic_xsk *);

/* The kernel's counts of frames it could not put on the RX ring (ring
 * full, no fill frame, bad descriptors) and of bad TX descriptors. */
void nic_xsk_get_drops(const struct nic_xsk *, uint64_t *rx_dropped,
                       uint64_t *tx_invalid);

#endif /* nic-xsk.h */
