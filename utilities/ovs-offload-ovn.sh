#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ovs-offload-ovn.sh -- a real OVN run on the main job's two hypervisors:
# the OVN control plane (Debian's ovn-central and ovn-host) in place of the
# hand-written OpenFlow policy.
#
# Run, it is "ovs-offload-hypervisors.sh --ovn ARGS..." (see that script's
# --help).  Sourced by ovs-offload-hypervisors.sh --ovn, it provides:
#
#   ovn_check                  1 (having said why) unless OVN is installed
#   ovn_vm_ip VM, ovn_vm_gw VM the VMs' addresses on the logical switches
#   ovn_start_central          ovsdb-servers for the NB and SB databases
#                              and ovn-northd, in $lab/ovn (private sockets,
#                              pidfiles, logs; nothing in /run/ovn)
#   ovn_configure              the logical topology and ACLs (below)
#   ovn_make_hv HV SETUP       HV's underlay (br-phy), its integration
#                              bridge br-int with its VMs bound through
#                              external_ids:iface-id as libvirt does, the
#                              chassis keys, and HV's ovn-controller
#   ovn_wait_up                waits (no fixed sleep) for both chassis,
#                              every port binding up and ovn-nbctl
#                              --wait=hv sync
#   ovn_stop_controllers       stops the ovn-controllers (their chassis
#                              leave the SB database)
#   ovn_snapshot SETUP         adds the datapath flows there are now,
#                              and their offload state, to the set-up's
#                              (after each test: a test's flows expire
#                              while the next ones run)
#   ovn_flow_report SETUP      classifies the set-up's datapath flows
#                              (kind x offload state x reason) into
#                              $lab/SETUP-ovn.json
#
# The topology: logical switches ls1 (vm1 on hv1, vm3 on hv2; 10.0.1.0/24)
# and ls2 (vm2 on hv1, vm4 on hv2; 10.0.2.0/24), joined by the distributed
# logical router lr0 (10.0.1.254, 10.0.2.254); each chassis tunnels to the
# other with Geneve from its br-phy address.  The ACLs give the same matrix
# as the OpenFlow policy ($allowed: ping and TCP 5201), at the sender's
# switch ingress: allow-stateless on ls1, allow-related on ls2, every other
# IPv4 packet from a VM dropped.  ls2's stateful ACLs put its traffic,
# routed traffic towards it included, through conntrack.

# Run rather than sourced: the main job with --ovn.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    exec "$(dirname "$0")/ovs-offload-hypervisors.sh" --ovn "$@"
fi

ovn_schemadir=${OVN_SCHEMADIR:-/usr/share/ovn}

ovn_check() {
    local tool
    for tool in ovn-northd ovn-controller ovn-nbctl ovn-sbctl ovn-appctl; do
        command -v $tool >/dev/null || {
            echo "OVN is not installed: no $tool in PATH (apt-get install ovn-central ovn-host)" >&2
            return 1
        }
    done
    for tool in nb sb; do
        [ -f "$ovn_schemadir/ovn-$tool.ovsschema" ] || {
            echo "no $ovn_schemadir/ovn-$tool.ovsschema (set OVN_SCHEMADIR)" >&2
            return 1
        }
    done
}

ovn_vm_ls() { case $1 in vm1|vm3) echo 1 ;; *) echo 2 ;; esac; }
ovn_vm_ip() { echo "10.0.$(ovn_vm_ls $1).${1#vm}"; }
ovn_vm_gw() { echo "10.0.$(ovn_vm_ls $1).254"; }

ovn_nbctl() { ovn-nbctl --db=unix:$lab/ovn/nb.sock --timeout=120 "$@"; }
ovn_sbctl() { ovn-sbctl --db=unix:$lab/ovn/sb.sock --timeout=120 "$@"; }

ovn_start_central() {
    local dir=$lab/ovn db
    mkdir -p "$dir" || die "cannot create $dir"
    for db in nb sb; do
        run ovsdb-tool create "$dir/$db.db" "$ovn_schemadir/ovn-$db.ovsschema"
        run env OVS_RUNDIR=$dir OVS_LOGDIR=$dir ovsdb-server --detach \
            --no-chdir --pidfile="$dir/$db.pid" --log-file="$dir/$db.log" \
            -vconsole:off --unixctl="$dir/$db.ctl" \
            --remote=punix:"$dir/$db.sock" "$dir/$db.db" 2>>"$dir/start.err"
    done
    run env OVS_RUNDIR=$dir OVN_RUNDIR=$dir OVS_LOGDIR=$dir ovn-northd \
        --detach --no-chdir --pidfile="$dir/northd.pid" \
        --log-file="$dir/northd.log" -vconsole:off \
        --unixctl="$dir/northd.ctl" --ovnnb-db=unix:"$dir/nb.sock" \
        --ovnsb-db=unix:"$dir/sb.sock" 2>>"$dir/start.err"
    run ovn_nbctl init
}

ovn_configure() {
    local ls vm pair a b action ports
    run ovn_nbctl ls-add ls1 -- ls-add ls2 -- lr-add lr0
    for ls in 1 2; do
        run ovn_nbctl lrp-add lr0 lr0-ls$ls 02:00:00:00:0$ls:fe \
            10.0.$ls.254/24 \
            -- lsp-add ls$ls ls$ls-lr0 -- lsp-set-type ls$ls-lr0 router \
            -- lsp-set-addresses ls$ls-lr0 router \
            -- lsp-set-options ls$ls-lr0 router-port=lr0-ls$ls
    done
    for vm in $vms; do
        ls=ls$(ovn_vm_ls $vm)
        run ovn_nbctl lsp-add $ls $vm-port \
            -- lsp-set-addresses $vm-port "$(vm_mac $vm) $(vm_ip $vm)" \
            -- lsp-set-port-security $vm-port "$(vm_mac $vm) $(vm_ip $vm)"
    done
    # The allowed pairs, both ways, at the sender's switch.
    for pair in $allowed; do
        a=${pair%:*} b=${pair#*:}
        for dir in "$a $b" "$b $a"; do
            set -- $dir
            case $(ovn_vm_ls $1) in
                1) action=allow-stateless ;;
                *) action=allow-related ;;
            esac
            run ovn_nbctl acl-add ls$(ovn_vm_ls $1) from-lport 1001 \
                "inport == \"$1-port\" && ip4.dst == $(vm_ip $2) && (icmp4 || tcp.dst == 5201 || tcp.src == 5201)" \
                $action
        done
    done
    for ls in 1 2; do
        ports=
        for vm in $vms; do
            [ $(ovn_vm_ls $vm) = $ls ] && ports="$ports${ports:+, }\"$vm-port\""
        done
        run ovn_nbctl acl-add ls$ls from-lport 1000 \
            "inport == {$ports} && ip4" drop
    done
}

ovn_make_hv() {                 # ovn_make_hv HV SETUP
    local hv=$1 setup=$2 dir=$lab/$1
    make_underlay $hv $setup
    eval "run vsctl $hv add-br br-int -- set Bridge br-int \
        datapath_type=netdev fail-mode=secure \
        other_config:disable-in-band=true \
        $(vm_port_args $hv $setup br-int) \
        -- set Open_vSwitch . external_ids:system-id=$hv \
        external_ids:ovn-remote=unix:$lab/ovn/sb.sock \
        external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip=$(hv_underlay $hv) \
        external_ids:ovn-bridge=br-int \
        external_ids:ovn-bridge-datapath-type=netdev"
    rm -f "$dir/ovn-controller.log"
    run inns $hv env OVS_RUNDIR=$dir OVN_RUNDIR=$dir OVS_LOGDIR=$dir \
        ovn-controller --detach --no-chdir --pidfile="$dir/ovn-controller.pid" \
        --log-file="$dir/ovn-controller.log" -vconsole:off \
        unix:"$dir/db.sock" 2>>"$dir/start.err"
}

ovn_wait_up() {
    local hv vm
    for hv in $hvs; do
        run ovn_sbctl wait-until Chassis $hv
    done
    for vm in $vms; do
        run ovn_nbctl wait-until Logical_Switch_Port $vm-port up=true
    done
    run ovn_nbctl --wait=hv sync
}

ovn_stop_controllers() {
    local hv pid deadline
    for hv in $hvs; do
        pid=$(cat "$lab/$hv/ovn-controller.pid" 2>/dev/null) || continue
        OVN_RUNDIR=$lab/$hv ovn-appctl -t "$lab/$hv/ovn-controller.$pid.ctl" \
            exit >/dev/null 2>&1
        # Until it has left (its chassis deleted), at most 30 s of wall
        # clock however slow the machine.
        deadline=$(( $(date +%s) + 30 ))
        while kill -0 $pid 2>/dev/null && [ "$(date +%s)" -lt $deadline ]; do
            sleep 0.1
        done
        kill $pid 2>/dev/null
        rm -f "$lab/$hv/ovn-controller.pid"
    done
}

# The engine knows flows by dpif-netdev's megaflow UFID, not dpctl's, so
# each flow's state comes from offload/explain UFID (which resolves
# dpctl's), asked while the flow is there, right after the dump.
ovn_snapshot() {                # ovn_snapshot SETUP
    local setup=$1 hv u dump
    for hv in $hvs; do
        dump=$lab/$setup-$hv-ovn-dump.txt
        appctl $hv dpctl/dump-flows -m > "$dump" 2>&1
        cat "$dump" >> "$lab/$setup-$hv-ovnflows.txt"
        [ $setup = stock ] && continue
        for u in $(sed -n 's/^ufid:\([0-9a-f-]*\),.*/\1/p' "$dump"); do
            echo "$u $(appctl $hv offload/explain --format json $u 2>/dev/null \
                       | tr -d '\n')" >> "$lab/$setup-$hv-explain.txt"
        done
    done
}

# Every datapath flow the set-up's snapshots saw (one per hypervisor and
# UFID, its latest sighting) with its state in the offload engine,
# classified by what it does: encap (tnl_push), decap (tnl_pop),
# conntrack (ct), to the controller (userspace), drop or forward; "after
# recirc" when it matches a recirculation (recirc_id != 0), "from tunnel"
# when its in_port is OVS's tunnel port (decapsulated packets, which no
# NIC port receives).  A flow the engine was never offered is "host" with
# the reason why.
ovn_flow_report() {             # ovn_flow_report SETUP
    local setup=$1 ports= vm hv
    for vm in $vms; do
        if [ $setup = stock ]; then
            ports="$ports $vm=$(vm_dev $vm)"
        else
            ports="$ports $vm=$vm"
        fi
    done
    for hv in $hvs; do
        touch "$lab/$setup-$hv-explain.txt" "$lab/$setup-$hv-ovnflows.txt"
    done
    python3 - "$setup" "$lab" "$hvs" "$ports" <<'PY' > "$lab/$setup-ovn.json" \
        || die "OVN flow report"
import json, os, re, sys
setup, lab, hvs, ports = sys.argv[1], sys.argv[2], sys.argv[3].split(), \
    dict(p.split("=") for p in sys.argv[4].split())
vm_of = {v: k for k, v in ports.items()}
nic_ports = set(ports.values()) | {"pf0"} if setup != "stock" else set()
flows = {}
for hv in hvs:
    eng = {}
    for line in open(os.path.join(lab, "%s-%s-explain.txt" % (setup, hv))):
        u, _, x = line.partition(" ")
        try:
            x = json.loads(x)
        except ValueError:
            continue
        # A later "no such flow" (expired) keeps the state last seen.
        if "state" in x:
            eng[u] = x
    for line in open(os.path.join(lab, "%s-%s-ovnflows.txt" % (setup, hv))):
        m = re.match(r"ufid:(\S+), (.*), actions:(.*)$", line.strip())
        if not m:
            continue
        ufid, match, actions = m.groups()
        actions = actions.split(", dp-extra-info:")[0]
        inp = re.search(r"in_port\(([^)]*)\)", match)
        inp = inp.group(1) if inp else "?"
        rid = re.search(r"recirc_id\((0x[0-9a-f]+|\d+)\)", match)
        rid = int(rid.group(1), 0) if rid else 0
        pk = re.search(r"packets:(\d+)", match)
        if "tnl_pop" in actions:
            kind = "decap (tnl_pop)"
        elif "tnl_push" in actions:
            kind = "encap (tnl_push)"
        elif "ct(" in actions:
            kind = "conntrack (ct)"
        elif "userspace(" in actions:
            kind = "controller (userspace)"
        elif actions == "drop":
            kind = "drop"
        else:
            kind = "forward"
        if rid:
            kind += ", after recirc"
        if "sys_" in inp:
            kind += ", from tunnel"
        e = eng.get(ufid)
        if e:
            state, reason, detail = e["state"], e["reason"], e["detail"]
        elif setup == "stock":
            state, reason, detail = "host", "stock OVS", ""
        elif inp not in nic_ports:
            state, reason, detail = ("host", "not-offered",
                                     "in_port %s is not a NIC port" % inp)
        elif setup == "off":
            state, reason, detail = "host", "not-offered", "offload off"
        else:
            state, reason, detail = ("host", "not-offered",
                                     "not in the engine (expired?)")
        flows[hv, ufid] = {"hypervisor": hv, "ufid": ufid, "kind": kind,
                           "in_port": inp, "vm": vm_of.get(inp),
                           "recirc_id": rid, "state": state,
                           "reason": reason, "detail": detail,
                           "packets": int(pk.group(1)) if pk else 0,
                           "match": match, "actions": actions}
flows = list(flows.values())
by_kind = {}
for f in flows:
    why = f["reason"]
    # The detail names the field, action or port; a recirculation's is
    # its id, which would split the count.
    if f["detail"] and f["reason"] != "recirculation":
        why += ": " + f["detail"]
    why = f["state"] + ("" if f["reason"] == "none" else " (%s)" % why)
    k = by_kind.setdefault(f["kind"], {})
    k[why] = k.get(why, 0) + 1
# The ACL's drops: first-pass or post-conntrack drop flows of a VM's IPv4
# packets (the denied pairs' senders; port security drops their IPv6),
# with what they dropped.
drops = [{"hypervisor": f["hypervisor"], "vm": f["vm"],
          "packets": f["packets"], "state": f["state"]}
         for f in flows if f["kind"].startswith("drop") and f["vm"]
         and "eth_type(0x0800)" in f["match"]]
totals = {}
for f in flows:
    totals[f["state"]] = totals.get(f["state"], 0) + 1
json.dump({"flows": flows, "by_kind": by_kind, "totals": totals,
           "acl_drops": drops},
          sys.stdout, indent=2)
PY
}
