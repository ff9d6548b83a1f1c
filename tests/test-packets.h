/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TESTS_TEST_PACKETS_H
#define TESTS_TEST_PACKETS_H 1

/* Builds well-formed frames for unit tests, with correct lengths and
 * checksums, so that tests can then damage them on purpose. */

#include <stddef.h>
#include <stdint.h>

struct tp_frame {
    uint8_t buf[2048];
    size_t len;
    size_t l3, l4;              /* Offsets of the IP and L4 headers. */
};

struct tp_spec {
    const char *src_mac, *dst_mac;  /* NULL: defaults. */
    int n_vlans;                    /* 0, 1 or 2. */
    uint16_t vid[2];
    int ip_version;                 /* 4 or 6; 0 for ARP. */
    const char *src_ip, *dst_ip;
    uint8_t proto;                  /* IPPROTO_TCP/UDP/ICMP/ICMPV6. */
    uint16_t src_port, dst_port;
    size_t payload_len;
    int ipv4_options_len;           /* Multiple of 4. */
    int ipv6_n_ext;                 /* Destination-options headers. */
};

void tp_build(struct tp_frame *, const struct tp_spec *);

/* Sets the TCP or UDP checksum of 'f' again, for a test that changed the
 * segment after tp_build(). */
void tp_set_l4_checksum(struct tp_frame *, uint8_t proto);

/* Verifies the IPv4 header checksum and the TCP/UDP checksum (with the
 * pseudo header) of a frame; returns 1 if both are right. */
int tp_checksums_ok(const uint8_t *frame, size_t len);

struct nic_action;

/* Fills in '*a' as an encap action (NIC_ACT_ENCAP, NIC_ENCAP_F_OVS) with
 * the header OVS's tnl_push builds: Ethernet 02:00:00:01:02:58 ->
 * f8:bc:12:44:34:b6, IPv4 (20 bytes, DF, TTL 64, header checksum set) from
 * 'src' to 'dst' (host order), UDP to 4789 (VXLAN) or 6081 (Geneve), then
 * the VXLAN header, or the Geneve one with 'opts_len' bytes of options
 * 'opts', of VNI 'vni'. */
void tp_encap_action(struct nic_action *a, uint8_t type, uint32_t src,
                     uint32_t dst, uint32_t vni, const uint8_t *opts,
                     size_t opts_len);

#endif /* test-packets.h */
