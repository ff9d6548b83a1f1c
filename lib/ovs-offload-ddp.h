/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OVS_OFFLOAD_DDP_H
#define OVS_OFFLOAD_DDP_H 1

/* libovs-offload-ddp: direct data placement for applications.  A receiver
 * registers a TCP connection it owns with its NIC, together with a buffer
 * it shares with the NIC; the NIC writes the connection's in-order payload
 * into the buffer, and the receiver reads those bytes there and only
 * discards them from the socket (recv(MSG_TRUNC), no copy).  Bytes the NIC
 * did not place (out of order, retransmitted, after the buffer filled) are
 * read from the socket as usual, and the library re-arms the NIC at the
 * point it has read to.  Every byte the application sees is the stream's,
 * in order, whichever path it took.  See ovs-offload-ddp(3).
 *
 * Needs nothing but libc; one struct ovs_offload_ddp is used by one thread
 * at a time. */

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OVS_OFFLOAD_DDP_HOST 0xffffffffu    /* 'vf' of the host's stack. */

struct ovs_offload_ddp;
struct ovs_offload_ddp_ctx;

struct ovs_offload_ddp_stats {
    uint64_t placed_bytes;          /* Read from the shared buffer. */
    uint64_t copied_bytes;          /* Read from the socket. */
    uint64_t rearms;                /* Times the library re-armed. */
    uint64_t gaps;                  /* Times the NIC stopped placing. */
    uint32_t nic_state;             /* enum nic_placement_shm_state. */
    uint32_t stop_reason;           /* enum nic_placement_reason. */
};

/* Registers TCP socket 'sock' with the NIC whose control socket is
 * 'control_path', for VF 'vf' (or OVS_OFFLOAD_DDP_HOST), with a buffer of
 * 'buffer_size' bytes.  'sock' must be bound to its local address and
 * port and not yet connected: the NIC learns the sequence numbers from the
 * handshake, so connect() 'sock' to 'peer' after this returns.
 *
 * Returns 0 and the registration in '*ddpp', or a positive errno with a
 * message (the NIC's reason for a refusal) in 'errbuf'. */
int ovs_offload_ddp_open(const char *control_path, uint32_t vf, int sock,
                         const struct sockaddr *peer, socklen_t peer_len,
                         size_t buffer_size, struct ovs_offload_ddp **ddpp,
                         char *errbuf, size_t errbuf_size);

/* Unregisters (if the NIC has not already released the buffer on the
 * connection's close).  Of a registration of ovs_offload_ddp_open(), also
 * unmaps the buffer; of ovs_offload_ddp_attach(), leaves the buffer to
 * its context, for the next connection.  Does not close 'sock'. */
void ovs_offload_ddp_close(struct ovs_offload_ddp *);

/* A long-lived registration, for an application that receives connection
 * after connection: one control connection and one buffer, handed to the
 * NIC once, which each connection attached to it uses in turn.  Attaching
 * costs one message to the NIC; ovs_offload_ddp_open() instead creates,
 * hands over and maps a buffer each time.
 *
 * ovs_offload_ddp_ctx_open() connects to 'control_path' and hands over a
 * buffer of 'buffer_size' bytes for VF 'vf' (or OVS_OFFLOAD_DDP_HOST).
 * Returns 0 or a positive errno with a message in 'errbuf'. */
int ovs_offload_ddp_ctx_open(const char *control_path, uint32_t vf,
                             size_t buffer_size,
                             struct ovs_offload_ddp_ctx **ctxp,
                             char *errbuf, size_t errbuf_size);

/* Closes the control connection (the NIC lets go of the buffer) and
 * unmaps the buffer.  Its connection, if one is attached, must be closed
 * first. */
void ovs_offload_ddp_ctx_close(struct ovs_offload_ddp_ctx *);

/* As ovs_offload_ddp_open(), into 'ctx''s buffer.  One connection at a
 * time: EBUSY while another is attached (until ovs_offload_ddp_close()).
 */
int ovs_offload_ddp_attach(struct ovs_offload_ddp_ctx *ctx, int sock,
                           const struct sockaddr *peer, socklen_t peer_len,
                           struct ovs_offload_ddp **ddpp,
                           char *errbuf, size_t errbuf_size);

/* Reads up to 'len' next bytes of the stream.  Returns their number (0 at
 * the end of the stream) and sets '*datap' to where they are: inside the
 * shared buffer when the NIC placed them (then valid until the next call;
 * they were discarded from the socket), else 'buf', into which they were
 * read from the socket.  Returns -1 with errno on error (as recv()). */
ssize_t ovs_offload_ddp_read(struct ovs_offload_ddp *, void *buf,
                             size_t len, const void **datap);

/* Has the socket wake its reader only once 'bytes' are ready (or the
 * stream ends), with SO_RCVLOWAT, so that one read takes many placed
 * segments at once.  For bulk transfers: a peer that pauses with fewer
 * bytes outstanding is then read only when it sends more or closes.
 * 0 restores one byte.  Returns 0 or an errno. */
int ovs_offload_ddp_set_batch(struct ovs_offload_ddp *, size_t bytes);

/* How far the stream has been read (its byte count so far). */
uint64_t ovs_offload_ddp_offset(const struct ovs_offload_ddp *);

void ovs_offload_ddp_get_stats(const struct ovs_offload_ddp *,
                               struct ovs_offload_ddp_stats *);

#ifdef __cplusplus
}
#endif

#endif /* ovs-offload-ddp.h */
