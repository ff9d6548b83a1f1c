/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-translate: megaflows and ODP actions become the
 * NIC rules they should, the ones that cannot are refused with a reason a
 * user can read, and a translated match admits the same packets as OVS's
 * megaflow. */

#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "lib/nic.h"
#include "lib/nic-parse.h"
#include "lib/offload-translate.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

/* Datapath ports 1 -> vf0, 2 -> uplink0, 3 -> vf1, 7 -> the NIC's tunnel
 * port 7; port 9 ("tap9") is not on the NIC. */
static bool
test_resolve(const void *aux OVS_UNUSED, odp_port_t odp_port,
             uint32_t *nic_port)
{
    switch (odp_to_u32(odp_port)) {
    case 1:
        *nic_port = NIC_PORT_VF_BASE;
        return true;
    case 2:
        *nic_port = 0;
        return true;
    case 3:
        *nic_port = NIC_PORT_VF_BASE + 1;
        return true;
    case 7:                     /* A tunnel port. */
        *nic_port = NIC_PORT_TUNNEL_BASE + 7;
        return true;
    default:
        return false;
    }
}

static const char *
test_port_name(const void *aux OVS_UNUSED, odp_port_t odp_port)
{
    return odp_to_u32(odp_port) == 9 ? "tap9" : NULL;
}

static const struct offload_port_resolver resolver = {
    .resolve = test_resolve,
    .name = test_port_name,
};

static const struct offload_port_resolver resolver_noname = {
    .resolve = test_resolve,
};

static void
caps_all(struct nic_caps *caps)
{
    memset(caps, 0, sizeof *caps);
    caps->actions = (1u << NIC_N_ACTIONS) - 1;
    memset(&caps->matchable, 0xff, sizeof caps->matchable);
}

/* A megaflow as dpif-netdev has them: in_port and recirc_id exact. */
static void
megaflow_init(struct match *m, uint32_t odp_in_port)
{
    match_init_catchall(m);
    m->flow.in_port.odp_port = u32_to_odp(odp_in_port);
    m->wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_recirc_id(m, 0);
}

static void
translate(const struct match *m, const char *actions,
          const struct nic_caps *caps, uint32_t mark,
          struct offload_translation *out)
{
    struct ofpbuf buf;

    ofpbuf_init(&buf, 64);
    ck_assert_int_eq(odp_actions_from_string(actions, NULL, &buf), 0);
    offload_translate(m, buf.data, buf.size, caps, &resolver, mark, 7, out);
    ofpbuf_uninit(&buf);
}

static struct eth_addr
mac(const char *s)
{
    struct eth_addr ea;

    ck_assert(eth_addr_from_string(s, &ea));
    return ea;
}

START_TEST(test_l2_forward)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    match_set_dl_src(&m, mac("00:00:00:00:00:01"));
    match_set_dl_dst(&m, mac("00:00:00:00:00:02"));
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_dl_tci_masked(&m, 0, htons(VLAN_CFI));
    m.flow.nw_proto = IPPROTO_UDP;      /* The packet's, not matched. */
    translate(&m, "2", &caps, 5, &t);

    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_NONE);
    ck_assert_int_eq(t.spec.match.key.in_port, NIC_PORT_VF_BASE);
    ck_assert_uint_eq(t.spec.match.mask.in_port, UINT32_MAX);
    ck_assert(eth_addr_equals(t.spec.match.key.dl_dst,
                              mac("00:00:00:00:00:02")));
    ck_assert(eth_addr_equals(t.spec.match.mask.dl_src, eth_addr_exact));
    ck_assert_uint_eq(t.spec.match.key.dl_type, htons(ETH_TYPE_IP));
    ck_assert_uint_eq(t.spec.match.mask.vlan_tci[0],
                      htons(NIC_VLAN_PRESENT));
    ck_assert_uint_eq(t.spec.match.key.vlan_tci[0], 0);
    ck_assert_uint_eq(t.spec.match.mask.nw_proto, 0);
    /* 32 + 48 + 48 + 16 + 1 bits. */
    ck_assert_uint_eq(t.spec.priority, 145);
    ck_assert_uint_eq(t.spec.cookie, 7);
    ck_assert_uint_eq(t.spec.n_actions, 1);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_OUTPUT);
    ck_assert_uint_eq(t.spec.actions[0].port, 0);
}
END_TEST

START_TEST(test_vlan_push_pop)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    match_set_dl_tci_masked(&m, 0, htons(VLAN_CFI));
    translate(&m, "push_vlan(vid=10,pcp=3),2", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.n_actions, 2);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_PUSH_VLAN);
    ck_assert_uint_eq(ntohs(t.spec.actions[0].vlan_tci) & VLAN_VID_MASK, 10);
    ck_assert_uint_eq(vlan_tci_to_pcp(t.spec.actions[0].vlan_tci), 3);

    /* Tagged 10 in, pop and output. */
    megaflow_init(&m, 2);
    match_set_dl_tci(&m, htons(10 | VLAN_CFI));
    m.flow.vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
    m.wc.masks.vlans[0].tpid = OVS_BE16_MAX;
    translate(&m, "pop_vlan,1", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.match.key.vlan_tci[0],
                      htons(10 | NIC_VLAN_PRESENT));
    ck_assert_uint_eq(t.spec.match.mask.vlan_tci[0], OVS_BE16_MAX);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_POP_VLAN);
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_OUTPUT);
    ck_assert_uint_eq(t.spec.actions[1].port, NIC_PORT_VF_BASE);

    /* pop_vlan when the packet may be untagged: OVS ignores it, and so
     * does the NIC. */
    megaflow_init(&m, 2);
    translate(&m, "pop_vlan,1", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);

    /* 802.1ad push keeps its TPID. */
    megaflow_init(&m, 1);
    translate(&m, "push_vlan(tpid=0x88a8,vid=10,pcp=0),2", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_PUSH_VLAN);
    ck_assert_uint_eq(ntohs(t.spec.actions[0].vlan_tpid),
                      ETH_TYPE_VLAN_8021AD);
}
END_TEST

static void
tcp_megaflow(struct match *m)
{
    megaflow_init(m, 1);
    match_set_dl_type(m, htons(ETH_TYPE_IP));
    match_set_nw_proto(m, IPPROTO_TCP);
    match_set_nw_frag_masked(m, 0, FLOW_NW_FRAG_MASK);
    match_set_nw_dst(m, inet_addr("10.0.0.2"));
    match_set_tp_dst(m, htons(80));
}

START_TEST(test_set_fields)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    tcp_megaflow(&m);
    translate(&m,
              "set(eth(src=00:00:00:00:00:0a,dst=00:00:00:00:00:0b)),"
              "set(ipv4(src=1.1.1.1/255.255.255.255,ttl=9/0xff)),"
              "set(tcp(dst=8080/0xffff)),2,"
              "set(ipv4(dst=2.2.2.2/255.255.255.255)),3", &caps, 0, &t);
    ck_assert_msg(t.kind == OFFLOAD_KIND_FULL, "%s", t.detail);
    ck_assert_uint_eq(t.spec.n_actions, 8);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_SET_ETH_SRC);
    ck_assert(eth_addr_equals(t.spec.actions[0].mac,
                              mac("00:00:00:00:00:0a")));
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_SET_ETH_DST);
    ck_assert_int_eq(t.spec.actions[2].type, NIC_ACT_SET_IPV4_SRC);
    ck_assert_uint_eq(t.spec.actions[2].ipv4, inet_addr("1.1.1.1"));
    ck_assert_int_eq(t.spec.actions[3].type, NIC_ACT_SET_IP_TTL);
    ck_assert_uint_eq(t.spec.actions[3].ttl, 9);
    ck_assert_int_eq(t.spec.actions[4].type, NIC_ACT_SET_TP_DST);
    ck_assert_uint_eq(t.spec.actions[4].tp_port, htons(8080));
    ck_assert_int_eq(t.spec.actions[5].type, NIC_ACT_OUTPUT);
    /* The rewrite after the first output applies to the second only. */
    ck_assert_int_eq(t.spec.actions[6].type, NIC_ACT_SET_IPV4_DST);
    ck_assert_int_eq(t.spec.actions[7].type, NIC_ACT_OUTPUT);
    ck_assert_uint_eq(t.spec.actions[7].port, NIC_PORT_VF_BASE + 1);

    /* A TOS rewrite and a partial MAC mask are beyond the NIC. */
    translate(&m, "set(ipv4(tos=4/0xff)),2", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "set(ipv4(tos))");
    translate(&m, "set(eth(src=00:00:00:00:00:0a/ff:ff:ff:00:00:00)),2",
              &caps, 0, &t);
    ck_assert_str_eq(t.detail, "set(eth(src))");

    /* Port rewrite when later fragments may match: the NIC writes where
     * OVS writes, fragments included. */
    match_set_nw_frag_masked(&m, 0, 0);
    translate(&m, "set(tcp(dst=8080/0xffff)),2", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
}
END_TEST

START_TEST(test_drop)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    offload_translate(&m, NULL, 0, &caps, &resolver, 5, 1, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.n_actions, 1);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_DROP);

    translate(&m, "drop", &caps, 5, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_DROP);
}
END_TEST

START_TEST(test_port_not_on_nic)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;
    struct ofpbuf buf;

    caps_all(&caps);
    megaflow_init(&m, 1);
    translate(&m, "2,9", &caps, 42, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_PORT);
    ck_assert_str_eq(t.detail, "tap9");
    ck_assert_uint_eq(t.spec.n_actions, 2);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_MARK);
    ck_assert_uint_eq(t.spec.actions[0].mark, 42);
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_TO_HOST);

    ofpbuf_init(&buf, 16);
    ck_assert_int_eq(odp_actions_from_string("8", NULL, &buf), 0);
    offload_translate(&m, buf.data, buf.size, &caps, &resolver_noname, 42,
                      0, &t);
    ofpbuf_uninit(&buf);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_PORT);
    ck_assert_str_eq(t.detail, "port 8");

    /* No mark: stays in ovs-vswitchd. */
    translate(&m, "9", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_PORT);

    /* Input port not on the NIC. */
    megaflow_init(&m, 9);
    translate(&m, "2", &caps, 42, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_PORT);
}
END_TEST

START_TEST(test_unsupported_actions)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    translate(&m, "userspace(pid=1),2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "userspace");

    translate(&m, "recirc(16)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_RECIRC);

    translate(&m, "ct(zone=1),recirc(16)", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct");

    translate(&m, "tnl_pop(4)", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "tnl_pop");

    /* 17 outputs do not fit. */
    translate(&m, "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "too many actions");
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);

    /* The NIC cannot push VLAN tags, or mark. */
    caps.actions &= ~(1u << NIC_ACT_PUSH_VLAN);
    translate(&m, "push_vlan(vid=10,pcp=0),2", &caps, 3, &t);
    ck_assert_int_ne(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    caps.actions &= ~(1u << NIC_ACT_MARK);
    translate(&m, "push_vlan(vid=10,pcp=0),2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
}
END_TEST

/* OVS's native tunnelling: clone(tnl_push(...), output(uplink)) and the
 * bare tnl_push + output become encap + output with OVS's header; what
 * the NIC cannot push as OVS does stays on the host with a reason. */
#define TEST_ETH "eth(dst=02:00:00:00:00:aa,src=02:00:00:00:00:bb," \
                 "dl_type=0x0800)"
#define TEST_IPV4 "ipv4(src=192.168.0.1,dst=192.168.0.2,proto=17,tos=0," \
                  "ttl=64,frag=0x4000)"
#define TEST_VXLAN_PUSH \
    "tnl_push(tnl_port(4789),header(size=50,type=4," TEST_ETH "," \
    TEST_IPV4 ",udp(src=0,dst=4789,csum=0x0)," \
    "vxlan(flags=0x8000000,vni=0x64)),out_port(100))"
#define TEST_GENEVE_PUSH \
    "tnl_push(tnl_port(6081),header(size=58,type=5," TEST_ETH "," \
    TEST_IPV4 ",udp(src=0,dst=6081,csum=0xffff)," \
    "geneve(vni=0x7b,options({class=0x102,type=0x80,len=4,0x10002}))" \
    "),out_port(100))"

START_TEST(test_tunnel_push)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    match_set_dl_dst(&m, mac("00:00:00:00:00:02"));

    translate(&m, "clone(" TEST_VXLAN_PUSH ",2)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.n_actions, 2);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_ENCAP);
    ck_assert_int_eq(t.spec.actions[0].encap.type, NIC_TUNNEL_VXLAN);
    ck_assert_int_eq(t.spec.actions[0].encap.len, 50);
    ck_assert_int_eq(t.spec.actions[0].encap.flags, NIC_ENCAP_F_OVS);
    ck_assert_int_eq(t.spec.actions[0].encap.sport_min, 32768);
    ck_assert_int_eq(t.spec.actions[0].encap.sport_max, 61000);
    /* OVS's header, VNI 100 at its place. */
    ck_assert_int_eq(t.spec.actions[0].encap.hdr[ETH_HEADER_LEN
                                                 + IP_HEADER_LEN
                                                 + UDP_HEADER_LEN + 6],
                     100);
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_OUTPUT);
    ck_assert_uint_eq(t.spec.actions[1].port, 0);

    /* A VF output first, then Geneve with an option, without clone. */
    translate(&m, "3," TEST_GENEVE_PUSH ",2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.n_actions, 3);
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_ENCAP);
    ck_assert_int_eq(t.spec.actions[1].encap.type, NIC_TUNNEL_GENEVE);
    ck_assert_int_eq(t.spec.actions[1].encap.len, 58);

    /* Rewrites after the push would apply to the outer headers. */
    translate(&m, "clone(" TEST_VXLAN_PUSH
              ",set(eth(src=02:00:00:00:00:01)),2)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "set after tnl_push");

    /* The packet as it was before the clone is needed again. */
    translate(&m, "clone(" TEST_VXLAN_PUSH ",2),3", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_ACTION);
    ck_assert_str_eq(t.detail, "clone followed by actions");

    /* GRE: not a UDP tunnel. */
    translate(&m, "clone(tnl_push(tnl_port(4),header(size=42,type=3,"
              TEST_ETH ",ipv4(src=192.168.0.1,dst=192.168.0.2,proto=47,"
              "tos=0,ttl=64,frag=0x4000),gre((flags=0x2000,proto=0x6558),"
              "key=0x1c8)),out_port(100)),2)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_str_eq(t.detail, "tnl_push(type 3)");

    /* A NIC without encap. */
    caps.actions &= ~(1u << NIC_ACT_ENCAP);
    translate(&m, "clone(" TEST_VXLAN_PUSH ",2)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_str_eq(t.detail, "tnl_push");
}
END_TEST

START_TEST(test_unsupported_match)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    match_set_ct_state_masked(&m, CS_TRACKED, CS_TRACKED);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_state");

    megaflow_init(&m, 1);
    match_set_pkt_mark_masked(&m, 1, 1);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "pkt_mark");

    megaflow_init(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&m, ARP_OP_REQUEST);
    match_set_arp_sha(&m, mac("00:00:00:00:00:01"));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "arp_sha");

    /* recirc_id != 0. */
    megaflow_init(&m, 1);
    match_set_recirc_id(&m, 5);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_RECIRC);

    /* SCTP ports: both parsers fill them in. */
    megaflow_init(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_proto(&m, IPPROTO_SCTP);
    match_set_tp_dst(&m, htons(9));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);

    /* vlan-limit 1: a megaflow for a second tag's TPID as Ethertype (a
     * deeper stack than OVS parses) cannot be told apart in the NIC. */
    flow_limit_vlans(1);
    megaflow_init(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_VLAN_8021Q));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "dl_type=0x8100/0xffff with vlan-limit 1");
    /* ...and one past L2 also requires "no second tag". */
    megaflow_init(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.match.mask.vlan_tci[1],
                      htons(NIC_VLAN_PRESENT));
    ck_assert_uint_eq(t.spec.match.key.vlan_tci[1], 0);
    flow_limit_vlans(0);

    /* Tunnel metadata. */
    megaflow_init(&m, 1);
    match_set_tun_id(&m, htonll(5));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "tun_id");

    /* A NIC that cannot match TCP ports. */
    tcp_megaflow(&m);
    caps.matchable.tp_dst = 0;
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "tp_dst");
}
END_TEST

/* Conntrack fields are 0 for every packet from the NIC (recirc_id 0): a
 * match requiring 0 there is always true and the NIC rule ignores it, one
 * requiring anything else stays on the host. */
START_TEST(test_conntrack_zero)
{
    static const ovs_u128 label1 = { .u64 = { .lo = 1 } };
    static const ovs_u128 all = { .u64 = { .lo = UINT64_MAX,
                                           .hi = UINT64_MAX } };
    struct offload_translation plain, t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    tcp_megaflow(&m);
    translate(&m, "2", &caps, 3, &plain);
    ck_assert_int_eq(plain.kind, OFFLOAD_KIND_FULL);

    /* OVN's first pass: untracked, ct_mark 0. */
    tcp_megaflow(&m);
    match_set_ct_state_masked(&m, 0, 0x3f);
    match_set_ct_mark_masked(&m, 0, 1);
    match_set_ct_zone(&m, 0);
    match_set_ct_label_masked(&m, OVS_U128_ZERO, all);
    match_set_ct_nw_proto(&m, 0);
    match_set_ct_nw_src(&m, 0);
    match_set_ct_tp_dst(&m, 0);
    match_set_ct_ipv6_dst(&m, &in6addr_any);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_msg(t.kind == OFFLOAD_KIND_FULL, "%s: %s",
                  offload_reason_name(t.reason), t.detail);
    ck_assert(!memcmp(&t.spec.match, &plain.spec.match,
                      sizeof t.spec.match));
    ck_assert_uint_eq(t.spec.priority, plain.spec.priority);

    /* Bits of the flow outside the mask are not required. */
    m.flow.ct_state = CS_TRACKED | CS_ESTABLISHED;
    m.wc.masks.ct_state = CS_NEW;
    m.flow.ct_mark = 6;
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);

    /* Its conntrack action still keeps the flow partial. */
    translate(&m, "ct(zone=1),recirc(16)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct");

    /* A non-zero requirement in any of them: refused, named. */
    tcp_megaflow(&m);
    match_set_ct_state_masked(&m, CS_TRACKED, CS_TRACKED | CS_NEW);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_state");

    tcp_megaflow(&m);
    match_set_ct_state_masked(&m, 0, 0x3f);
    match_set_ct_mark_masked(&m, 1, 1);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_mark");

    tcp_megaflow(&m);
    match_set_ct_zone(&m, 5);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_zone");

    tcp_megaflow(&m);
    match_set_ct_label_masked(&m, label1, all);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_label");

    tcp_megaflow(&m);
    match_set_ct_tp_src(&m, htons(80));
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_CT);
    ck_assert_str_eq(t.detail, "ct_tp_src");

    /* After a recirculation conntrack has run: refused for recirc_id. */
    tcp_megaflow(&m);
    match_set_recirc_id(&m, 5);
    match_set_ct_state_masked(&m, 0, 0x3f);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_RECIRC);
}
END_TEST

/* With megaflows disabled OVS matches dp_hash, skb_priority and pkt_mark
 * exactly, at 0, as they are for every packet from the NIC: still a full
 * rule, the same as without them; a non-zero requirement is refused. */
START_TEST(test_metadata_zero)
{
    struct offload_translation plain, t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    tcp_megaflow(&m);
    translate(&m, "2", &caps, 3, &plain);
    ck_assert_int_eq(plain.kind, OFFLOAD_KIND_FULL);

    tcp_megaflow(&m);
    match_set_dp_hash(&m, 0);
    match_set_skb_priority(&m, 0);
    match_set_pkt_mark(&m, 0);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_msg(t.kind == OFFLOAD_KIND_FULL, "%s: %s",
                  offload_reason_name(t.reason), t.detail);
    ck_assert(!memcmp(&t.spec.match, &plain.spec.match,
                      sizeof t.spec.match));

    tcp_megaflow(&m);
    match_set_dp_hash(&m, 7);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "dp_hash");

    tcp_megaflow(&m);
    match_set_skb_priority(&m, 3);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_str_eq(t.detail, "skb_priority");

    tcp_megaflow(&m);
    match_set_pkt_mark(&m, 9);
    translate(&m, "2", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_str_eq(t.detail, "pkt_mark");
}
END_TEST

/* Decapsulation, the recirc-id route: tnl_pop(7) on the uplink marks,
 * looks the frame up again on tunnel port 7 and else goes to the host; a
 * flow on tunnel port 7 matches the tunnel metadata in the NIC key. */
START_TEST(test_tunnel_pop)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 2);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    match_set_nw_proto(&m, IPPROTO_UDP);
    match_set_nw_frag_masked(&m, 0, FLOW_NW_FRAG_MASK);
    match_set_tp_dst(&m, htons(4789));
    translate(&m, "tnl_pop(7)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_DECAP);
    ck_assert_str_eq(t.detail, "tnl_pop");
    ck_assert_uint_eq(t.spec.n_actions, 3);
    ck_assert_int_eq(t.spec.actions[0].type, NIC_ACT_MARK);
    ck_assert_uint_eq(t.spec.actions[0].mark, 3);
    ck_assert_int_eq(t.spec.actions[1].type, NIC_ACT_TNL_POP);
    ck_assert_uint_eq(t.spec.actions[1].port, NIC_PORT_TUNNEL_BASE + 7);
    ck_assert_int_eq(t.spec.actions[2].type, NIC_ACT_TO_HOST);
    ck_assert_uint_eq(t.spec.actions[2].port, 0);

    /* Not a tunnel port, or a NIC without the second lookup: marked for
     * the host as before. */
    translate(&m, "tnl_pop(9)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_str_eq(t.detail, "tnl_pop");
    ck_assert_uint_eq(t.spec.n_actions, 2);
    caps.actions &= ~(1u << NIC_ACT_TNL_POP);
    translate(&m, "tnl_pop(7)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_str_eq(t.detail, "tnl_pop");
    caps_all(&caps);
    translate(&m, "tnl_pop(7)", &caps, 0, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);

    /* The inner flow, as OVN's on genev_sys_6081. */
    megaflow_init(&m, 7);
    match_set_tun_id(&m, htonll(1));
    match_set_tun_src(&m, inet_addr("192.168.50.2"));
    match_set_tun_dst(&m, inet_addr("192.168.50.1"));
    match_set_tun_tos(&m, 0);
    m.flow.tunnel.flags = FLOW_TNL_F_CSUM | FLOW_TNL_F_KEY;
    m.wc.masks.tunnel.flags = (FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM
                               | FLOW_TNL_F_KEY);
    m.flow.tunnel.flags |= FLOW_TNL_F_UDPIF;
    m.flow.tunnel.metadata.present.len = 8;
    m.wc.masks.tunnel.metadata.present.len = UINT8_MAX;
    memcpy(m.flow.tunnel.metadata.opts.u8,
           "\x01\x02\x80\x01\x00\x01\x00\x02", 8);
    memcpy(m.wc.masks.tunnel.metadata.opts.u8,
           "\xff\xff\xff\xff\x7f\xff\xff\xff", 8);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    translate(&m, "1", &caps, 3, &t);
    ck_assert_msg(t.kind == OFFLOAD_KIND_FULL, "%s: %s",
                  offload_reason_name(t.reason), t.detail);
    ck_assert_uint_eq(t.spec.match.key.in_port, NIC_PORT_TUNNEL_BASE + 7);
    ck_assert_uint_eq(t.spec.match.key.tun_vni, 1);
    ck_assert_uint_eq(t.spec.match.mask.tun_vni, 0xffffff);
    ck_assert_uint_eq(t.spec.match.key.tun_src, inet_addr("192.168.50.2"));
    ck_assert_uint_eq(t.spec.match.key.tun_flags,
                      FLOW_TNL_F_CSUM | FLOW_TNL_F_KEY);
    ck_assert_uint_eq(t.spec.match.key.tun_opts_len, 8);
    ck_assert_uint_eq(t.spec.match.mask.tun_opts_len, UINT8_MAX);
    ck_assert_uint_eq(ntohl(t.spec.match.key.tun_opts[1]), 0x00010002);
    ck_assert_uint_eq(ntohl(t.spec.match.mask.tun_opts[1]), 0x7fffffff);

    /* An action the NIC cannot do: no partial rule on a tunnel port. */
    translate(&m, "userspace(pid=1)", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_str_eq(t.detail, "userspace");

    /* Beyond what the NIC key holds: stays on the host, named. */
    m.wc.masks.tunnel.metadata.opts.u8[9] = 0xff;
    translate(&m, "1", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "geneve options beyond 8 bytes");
    m.wc.masks.tunnel.metadata.opts.u8[9] = 0;

    match_set_tun_id(&m, htonll(1 << 24));
    translate(&m, "1", &caps, 3, &t);
    ck_assert_str_eq(t.detail, "tun_id beyond 24 bits");
    match_set_tun_id(&m, htonll(1));

    struct in6_addr a6 = { .s6_addr = { 0xfd, [15] = 1 } };
    match_set_tun_ipv6_src(&m, &a6);
    translate(&m, "1", &caps, 3, &t);
    ck_assert_str_eq(t.detail, "tunnel IPv6 underlay");
    match_set_tun_ipv6_src(&m, &in6addr_any);
    translate(&m, "1", &caps, 3, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);

    /* A NIC that looks up no decapsulated frames (the XDP backend). */
    caps.matchable.tun_src = 0;
    translate(&m, "1", &caps, 3, &t);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert_str_eq(t.detail, "tun_src");
}
END_TEST

/* OVS 3.1 leaves nw_proto wildcarded in megaflows whose translation
 * depends on it being zero or not (commit_set_nw_action()); the NIC rule
 * takes only packets that agree with the flow's own translation. */
START_TEST(test_proto_pinned)
{
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    megaflow_init(&m, 1);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    m.flow.nw_proto = IPPROTO_UDP;
    translate(&m, "set(ipv4(src=10.0.0.9/255.255.255.255)),2", &caps, 0,
              &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.match.key.nw_proto, IPPROTO_UDP);
    ck_assert_uint_eq(t.spec.match.mask.nw_proto, UINT8_MAX);

    /* Not for a plain output of a real protocol... */
    translate(&m, "2", &caps, 0, &t);
    ck_assert_uint_eq(t.spec.match.mask.nw_proto, 0);

    /* ...but for the nw_proto 0 flows whose rewrites OVS skipped. */
    m.flow.nw_proto = 0;
    translate(&m, "2", &caps, 0, &t);
    ck_assert_uint_eq(t.spec.match.key.nw_proto, 0);
    ck_assert_uint_eq(t.spec.match.mask.nw_proto, UINT8_MAX);
}
END_TEST

/* Frames 116 and 165 of the differential autotest's SEED=7 frames: the
 * first double-tagged (802.1Q 99 over 802.1ad 10, then SNAP IPv4 from
 * 10.0.0.1), the second single-tagged (802.1Q 99, IPv4 from 10.0.0.3). */
#define SEED7_DOUBLE "5054000000015054000000018100406388a8800a0030aaaa03" \
    "000000080045040025138e0000402f53170a0000010a0000017d5a7476b7c8d5529" \
    "1a82ccb990824868c00000074"
#define SEED7_SINGLE "505400000001505400000002810040630800450000" \
    "1f9527000002110fa40a0000030a00000103e8003500105210e40d86000000a5"

/* Whether NIC rule 'spec' takes the frame 'hex' arriving on vf0. */
static bool
rule_takes(const struct nic_rule_spec *spec, const char *hex)
{
    struct nic_parse_offsets ofs;
    struct nic_flow_key key;
    struct ofpbuf frame;
    bool hit;

    ofpbuf_init(&frame, 128);
    ofpbuf_put_hex(&frame, hex, NULL);
    hit = (nic_parse(frame.data, frame.size, NIC_PORT_VF_BASE, &key, &ofs)
           == NIC_PARSE_OK
           && nic_match_matches(&spec->match, &key));
    ofpbuf_uninit(&frame);
    return hit;
}

/* The megaflow OVS makes of 'hex' on datapath port 1 for an OpenFlow rule
 * "ip,nw_src=10.0.0.0/24", as xlate un-wildcards it: the tags that the
 * frame has (flow_push_vlan_uninit()), not the absence of another. */
static void
seed7_megaflow(struct match *m, const char *hex)
{
    struct dp_packet *pkt;
    struct ofpbuf frame;
    int n;

    ofpbuf_init(&frame, 128);
    ofpbuf_put_hex(&frame, hex, NULL);
    pkt = dp_packet_clone_data(frame.data, frame.size);
    pkt_metadata_init(&pkt->md, u32_to_odp(1));
    megaflow_init(m, 1);
    flow_extract(pkt, &m->flow);
    dp_packet_delete(pkt);
    ofpbuf_uninit(&frame);
    m->flow.recirc_id = 0;
    match_set_dl_type(m, htons(ETH_TYPE_IP));
    match_set_nw_src_masked(m, m->flow.nw_src, htonl(0xffffff00));
    m->wc.masks.nw_frag = FLOW_NW_FRAG_MASK;
    n = flow_count_vlan_headers(&m->flow);
    memset(m->wc.masks.vlans, 0xff, n * sizeof m->wc.masks.vlans[0]);
    match_set_dl_src_masked(m, m->flow.dl_src, eth_addr_zero);
    match_set_dl_dst_masked(m, m->flow.dl_dst, eth_addr_zero);
    m->wc.masks.packet_type = OVS_BE32_MAX;
    m->flow.packet_type = htonl(PT_ETH);
}

/* With vlan-limit 2, OVS's megaflow of a single-tagged frame holds the
 * double-tagged frames with the same outer tag too, and its push keeps
 * their inner tag, where the double-tagged frame's own megaflow ("pop,pop,
 * push,push": the push overflowed struct flow) loses it.  dpif-netdev
 * runs either for such a frame, so the NIC takes it in neither. */
START_TEST(test_vlan_overlap)
{
    int saved_limit = flow_vlan_limit;
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    flow_limit_vlans(2);
    caps_all(&caps);

    /* The single-tagged frame's flow: only single-tagged frames. */
    seed7_megaflow(&m, SEED7_SINGLE);
    ck_assert_uint_eq(m.wc.masks.vlans[1].tci, 0);
    translate(&m, "push_vlan(vid=21,pcp=0),2", &caps, 5, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.match.mask.vlan_tci[1],
                      htons(NIC_VLAN_PRESENT));
    ck_assert_uint_eq(t.spec.match.key.vlan_tci[1], 0);
    ck_assert(rule_takes(&t.spec, SEED7_SINGLE));
    ck_assert(!rule_takes(&t.spec, SEED7_DOUBLE));

    /* Without VLAN actions the inner tag does not matter. */
    translate(&m, "2", &caps, 5, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(t.spec.match.mask.vlan_tci[1], 0);
    ck_assert(rule_takes(&t.spec, SEED7_DOUBLE));

    /* The double-tagged frame's own flow stays on the host, not even
     * partially: a mark would make dpif-netdev run it. */
    seed7_megaflow(&m, SEED7_DOUBLE);
    translate(&m, "pop_vlan,pop_vlan,push_vlan(vid=99,pcp=2),"
              "push_vlan(vid=21,pcp=0),2", &caps, 5, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(t.reason, OFFLOAD_REASON_MATCH);
    ck_assert(strstr(t.detail, "both tags popped"));

    /* Rewriting the outer tag keeps the inner one: offloaded. */
    translate(&m, "pop_vlan,push_vlan(vid=21,pcp=0),2", &caps, 5, &t);
    ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
    ck_assert(rule_takes(&t.spec, SEED7_DOUBLE));

    flow_limit_vlans(saved_limit);
}
END_TEST

START_TEST(test_frag_mapping)
{
    static const struct {
        uint8_t value, mask;
        uint8_t nic_value, nic_mask;
    } cases[] = {
        /* The NIC has OVS's bits: every value and mask carries over. */
        { 0, FLOW_NW_FRAG_MASK, 0, 3 },
        { FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_MASK, 1, 3 },
        { FLOW_NW_FRAG_MASK, FLOW_NW_FRAG_MASK, 3, 3 },
        { 0, FLOW_NW_FRAG_LATER, 0, 2 },
        { FLOW_NW_FRAG_LATER, FLOW_NW_FRAG_LATER, 2, 2 },
        { 0, FLOW_NW_FRAG_ANY, 0, 1 },
        { FLOW_NW_FRAG_ANY, FLOW_NW_FRAG_ANY, 1, 1 },
    };
    struct offload_translation t;
    struct nic_caps caps;
    struct match m;

    caps_all(&caps);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        megaflow_init(&m, 1);
        match_set_dl_type(&m, htons(ETH_TYPE_IPV6));
        match_set_nw_frag_masked(&m, cases[i].value, cases[i].mask);
        translate(&m, "2", &caps, 0, &t);
        ck_assert_int_eq(t.kind, OFFLOAD_KIND_FULL);
        ck_assert_uint_eq(t.spec.match.key.nw_frag, cases[i].nic_value);
        ck_assert_uint_eq(t.spec.match.mask.nw_frag, cases[i].nic_mask);
    }
}
END_TEST

START_TEST(test_reason_names)
{
    ck_assert_str_eq(offload_reason_name(OFFLOAD_REASON_PORT),
                     "port-not-on-nic");
    ck_assert_str_eq(offload_reason_description(OFFLOAD_REASON_CT),
                     "connection tracking");
    ck_assert_str_eq(offload_reason_name(OFFLOAD_N_REASONS), "unknown");
    ck_assert_str_eq(offload_kind_to_string(OFFLOAD_KIND_PARTIAL),
                     "partial");
}
END_TEST

/* Equivalence: a megaflow built by OVS's own flow_extract() from a packet,
 * with a typical mask, translates into a NIC match that admits the same
 * packet as parsed by the NIC, and not a packet differing in a matched
 * field. */
static void
check_equivalence(const struct tp_spec *spec)
{
    struct offload_translation t;
    struct flow_wildcards wc;
    struct nic_flow_key key;
    struct nic_parse_offsets ofs;
    struct nic_caps caps;
    struct tp_frame f;
    struct dp_packet *pkt;
    struct flow flow;
    struct match m;

    tp_build(&f, spec);
    pkt = dp_packet_clone_data(f.buf, f.len);
    flow_extract(pkt, &flow);
    dp_packet_delete(pkt);
    flow.in_port.odp_port = u32_to_odp(1);

    flow_wildcards_init_catchall(&wc);
    WC_MASK_FIELD(&wc, in_port);
    WC_MASK_FIELD(&wc, recirc_id);
    WC_MASK_FIELD(&wc, packet_type);
    WC_MASK_FIELD(&wc, dl_src);
    WC_MASK_FIELD(&wc, dl_dst);
    WC_MASK_FIELD(&wc, dl_type);
    WC_MASK_FIELD(&wc, vlans);
    if (spec->ip_version) {
        WC_MASK_FIELD_MASK(&wc, nw_frag, FLOW_NW_FRAG_MASK);
        WC_MASK_FIELD(&wc, nw_proto);
        WC_MASK_FIELD(&wc, nw_ttl);
        WC_MASK_FIELD(&wc, tp_src);
        WC_MASK_FIELD(&wc, tp_dst);
        if (spec->ip_version == 4) {
            WC_MASK_FIELD(&wc, nw_src);
            WC_MASK_FIELD(&wc, nw_dst);
        } else {
            WC_MASK_FIELD(&wc, ipv6_src);
            WC_MASK_FIELD(&wc, ipv6_dst);
        }
        if (spec->proto == IPPROTO_TCP) {
            WC_MASK_FIELD(&wc, tcp_flags);
        }
    } else {
        WC_MASK_FIELD(&wc, nw_proto);
        WC_MASK_FIELD(&wc, nw_src);
        WC_MASK_FIELD(&wc, nw_dst);
    }
    match_init(&m, &flow, &wc);

    caps_all(&caps);
    offload_translate(&m, NULL, 0, &caps, &resolver, 0, 0, &t);
    ck_assert_msg(t.kind == OFFLOAD_KIND_FULL, "%s: %s",
                  offload_reason_name(t.reason), t.detail);

    ck_assert_int_eq(nic_parse(f.buf, f.len, NIC_PORT_VF_BASE, &key, &ofs),
                     NIC_PARSE_OK);
    ck_assert(nic_match_matches(&t.spec.match, &key));

    /* Another destination port or address: no match. */
    size_t at = (f.l4 && (spec->proto == IPPROTO_TCP
                          || spec->proto == IPPROTO_UDP)
                 ? f.l4 + 3
                 : f.l3 + (spec->ip_version == 6 ? 39
                           : spec->ip_version == 4 ? 19 : 27));

    f.buf[at] ^= 1;
    ck_assert_int_eq(nic_parse(f.buf, f.len, NIC_PORT_VF_BASE, &key, &ofs),
                     NIC_PARSE_OK);
    ck_assert(!nic_match_matches(&t.spec.match, &key));
    f.buf[at] ^= 1;

    /* Another input port: no match. */
    ck_assert_int_eq(nic_parse(f.buf, f.len, 0, &key, &ofs), NIC_PARSE_OK);
    ck_assert(!nic_match_matches(&t.spec.match, &key));
}

START_TEST(test_equivalence)
{
    struct tp_spec tcp4 = { .ip_version = 4, .proto = IPPROTO_TCP,
                            .src_ip = "10.0.0.1", .dst_ip = "10.0.0.2",
                            .src_port = 1234, .dst_port = 80,
                            .payload_len = 10 };
    struct tp_spec udp6 = { .ip_version = 6, .proto = IPPROTO_UDP,
                            .src_ip = "2001:db8::1", .dst_ip = "2001:db8::2",
                            .src_port = 53, .dst_port = 5353,
                            .payload_len = 10, .n_vlans = 1,
                            .vid = { 42 } };
    struct tp_spec icmp4 = { .ip_version = 4, .proto = IPPROTO_ICMP,
                             .src_ip = "10.0.0.1", .dst_ip = "10.0.0.2",
                             .payload_len = 8, .n_vlans = 2,
                             .vid = { 5, 6 } };
    struct tp_spec arp = { .ip_version = 0, .src_ip = "10.0.0.1",
                           .dst_ip = "10.0.0.2" };

    check_equivalence(&tcp4);
    check_equivalence(&udp6);
    check_equivalence(&icmp4);
    check_equivalence(&arp);
}
END_TEST

Suite *
offload_translate_suite(void)
{
    Suite *s = suite_create("offload-translate");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_l2_forward);
    tcase_add_test(tc, test_vlan_push_pop);
    tcase_add_test(tc, test_set_fields);
    tcase_add_test(tc, test_drop);
    tcase_add_test(tc, test_port_not_on_nic);
    tcase_add_test(tc, test_unsupported_actions);
    tcase_add_test(tc, test_unsupported_match);
    tcase_add_test(tc, test_conntrack_zero);
    tcase_add_test(tc, test_metadata_zero);
    tcase_add_test(tc, test_frag_mapping);
    tcase_add_test(tc, test_proto_pinned);
    tcase_add_test(tc, test_vlan_overlap);
    tcase_add_test(tc, test_reason_names);
    tcase_add_test(tc, test_equivalence);
    tcase_add_test(tc, test_tunnel_push);
    tcase_add_test(tc, test_tunnel_pop);
    suite_add_tcase(s, tc);
    return s;
}
