#! /usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the text and the JSON of one ovs-appctl command carry the
same fields with the same values.

  unixctl-fields.py COMMAND TEXT-FILE JSON-FILE

COMMAND is nicsim/show, nicsim/dump-rules, nicsim/dump-filters,
offload/show, offload/flows or offload/verify.  Each file is parsed into
the same normalized tree (the text by a parser of its lines, the JSON by
picking its members), and the two trees are compared: a field in one and
not in the other, or a different value, is printed and the exit status is
1.  Text leaves out what is zero where the man page says so (reasons,
per-reason counts, rx errors, injected failures); the JSON's zeros are
left out the same way before comparing.  Fields that change between two
reads of a live daemon (CPU time, rates, rounds, table-full answers,
status updates) are compared by presence only, and offload/verify, whose
two runs sample different packets, by presence only.
"""
import json
import re
import sys

ANY = object()                  # Present, value not compared.


def nonzero(d):
    return {k: v for k, v in d.items() if v}


def parse_error(line):
    raise SystemExit("unixctl-fields.py: cannot parse text line: %r" % line)


# nicsim/show.

DMA_FIELDS = ("posted", "completed", "taken", "pending", "ring_full",
              "flushed", "polls", "forced_polls", "empty_polls",
              "pressure_polls", "completions", "delay_p50_us",
              "delay_p99_us", "delay_max_us")

def nicsim_show_json(nics):
    out = {}
    for nic in nics:
        n = {
            "uplinks": nic["uplinks"], "vfs": nic["vfs"],
            "resets": nic["resets"],
            "tables": {t: (v["rules"], v["capacity"])
                       for t, v in nic["tables"].items()},
            "engines": [(e["packets"], e["batches"], ANY)
                        for e in nic["engines"]],
            "ports": {},
        }
        t = nic.get("tokens")
        if t and (t["underlay"] or t["keys"] or any(t["results"].values())):
            n["tokens"] = {
                "underlay": t["underlay"] or "off",
                "keys": [(k["id"], k["not_after"]) for k in t["keys"]],
                "results": nonzero(t["results"]),
            }
        if nic["injected_insert_failures"] or nic["pending_insert_failures"]:
            n["insert_failures"] = (nic["injected_insert_failures"],
                                    nic["pending_insert_failures"])
        if nic["encap_rules_refused"] or nic["encap_rules_removed"]:
            n["encap_rules"] = (nic["encap_rules_refused"],
                                nic["encap_rules_removed"])
        for p in nic["ports"]:
            q = [(x["packets"], x["drops"], x["depth"],
                  tuple(x["dma"][k] for k in DMA_FIELDS))
                 for x in p["rx_queues"]]
            n["ports"][p["port"]] = {
                "attached": p["attached"], "medium": p["medium"],
                "n_rxq": len(q), "link": p["link"],
                "rx": (p["rx_packets"], p["rx_bytes"], p["forwarded"],
                       sum(p["to_host"].values()),
                       sum(p["dropped"].values())),
                "to_host": nonzero(p["to_host"]),
                "dropped": nonzero(p["dropped"]),
                "rx_errors": p["rx_errors"],
                "tx": (p["tx_packets"], p["tx_bytes"], p["tx_errors"],
                       p["host_tx_packets"]),
                "rx_queues": q,
            }
            if "dma_tx" in p:
                n["ports"][p["port"]]["dma_tx"] = tuple(
                    p["dma_tx"][k] for k in DMA_FIELDS)
        out[nic["name"]] = n
    return out


def counts(s):
    return {k: int(v) for k, v in re.findall(r"(\S+)=(\d+)", s)}


def nicsim_show_text(text):
    out = {}
    nic = port = None
    for line in text.splitlines():
        m = re.match(r"(\S+): (\d+) uplinks, (\d+) VFs, (\d+) resets$", line)
        if m:
            nic = {"uplinks": int(m[2]), "vfs": int(m[3]),
                   "resets": int(m[4]), "tables": {}, "engines": [],
                   "ports": {}}
            out[m[1]] = nic
            continue
        m = re.match(r"  (\S+) table: (\d+)/(\d+) rules$", line)
        if m:
            nic["tables"][m[1]] = (int(m[2]), int(m[3]))
            continue
        m = re.match(r"  injected insert failures: (\d+) done, (\d+) "
                     r"pending$", line)
        if m:
            nic["insert_failures"] = (int(m[1]), int(m[2]))
            continue
        m = re.match(r"  encap rules against the mappings: (\d+) refused, "
                     r"(\d+) removed by mapping changes$", line)
        if m:
            nic["encap_rules"] = (int(m[1]), int(m[2]))
            continue
        m = re.match(r"  tokens: underlay (.*)$", line)
        if m:
            nic["tokens"] = {"underlay": m[1], "keys": [], "results": {}}
            continue
        m = re.match(r"  token key (\d+): (?:not after (\d+)|no limit)$",
                     line)
        if m:
            nic["tokens"]["keys"].append((int(m[1]), int(m[2] or 0)))
            continue
        m = re.match(r"  token results: (.*)$", line)
        if m:
            nic["tokens"]["results"] = counts(m[1])
            continue
        m = re.match(r"  engine (\d+): (\d+) packets in (\d+) batches, "
                     r"cpu [0-9.]+ s$", line)
        if m:
            nic["engines"].append((int(m[2]), int(m[3]), ANY))
            continue
        m = re.match(r"  port (\S+): (attached|detached), "
                     r"(?:medium (.*)|no medium), (\d+) rxq, link (up|down)$",
                     line)
        if m:
            port = {"attached": m[2] == "attached", "medium": m[3],
                    "n_rxq": int(m[4]), "link": m[5], "to_host": {},
                    "dropped": {}, "rx_errors": 0, "rx_queues": []}
            nic["ports"][m[1]] = port
            continue
        m = re.match(r"    rx: (\d+) packets, (\d+) bytes = forwarded (\d+) "
                     r"\+ to host (\d+) \+ dropped (\d+)$", line)
        if m:
            port["rx"] = tuple(int(x) for x in m.groups())
            continue
        m = re.match(r"    (to host|dropped): (.*)$", line)
        if m:
            port["to_host" if m[1] == "to host" else "dropped"] = counts(m[2])
            continue
        m = re.match(r"    rx errors: (\d+) \(medium\)$", line)
        if m:
            port["rx_errors"] = int(m[1])
            continue
        m = re.match(r"    tx: (\d+) packets, (\d+) bytes, (\d+) errors "
                     r"\((\d+) from the host\)$", line)
        if m:
            port["tx"] = tuple(int(x) for x in m.groups())
            continue
        m = re.match(r"    rxq (\d+): (\d+) packets, (\d+) drops, depth "
                     r"(\d+)$", line)
        if m:
            port["rx_queues"].append([int(m[2]), int(m[3]), int(m[4])])
            continue
        m = re.match(r"( +)(dma|dma tx): posted (\d+), completed (\d+), "
                     r"taken (\d+), pending (\d+), ring full (\d+), "
                     r"flushed (\d+)$", line)
        if m:
            dma = [int(x) for x in m.groups()[2:]]
            if m[2] == "dma" and len(m[1]) == 6:
                port["rx_queues"][-1].append(dma)
            elif m[2] == "dma tx" and len(m[1]) == 4:
                port["dma_tx"] = dma
            else:
                parse_error(line)
            continue
        m = re.match(r"( +)(dma|dma tx) polls: (\d+) \(forced (\d+), "
                     r"empty (\d+), for room (\d+)\), completions (\d+), "
                     r"delay p50 (\d+) us, p99 (\d+) us, max (\d+) us$",
                     line)
        if m:
            polls = [int(x) for x in m.groups()[2:]]
            if m[2] == "dma" and len(m[1]) == 6:
                q = port["rx_queues"][-1]
                q[3] = tuple(q[3] + polls)
                port["rx_queues"][-1] = tuple(q)
            elif m[2] == "dma tx" and "dma_tx" in port:
                port["dma_tx"] = tuple(port["dma_tx"] + polls)
            else:
                parse_error(line)
            continue
        parse_error(line)
    return out


# nicsim/dump-rules and dump-filters.

def rules_json(rules):
    return {r["id"]: (r["table"], r["priority"], r["n_packets"],
                      r["n_bytes"], r["match"], r["actions"])
            for r in rules}


def rules_text(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"id=(\d+), table=(\S+), priority=(\d+), "
                     r"n_packets=(\d+), n_bytes=(\d+), (.*) actions=(.*)$",
                     line)
        if not m:
            parse_error(line)
        out[int(m[1])] = (m[2], int(m[3]), int(m[4]), int(m[5]), m[6], m[7])
    return out


def filters_json(filters):
    return {(f["port"], f["id"]): (f["priority"], f["match"], f["queue"])
            for f in filters}


def filters_text(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"port=(\S+), id=(\d+), priority=(\d+), (.*) "
                     r"queue=(\d+)$", line)
        if not m:
            parse_error(line)
        out[(m[1], int(m[2]))] = (int(m[3]), m[4], int(m[5]))
    return out


# offload/show.

def offload_show_json(j):
    r = j["rules"]
    lat = j["latency"]
    out = {
        "config": (j["enabled"], j["policy"], round(j["min_pps"]),
                   "%.2f" % j["hysteresis"]),
        "flows": j["flows"],
        "states": j["states"],
        "reasons": nonzero(j["reasons"]),
        "nics": {name: (n["rules"], n["capacity"], n["exact_capacity"],
                        n["wildcard_capacity"], n["full"])
                 for name, n in j["nics"].items()},
        "rules": (r["inserted"], r["modified"], r["deleted"], r["evicted"],
                  r["lost"]),
        # The rebalancer retries waiting flows every round: ENOSPC counts
        # grow while a table is full.
        "failures": (r["insert_failures"], ANY),
        "unsupported": r["unsupported"],
        "encap_refused": r["encap_refused"],
        "rates": ANY,
        "rounds": ANY,
        "latency": ((lat["n"], lat["avg_us"], lat["p50_us"], lat["p99_us"],
                     lat["max_us"]) if lat["n"] else (0,)),
        "interval": j["rebalance_interval_ms"],
        "config_errors": j["config_errors"],
        "database": (j["database"], ANY),
    }
    if "datapath_queue_latency" in j:
        out["dp_latency"] = (ANY, j["datapath_queue_latency"]["measures"])
    return out


def offload_show_text(text):
    out = {"states": {}, "reasons": {}, "nics": {}, "config_errors": []}
    lines = text.splitlines()
    section = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"hw-offload: (on|off), policy: (\S+), min-pps: (\d+), "
                     r"hysteresis: ([0-9.]+)$", line)
        if m:
            out["config"] = (m[1] == "on", m[2], int(m[3]), m[4])
            continue
        m = re.match(r"flows: (\d+)$", line)
        if m:
            out["flows"] = int(m[1])
            section = "states"
            continue
        if line == "not fully offloaded, by reason:":
            section = "reasons"
            continue
        if line == "nics:":
            section = "nics"
            continue
        m = re.match(r"  (\S+) +(\d+)$", line)
        if m and section in ("states", "reasons"):
            out[section][m[1]] = int(m[2])
            continue
        m = re.match(r"  (\S+): (\d+) rules of (\d+) \(exact (\d+) \+ "
                     r"wildcard (\d+)\)(, table full)?$", line)
        if m and section == "nics":
            out["nics"][m[1]] = (int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                                 bool(m[6]))
            continue
        section = None
        m = re.match(r"rules: (\d+) inserted, (\d+) modified, (\d+) deleted, "
                     r"(\d+) evicted, (\d+) lost by the NIC$", line)
        if m:
            out["rules"] = tuple(int(x) for x in m.groups())
            continue
        m = re.match(r"insertion failures: (\d+) \(table full: (\d+)\)$",
                     line)
        if m:
            out["failures"] = (int(m[1]), ANY)
            continue
        m = re.match(r"refused as beyond the NIC: (\d+)$", line)
        if m:
            out["unsupported"] = int(m[1])
            continue
        m = re.match(r"refused by the NIC's encapsulation mappings: (\d+)$",
                     line)
        if m:
            out["encap_refused"] = int(m[1])
            continue
        if re.match(r"rates: [0-9.]+ insertions/s, [0-9.]+ deletions/s$",
                    line):
            out["rates"] = ANY
            continue
        if re.match(r"rebalance rounds: \d+$", line):
            out["rounds"] = ANY
            continue
        m = re.match(r"latency, provider called to rule in NIC \(first "
                     r"insertions\): n=(\d+)(?: avg=(\d+)us p50<=(\d+)us "
                     r"p99<=(\d+)us max=(\d+)us)?$", line)
        if m:
            out["latency"] = tuple(int(x) for x in m.groups() if x)
            continue
        if re.match(r"latency, dpif-netdev's offload queue \(as "
                    r"dpctl/offload-stats-show\): avg=\d+us recent "
                    r"avg=\d+us$", line):
            m = re.match(r"  \((.*)\)$", lines[i])
            if not m:
                parse_error(lines[i])
            i += 1
            out["dp_latency"] = (ANY, m[1])
            continue
        m = re.match(r"rebalance interval: (\d+) ms$", line)
        if m:
            out["interval"] = int(m[1])
            continue
        m = re.match(r"Offload database: (.*), \d+ status updates$", line)
        if m:
            out["database"] = (m[1], ANY)
            continue
        m = re.match(r"config error: (.*)$", line)
        if m:
            out["config_errors"].append(m[1])
            continue
        parse_error(line)
    return out


# offload/flows.

def flows_json(flows):
    out = {}
    for f in flows:
        reason = f["reason"] if f["reason"] != "none" else None
        out[f["ufid"]] = (f["state"], reason,
                          f["detail"] if reason else None, f["in_port"],
                          f["nic_port"], f["kind"], f.get("rule"),
                          f["queue"], f["hw_packets"], f["hw_bytes"], ANY,
                          f["match"], f["actions"])
    return out


def flows_text(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"ufid:(\S+) (\S+)(?: reason=([^ (]+)(?:\((.*)\))?)? "
                     r"in_port=(\d+) nic=(\S+) kind=(\S+)(?: rule=(\d+))? "
                     r"queue=(\S+) hw_packets:(\d+) hw_bytes:(\d+) "
                     r"pps:\d+ match:(.*) actions:(.*)$", line)
        if not m:
            parse_error(line)
        reason = m[3]
        out[m[1]] = (m[2], reason, (m[4] or "") if reason else None,
                     int(m[5]), m[6], m[7],
                     int(m[8]) if m[8] else None, m[9], int(m[10]),
                     int(m[11]), ANY, m[12], m[13])
    return out


# offload/verify.

def verify_json(j):
    out = {k: ANY for k in j if k not in ("examples", "error")}
    out["examples"] = ANY
    return out


def verify_text(text):
    out = {"examples": ANY}
    for line in text.splitlines():
        m = re.match(r"samples: \d+ \(flow gone meanwhile or not the "
                     r"engine's rule: \d+\)$", line)
        if m:
            out["samples"] = out["flow_gone"] = ANY
            continue
        m = re.match(r"(compared|differences|verdict): \S+$", line)
        if m:
            out[m[1]] = ANY
            continue
        m = re.match(r"  (\S+) +\d+$", line)
        if m:
            out[m[1]] = ANY
            continue
        # Anything else is an example.
    return out


COMMANDS = {
    "nicsim/show": (nicsim_show_text, nicsim_show_json),
    "nicsim/dump-rules": (rules_text, rules_json),
    "nicsim/dump-filters": (filters_text, filters_json),
    "offload/show": (offload_show_text, offload_show_json),
    "offload/flows": (flows_text, flows_json),
    "offload/verify": (verify_text, verify_json),
}


def compare(path, t, j, problems):
    if t is ANY or j is ANY:
        return
    if isinstance(t, dict) and isinstance(j, dict):
        for k in sorted(set(t) | set(j), key=str):
            if k not in t:
                problems.append("%s%s: only in JSON" % (path, k))
            elif k not in j:
                problems.append("%s%s: only in text" % (path, k))
            else:
                compare("%s%s." % (path, k), t[k], j[k], problems)
    elif isinstance(t, (tuple, list)) and isinstance(j, (tuple, list)):
        if len(t) != len(j):
            problems.append("%s: %d in text, %d in JSON"
                            % (path.rstrip("."), len(t), len(j)))
        for i, (a, b) in enumerate(zip(t, j)):
            compare("%s%d." % (path, i), a, b, problems)
    elif t != j:
        problems.append("%s: %r in text, %r in JSON"
                        % (path.rstrip("."), t, j))


def main(argv):
    if len(argv) != 4 or argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    parse_text, parse_json = COMMANDS[argv[1]]
    with open(argv[2]) as f:
        t = parse_text(f.read())
    with open(argv[3]) as f:
        j = parse_json(json.load(f))
    problems = []
    compare("", t, j, problems)
    for p in problems:
        print(p)
    if not t and not j:
        # Nothing compared is not a pass.
        print("nothing to compare")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
