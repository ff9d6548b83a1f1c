/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_XDP_H
#define NIC_XDP_H 1

/* The XDP NIC backend ("xdp:NAME"): a NIC whose pipeline runs in the
 * kernel as eBPF at XDP on its ports' Linux interfaces (medium
 * "xdp:IFNAME"), misses reaching the host through AF_XDP sockets.  Built
 * when configure finds libbpf, libxdp and clang's BPF target. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nic;

extern const struct nic_class nic_xdp_class;

/* The compiled eBPF object, embedded at build time. */
extern const unsigned char nic_xdp_bpf_object[];
extern const size_t nic_xdp_bpf_object_size;

/* For tests that run the program with BPF_PROG_TEST_RUN. */
int nic_xdp_prog_fd(struct nic *);

/* Makes 'ifindex' (any interface, e.g. "lo" for BPF_PROG_TEST_RUN) count
 * as NIC port 'port' to the program, without attaching anything. */
int nic_xdp_port_set_ifindex(struct nic *, uint32_t port, int ifindex);

/* What the program did with the last packet it ran on this CPU. */
struct nic_xdp_trace_info {
    uint32_t verdict;           /* enum nic_xdp_verdict (nic-xdp-abi.h). */
    uint32_t reason;            /* Host or drop reason. */
    uint32_t out_port;          /* NIC port, for an output. */
    uint32_t rule_id;           /* 0: no rule. */
};
int nic_xdp_get_trace(struct nic *, struct nic_xdp_trace_info *);

/* How many times the port's program was found detached and put back. */
uint64_t nic_xdp_port_reattached(struct nic *, uint32_t port);

/* For xdp/show: every XDP NIC, and the state of the i-th of its ports
 * (uplinks first, as nic_port_by_index()); false past the last. */
struct nic_xdp_port_status {
    uint32_t port;
    bool attached;
    char ifname[16];            /* "" for medium "none". */
    const char *mode;           /* "native", "generic" or "none". */
    uint32_t prog_id;           /* The program's id in the kernel. */
    uint32_t n_rxq;             /* AF_XDP sockets. */
    uint64_t reattached;
};
void nic_xdp_for_each(void (*cb)(struct nic *, void *aux), void *aux);
bool nic_xdp_get_port_status(struct nic *, size_t idx,
                             struct nic_xdp_port_status *);
void nic_xdp_get_n_rules(struct nic *, size_t *exact, size_t *wildcard,
                         size_t *masks);

#endif /* nic-xdp.h */
