# SPDX-License-Identifier: Apache-2.0
# ovs-offload-refs.sh -- sourced, not run: the two kernel references that
# ovs-offload's XDP figures are compared with in the same run, the Linux
# bridge and a bare XDP redirect, between two host-side veth ends.  Used by
# ovs-offload-bench-xdp.sh and ovs-offload-hypervisors.sh (--backend xdp).
#
#   refs_bridge NS DEV_A DEV_B BRIDGE MEASURE
#       bridges DEV_A and DEV_B (in namespace NS, "" for the root one) with
#       a Linux bridge named BRIDGE, with the ACL (ARP, ICMP, TCP 5201) as
#       tc flower filters where the kernel has them, runs "MEASURE NAME"
#       with NAME linux-bridge or linux-bridge(no-acl), and undoes it all
#   refs_redirect NS DEV_A DEV_B DIR MEASURE
#       attaches to each of DEV_A and DEV_B the smallest XDP program that
#       sends every frame to the other (bpf_redirect() to a fixed ifindex;
#       no ACL: the ceiling), compiled with clang in DIR, runs "MEASURE
#       bare-xdp-redirect", and takes the programs off
#
# Both return 1 (having said why on stderr) where they cannot set up.

refs_in() {                     # refs_in NS CMD...: CMD in namespace NS
    local ns=$1
    shift
    if [ -n "$ns" ]; then
        ip netns exec "$ns" "$@"
    else
        "$@"
    fi
}

refs_bridge() {
    local ns=$1 a=$2 b=$3 br=$4 measure=$5 v acl=yes
    refs_in "$ns" ip link add $br type bridge || return 1
    for v in $a $b; do
        refs_in "$ns" ip link set $v master $br
    done
    refs_in "$ns" ip link set $br up
    for v in $a $b; do
        refs_in "$ns" tc qdisc add dev $v clsact
        { refs_in "$ns" tc filter add dev $v ingress pref 1 protocol arp flower action pass &&
          refs_in "$ns" tc filter add dev $v ingress pref 2 protocol ip flower ip_proto icmp action pass &&
          refs_in "$ns" tc filter add dev $v ingress pref 3 protocol ip flower ip_proto tcp dst_port 5201 action pass &&
          refs_in "$ns" tc filter add dev $v ingress pref 4 protocol ip flower ip_proto tcp src_port 5201 action pass &&
          refs_in "$ns" tc filter add dev $v ingress pref 9 matchall action drop; } 2>/dev/null \
            || acl=no
    done
    if [ $acl = no ]; then
        echo "linux-bridge: this kernel has no tc flower/gact: measured WITHOUT the ACL" >&2
        $measure "linux-bridge(no-acl)"
    else
        $measure "linux-bridge"
    fi
    for v in $a $b; do
        refs_in "$ns" tc qdisc del dev $v clsact 2>/dev/null
        refs_in "$ns" ip link set $v nomaster
    done
    refs_in "$ns" ip link del $br
}

refs_redirect() {
    local ns=$1 a=$2 b=$3 dir=$4 measure=$5 v peer idx
    for v in $a $b; do
        [ $v = $a ] && peer=$b || peer=$a
        idx=$(refs_in "$ns" cat /sys/class/net/$peer/ifindex) || return 1
        cat > "$dir/redirect-$v.c" <<EOF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int redirect(struct xdp_md *ctx) { return bpf_redirect($idx, 0); }
char LICENSE[] SEC("license") = "GPL";
EOF
        clang -O2 -target bpf -I/usr/include/$(gcc -dumpmachine) \
            -c "$dir/redirect-$v.c" -o "$dir/redirect-$v.o" || {
            echo "bare-xdp-redirect: cannot compile the program" >&2
            return 1
        }
        refs_in "$ns" ip link set dev $v xdpdrv obj "$dir/redirect-$v.o" \
            sec xdp || {
            echo "bare-xdp-redirect: cannot attach the program to $v" >&2
            refs_in "$ns" ip link set dev $a xdpdrv off 2>/dev/null
            return 1
        }
    done
    $measure "bare-xdp-redirect"
    for v in $a $b; do
        refs_in "$ns" ip link set dev $v xdpdrv off
    done
}
