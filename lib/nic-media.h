/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_MEDIA_H
#define NIC_MEDIA_H 1

/* Media that a NIC port is attached to: where its "wire" (uplink) or its
 * VM's virtual function (VF) really sends and receives frames.
 *
 *   afpacket:IFNAME      a Linux interface through AF_PACKET (veth, tap,
 *                        also ends inside network namespaces' peers);
 *                        followed when it is deleted and created again
 *   punix:PATH           listen on a unix stream socket (one peer)
 *   unix:PATH            connect to a unix stream socket
 *                        (both framed as netdev-dummy's streams: a 2-byte
 *                        big-endian length, then the frame)
 *   pcap:RX,TX           read frames from pcap file RX ("-": none), write
 *                        what is sent to pcap file TX ("-": none)
 *   gen:N,LEN[,PPS]      in-memory generator: endless LEN-byte UDP frames
 *                        over N flows, at PPS frames per second if given
 *                        (benchmarks); sends are discarded
 *   none                 nothing received, sends are discarded
 *   lossy:EVERY/MODE/M   medium M, with one received TCP data frame in
 *                        EVERY lost (MODE drop) or delivered after the next
 *                        frame (MODE reorder); for tests and benchmarks
 *
 * A medium is used by one engine thread at a time. */

#include <stdbool.h>
#include <stdint.h>

struct dp_packet;
struct nic_medium;

struct nic_medium_stats {
    uint64_t rx_errors;         /* Frames the medium could not deliver. */
    uint64_t tx_errors;         /* Frames the medium could not send. */
};

int nic_medium_open(const char *spec, struct nic_medium **, char **errorp);
void nic_medium_close(struct nic_medium *);

/* Receives up to 'max' frames without blocking; returns how many. */
int nic_medium_recv(struct nic_medium *, struct dp_packet **pkts, int max);

/* Sends one frame; does not take ownership.  Returns 0 or errno. */
int nic_medium_send(struct nic_medium *, const struct dp_packet *);

/* Sends 'n' frames, in one system call where the medium allows; does not
 * take ownership.  Returns how many were sent, and their bytes in
 * '*bytes'; the rest are counted as tx errors. */
int nic_medium_send_batch(struct nic_medium *, struct dp_packet **pkts,
                          int n, uint64_t *bytes);

/* Does periodic work: an afpacket medium follows its interface being
 * deleted (link down, sends fail) and created again (attached again).
 * Call it before nic_medium_recv(). */
void nic_medium_run(struct nic_medium *);

/* Makes poll_block() wake when nic_medium_recv() may return frames or
 * nic_medium_run() has work. */
void nic_medium_wait(struct nic_medium *);

/* Whether the medium can carry frames now: for afpacket, whether its
 * interface exists, is up and running; other media are always up. */
bool nic_medium_link_up(const struct nic_medium *);

const char *nic_medium_spec(const struct nic_medium *);
void nic_medium_get_stats(const struct nic_medium *,
                          struct nic_medium_stats *);

/* For the "gen" medium: its number of flows; 0 for any other medium. */
uint32_t nic_medium_gen_n_flows(const struct nic_medium *);

#endif /* nic-media.h */
