/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-offload-token: makes sealing keys, mints sealed-destination tokens
 * from a key file, builds token frames and sends them from a VM's
 * interface (ovs-offload-token(1)). */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "lib/offload-token.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

struct options {
    const char *key_file;
    bool has_key_id;
    uint32_t key_id;
    struct offload_token t;
    bool has_remote, has_vni, has_mac, has_vf;
    uint64_t lifetime;          /* Seconds from now, if no --expiry. */
    struct eth_addr dst, src;
    bool has_src;
    unsigned int count;
    unsigned int rate;          /* send: frames per second, 0: at once. */
    bool plain;                 /* send: the inner frame alone. */
};

OVS_NO_RETURN static void
usage(void)
{
    printf("%s: sealed destinations for ovs-offload NICs\n"
           "usage: %s COMMAND [OPTIONS] [ARG...]\n"
           "  genkey                   print a random key (64 hex digits)\n"
           "  mint --key-file=FILE [--key-id=ID] --remote=IP --vni=N\n"
           "       [--type=vxlan|geneve] --mac=MAC [--ip=IP] --vf=N\n"
           "       [--expiry=T | --lifetime=SECONDS]\n"
           "                           print a token (hex)\n"
           "  frame TOKEN INNER --src=MAC [--dst=MAC]\n"
           "                           print a token frame (hex)\n"
           "  send IFACE TOKEN INNER [--src=MAC] [--dst=MAC] [--count=N]\n"
           "       [--rate=PPS] [--plain]\n"
           "                           send token frames out of IFACE\n"
           "                           (--plain: INNER alone, the peer of a\n"
           "                           benchmark; --rate: paced)\n"
           "TOKEN and INNER (an Ethernet frame) are hex.  Key files: one key\n"
           "a line, \"ID HEX64 [NOT-AFTER]\"; '#' starts a comment.\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

static struct in6_addr
parse_ip(const char *name, const char *s)
{
    struct in6_addr ip;
    ovs_be32 ip4;

    if (ip_parse(s, &ip4)) {
        return in6_addr_mapped_ipv4(ip4);
    }
    if (!ipv6_parse(s, &ip)) {
        ovs_fatal(0, "--%s: bad IP address \"%s\"", name, s);
    }
    return ip;
}

static unsigned long long
parse_number(const char *name, const char *s, unsigned long long max)
{
    unsigned long long x;

    if (!str_to_ullong(s, 10, &x) || x > max) {
        ovs_fatal(0, "--%s: \"%s\" is not a number from 0 to %llu", name, s,
                  max);
    }
    return x;
}

static struct eth_addr
parse_mac(const char *name, const char *s)
{
    struct eth_addr mac;

    if (!eth_addr_from_string(s, &mac)) {
        ovs_fatal(0, "--%s: bad MAC \"%s\"", name, s);
    }
    return mac;
}

/* Parses hex 's' into a malloc'd buffer; returns its length. */
static size_t
parse_hex(const char *what, const char *s, uint8_t **bufp)
{
    struct ofpbuf b;

    ofpbuf_init(&b, strlen(s) / 2);
    if (ofpbuf_put_hex(&b, s, NULL)[0] != '\0' || !b.size) {
        ovs_fatal(0, "%s: bad hex \"%s\"", what, s);
    }
    *bufp = b.data;
    return b.size;
}

/* Reads the key 'opts' names (the file's last key without --key-id). */
static void
read_key(const struct options *opts, struct offload_token_key *k)
{
    struct offload_token_key *keys;
    bool found = false;
    char *error;
    size_t n;

    if (!opts->key_file) {
        ovs_fatal(0, "mint: --key-file is required");
    }
    error = offload_token_key_file_read(opts->key_file, &keys, &n);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    for (size_t i = 0; i < n; i++) {
        if (!opts->has_key_id || keys[i].id == opts->key_id) {
            *k = keys[i];
            found = true;
        }
    }
    offload_token_keys_wipe(keys, n);
    if (!found) {
        ovs_fatal(0, "%s: no key%s", opts->key_file,
                  opts->has_key_id ? " with that id" : "");
    }
}

static void
do_mint(struct options *opts)
{
    uint8_t tok[OFFLOAD_TOKEN_LEN];
    struct offload_token_key k;
    char *error;
    int ret;

    if (!opts->has_remote || !opts->has_vni || !opts->has_mac
        || !opts->has_vf) {
        ovs_fatal(0, "mint: --remote, --vni, --mac and --vf are required");
    }
    if (!opts->t.expiry) {
        opts->t.expiry = time_wall() + opts->lifetime;
    }
    error = offload_token_check(&opts->t);
    if (error) {
        ovs_fatal(0, "mint: %s", error);
    }
    read_key(opts, &k);
    if (k.not_after && opts->t.expiry > k.not_after) {
        fprintf(stderr, "%s: warning: key %"PRIu32" retires (%"PRIu64") "
                "before the token expires\n", program_name, k.id,
                k.not_after);
    }
    ret = offload_token_seal(k.key, k.id, &opts->t, tok);
    OPENSSL_cleanse(&k, sizeof k);
    if (ret) {
        ovs_fatal(ret, "mint: sealing failed");
    }
    for (size_t i = 0; i < sizeof tok; i++) {
        printf("%02x", tok[i]);
    }
    putchar('\n');
}

/* Builds the frame of token hex 'tok_s' and inner frame hex 'inner_s'. */
static size_t
build_frame(const struct options *opts, const char *tok_s,
            const char *inner_s, uint8_t **framep)
{
    uint8_t *tok, *inner;
    size_t tok_len = parse_hex("token", tok_s, &tok);
    size_t inner_len = parse_hex("inner frame", inner_s, &inner);

    if (tok_len != OFFLOAD_TOKEN_LEN) {
        ovs_fatal(0, "token: %"PRIuSIZE" bytes, not %d", tok_len,
                  OFFLOAD_TOKEN_LEN);
    }
    if (inner_len < ETH_HEADER_LEN) {
        ovs_fatal(0, "inner frame: shorter than an Ethernet header");
    }
    *framep = xmalloc(OFFLOAD_TOKEN_FRAME_OVERHEAD + inner_len);
    size_t len = offload_token_frame_build(&opts->dst, &opts->src, tok,
                                           inner, inner_len, *framep);
    free(tok);
    free(inner);
    return len;
}

static void
do_frame(struct options *opts, int argc, char *argv[])
{
    uint8_t *frame;
    size_t len;

    if (argc != 2) {
        ovs_fatal(0, "frame: TOKEN INNER expected");
    }
    if (!opts->has_src) {
        ovs_fatal(0, "frame: --src is required");
    }
    len = build_frame(opts, argv[0], argv[1], &frame);
    for (size_t i = 0; i < len; i++) {
        printf("%02x", frame[i]);
    }
    putchar('\n');
    free(frame);
}

static void
do_send(struct options *opts, int argc, char *argv[])
{
    struct sockaddr_ll sll;
    struct ifreq ifr;
    uint8_t *frame;
    size_t len;
    int fd;

    if (argc != 3) {
        ovs_fatal(0, "send: IFACE TOKEN INNER expected");
    }
    fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) {
        ovs_fatal(errno, "send: AF_PACKET socket (root needed)");
    }
    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, argv[0], sizeof ifr.ifr_name);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        ovs_fatal(errno, "send: %s", argv[0]);
    }
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifr.ifr_ifindex;
    if (!opts->has_src) {
        if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
            ovs_fatal(errno, "send: %s: no MAC address", argv[0]);
        }
        memcpy(&opts->src, ifr.ifr_hwaddr.sa_data, ETH_ADDR_LEN);
    }
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        ovs_fatal(errno, "send: bind to %s", argv[0]);
    }
    len = build_frame(opts, argv[1], argv[2], &frame);
    if (opts->plain) {
        /* Checked as for a token frame, then sent without the token. */
        free(frame);
        len = parse_hex("inner frame", argv[2], &frame);
    }

    long long int start = time_usec(), full_since = 0;
    for (unsigned int i = 0; i < opts->count; ) {
        if (opts->rate) {
            /* Frame i leaves at i/rate s; a busy wait, as a send()
             * takes less than a microsecond and sleeps far more. */
            long long int due = start + (long long int) i * 1000000
                                        / opts->rate;

            while (time_usec() < due) {
                continue;
            }
        }
        if (send(fd, frame, len, 0) == len) {
            i++;
            full_since = 0;
        } else if (errno != ENOBUFS && errno != EAGAIN) {
            ovs_fatal(errno, "send: frame %u of %u", i + 1, opts->count);
        } else if (!full_since) {
            /* The device queue is full: the same frame again, after a
             * pause, for a while. */
            full_since = time_usec();
        } else if (time_usec() - full_since > 5 * 1000 * 1000) {
            ovs_fatal(errno, "send: frame %u of %u: the device queue stayed "
                      "full for 5 s", i + 1, opts->count);
        } else {
            xnanosleep(10 * 1000);
        }
    }
    double secs = (time_usec() - start) / 1e6;
    printf("sent %u %s frame(s) of %"PRIuSIZE" bytes in %.3f s\n",
           opts->count, opts->plain ? "plain" : "token", len, secs);
    free(frame);
    close(fd);
}

int
main(int argc, char *argv[])
{
    enum {
        OPT_KEY_FILE = UCHAR_MAX + 1, OPT_KEY_ID, OPT_REMOTE, OPT_VNI,
        OPT_TYPE, OPT_MAC, OPT_IP, OPT_VF, OPT_EXPIRY, OPT_LIFETIME,
        OPT_SRC, OPT_DST, OPT_COUNT, OPT_RATE, OPT_PLAIN,
    };
    static const struct option longopts[] = {
        {"key-file", required_argument, NULL, OPT_KEY_FILE},
        {"key-id", required_argument, NULL, OPT_KEY_ID},
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"vni", required_argument, NULL, OPT_VNI},
        {"type", required_argument, NULL, OPT_TYPE},
        {"mac", required_argument, NULL, OPT_MAC},
        {"ip", required_argument, NULL, OPT_IP},
        {"vf", required_argument, NULL, OPT_VF},
        {"expiry", required_argument, NULL, OPT_EXPIRY},
        {"lifetime", required_argument, NULL, OPT_LIFETIME},
        {"src", required_argument, NULL, OPT_SRC},
        {"dst", required_argument, NULL, OPT_DST},
        {"count", required_argument, NULL, OPT_COUNT},
        {"rate", required_argument, NULL, OPT_RATE},
        {"plain", no_argument, NULL, OPT_PLAIN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct options opts;
    const char *cmd;
    int c;

    set_program_name(argv[0]);
    memset(&opts, 0, sizeof opts);
    opts.t.tun_type = OFFLOAD_TOKEN_VXLAN;
    opts.lifetime = 3600;
    opts.dst = eth_addr_broadcast;
    opts.count = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_KEY_FILE:
            opts.key_file = optarg;
            break;
        case OPT_KEY_ID:
            opts.key_id = parse_number("key-id", optarg, UINT32_MAX);
            opts.has_key_id = true;
            break;
        case OPT_REMOTE:
            opts.t.remote = parse_ip("remote", optarg);
            opts.has_remote = true;
            break;
        case OPT_VNI:
            opts.t.vni = parse_number("vni", optarg, 0xffffff);
            opts.has_vni = true;
            break;
        case OPT_TYPE:
            if (!strcmp(optarg, "vxlan")) {
                opts.t.tun_type = OFFLOAD_TOKEN_VXLAN;
            } else if (!strcmp(optarg, "geneve")) {
                opts.t.tun_type = OFFLOAD_TOKEN_GENEVE;
            } else {
                ovs_fatal(0, "--type: \"%s\" is not vxlan or geneve",
                          optarg);
            }
            break;
        case OPT_MAC:
            opts.t.inner_mac = parse_mac("mac", optarg);
            opts.has_mac = true;
            break;
        case OPT_IP:
            opts.t.inner_ip = parse_ip("ip", optarg);
            opts.t.has_inner_ip = true;
            break;
        case OPT_VF:
            opts.t.vf = parse_number("vf", optarg, UINT16_MAX);
            opts.has_vf = true;
            break;
        case OPT_EXPIRY:
            opts.t.expiry = parse_number("expiry", optarg, UINT64_MAX);
            if (!opts.t.expiry) {
                ovs_fatal(0, "--expiry: must not be 0");
            }
            break;
        case OPT_LIFETIME:
            opts.lifetime = parse_number("lifetime", optarg, UINT32_MAX);
            break;
        case OPT_SRC:
            opts.src = parse_mac("src", optarg);
            opts.has_src = true;
            break;
        case OPT_DST:
            opts.dst = parse_mac("dst", optarg);
            break;
        case OPT_COUNT:
            opts.count = parse_number("count", optarg, 100000000);
            break;
        case OPT_RATE:
            opts.rate = parse_number("rate", optarg, 100000000);
            break;
        case OPT_PLAIN:
            opts.plain = true;
            break;
        case 'h':
            usage();
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (optind >= argc) {
        ovs_fatal(0, "missing command (try --help)");
    }
    cmd = argv[optind++];
    if (!strcmp(cmd, "genkey")) {
        uint8_t key[OFFLOAD_TOKEN_KEY_LEN];

        if (RAND_bytes(key, sizeof key) != 1) {
            ovs_fatal(0, "genkey: no random bytes");
        }
        for (size_t i = 0; i < sizeof key; i++) {
            printf("%02x", key[i]);
        }
        putchar('\n');
        OPENSSL_cleanse(key, sizeof key);
    } else if (!strcmp(cmd, "mint")) {
        if (optind != argc) {
            ovs_fatal(0, "mint: takes options only");
        }
        do_mint(&opts);
    } else if (!strcmp(cmd, "frame")) {
        do_frame(&opts, argc - optind, argv + optind);
    } else if (!strcmp(cmd, "send")) {
        do_send(&opts, argc - optind, argv + optind);
    } else {
        ovs_fatal(0, "unknown command \"%s\" (try --help)", cmd);
    }
    return 0;
}
