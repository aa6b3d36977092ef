#!/usr/bin/env python3
"""The benchmark's report: reads the one-run results bench.sh collected in a folder, prints the
table, the ratios against the targets and the CPU time per 1,000 operations, and writes the JSON
(bench/results/latest.json).

    python3 bench/report.py RESULTS_DIR OUT_JSON --users N --login-users N --seconds S --warmup S --node-warmup S --elapsed S
"""
import argparse
import datetime
import json
import os

NUMERIC = ("opsPerSec", "p50Ms", "p99Ms", "errors", "requests")

# (name in the table, what it measures)
ROWS = [
    ("hash-ceiling", "Argon2id hashes alone (the login ceiling)"),
    ("login", "POST /api/users/login"),
    ("code-flow", "authorization code + PKCE via the sign-in page"),
    ("peer-login", "OpenIddict password grant"),
    ("pg-write-ceiling", "grain-state writes alone (the rotation ceiling)"),
    ("refresh-rotation-off", "POST /api/users/refresh, rotation off"),
    ("refresh-rotation-on", "POST /api/users/refresh, rotation on"),
    ("peer-refresh", "OpenIddict refresh_token grant (rolling)"),
    ("client-credentials", "POST /oauth/token, client_credentials"),
    ("peer-client-credentials", "OpenIddict client_credentials grant"),
    ("validate-bare", "bare JWT endpoint (the validation ceiling)"),
    ("validate", "GET /api/users/me, access token"),
    ("verify", "GET /api/auth/verify, access token (same node)"),
    ("validate-obs-off", "GET /api/users/me, metrics and tracing off"),
    ("validate-nocheck", "the same, revocation check off"),
    ("validate-app", "GET /api/users/me, application token"),
    ("upstream-direct", "GET /api/stations/1 on the upstream itself"),
    ("proxy-bare", "the same through a bare YARP proxy (the proxy ceiling)"),
    ("proxied", "the same through the gateway, access token"),
]
# The tenants phase (bench.sh --tenants N, 0 skips it): present when tenants.json is.
TENANT_ROWS = [
    ("tenants-refresh", "refresh, rotation off, over all the tenants"),
    ("refresh-one-tenant", "the same on the bench users, interleaved with it"),
    ("tenants-validate", "GET /api/users/me over all the tenants"),
    ("validate-one-tenant", "the same on the bench users, interleaved with it"),
    ("validate-spread", "the same over as many sessions in one tenant"),
]

# With --scale-out 1: one silo and one API node, then two of each (bench.sh's last phase).
SCALE_OUT_ROWS = [
    ("refresh-one-node", "refresh, rotation off: one silo, one API node (before and after)"),
    ("validate-one-node", "GET /api/users/me: one silo, one API node (before and after)"),
    ("refresh-two-nodes", "the same refresh: two silos, two API nodes (two rounds)"),
    ("validate-two-nodes", "the same /me: two silos, two API nodes (two rounds)"),
]


# Rows whose CPU time is read around the measured window (bench.sh --cpu), in the CPU table's order.
CPU_ROWS = ["login", "refresh-rotation-off", "refresh-rotation-on", "validate", "verify", "validate-obs-off",
            "tenants-refresh", "refresh-one-tenant", "tenants-validate", "validate-one-tenant", "validate-spread"]
PROCESSES = ("api", "silo", "postgres")
AVERAGED = ("validate", "verify", "validate-obs-off", "validate-nocheck", "validate-bare", "hash-ceiling", "login", "code-flow",
            "client-credentials", "peer-client-credentials", "proxied", "proxy-bare",
            # The tenants phase's rows and their single-tenant counterparts, interleaved twice; the
            # one-node rows, before the second silo joins and after it has left, and the two-node
            # rows twice between them.
            "tenants-refresh", "refresh-one-tenant", "tenants-validate", "validate-one-tenant",
            "refresh-one-node", "validate-one-node", "refresh-two-nodes", "validate-two-nodes")


def cpu_per_1000(runs):
    """CPU milliseconds per 1,000 successful operations of each process, over all the runs of a row."""
    ok = sum(r["requests"] - r["errors"] for r in runs)
    if ok <= 0 or not all("cpuMs" in r for r in runs):
        return None
    names = [n for n in runs[0]["cpuMs"] if all(n in r["cpuMs"] for r in runs)]
    return {n: round(sum(r["cpuMs"][n] for r in runs) / ok * 1000, 1) for n in names}


def load(folder, name):
    with open(os.path.join(folder, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def mean_of_rounds(folder, name):
    """Scenarios run in rounds (name-1, name-2, ...), interleaved with what they are compared to: their mean."""
    rounds = []
    while os.path.exists(os.path.join(folder, f"{name}-{len(rounds) + 1}.json")):
        rounds.append(load(folder, f"{name}-{len(rounds) + 1}"))
    if not rounds:
        raise FileNotFoundError(f"{name}-1.json")
    merged = dict(rounds[0])
    for key in NUMERIC:
        merged[key] = round(sum(r[key] for r in rounds) / len(rounds), 3)
    merged["rounds"] = [{k: r[k] for k in NUMERIC + ("cpuMs",) if k in r} for r in rounds]
    merged["scenario"] = name
    merged.pop("cpuMs", None)
    per = cpu_per_1000(rounds)
    if per is not None:
        merged["cpuMsPer1000"] = per
    return merged


def read_grains(path):
    """`admin grains` output: {silo: {grain type: activations}} (the per-silo total line left out)."""
    silos = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            silo, grain, count = line.rstrip("\n").split("\t")
            silos.setdefault(silo, {})
            if grain != "total":
                silos[silo][grain] = int(count)
    return silos


def grain_spread(folder):
    """Activations each silo gained during the two-node rows, and the user grains among them."""
    before, after = read_grains(os.path.join(folder, "grains-before.tsv")), read_grains(os.path.join(folder, "grains-after.tsv"))
    added = {silo: {t: n - before.get(silo, {}).get(t, 0) for t, n in types.items()} for silo, types in after.items()}
    return {"before": before, "after": after, "added": added,
            "newUserGrains": {silo: types.get("UserGrain", 0) for silo, types in added.items()}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("out")
    for option in ("--users", "--login-users", "--seconds", "--warmup", "--node-warmup", "--scale-out", "--elapsed"):
        parser.add_argument(option, type=int, required=True)
    a = parser.parse_args()

    tenants = load(a.folder, "tenants") if os.path.exists(os.path.join(a.folder, "tenants.json")) else None
    rows = ROWS + (TENANT_ROWS if tenants else []) + (SCALE_OUT_ROWS if a.scale_out else [])
    s = {}
    for name, _ in rows:
        if name in AVERAGED:
            s[name] = mean_of_rounds(a.folder, name)
        else:
            s[name] = load(a.folder, name)
            per = cpu_per_1000([s[name]]) if "cpuMs" in s[name] else None
            if per is not None:
                s[name]["cpuMsPer1000"] = per
    state = load(a.folder, "memory-state")
    active = load(a.folder, "memory-active")

    def ops(n):
        return s[n]["opsPerSec"]

    bytes_per_user = state["userRowBytes"] + state["nameRowBytes"] + state["directoryRowBytes"]
    comparisons = [
        # name, value, target, met
        ("login / hash-ceiling", ops("login") / ops("hash-ceiling"), ">= 0.85 (and 0 errors)",
         ops("login") / ops("hash-ceiling") >= 0.85 and s["login"]["errors"] == 0),
        # One Argon2id hash each; code-flow's other work (three more requests, the page, the code
        # written and spent, an oidc session, an RS256 ID token) must stay under a third of a login.
        ("code-flow / login", ops("code-flow") / ops("login"), ">= 0.75 (and 0 errors)",
         ops("code-flow") / ops("login") >= 0.75 and s["code-flow"]["errors"] == 0),
        ("refresh rotation off, ops/s", ops("refresh-rotation-off"), ">= 10000", ops("refresh-rotation-off") >= 10000),
        ("refresh rotation on / pg-write-ceiling", ops("refresh-rotation-on") / ops("pg-write-ceiling"), ">= 0.6",
         ops("refresh-rotation-on") / ops("pg-write-ceiling") >= 0.6),
        ("refresh rotation off / peer-refresh", ops("refresh-rotation-off") / ops("peer-refresh"), ">= 5, lower p99",
         ops("refresh-rotation-off") / ops("peer-refresh") >= 5 and s["refresh-rotation-off"]["p99Ms"] < s["peer-refresh"]["p99Ms"]),
        ("refresh rotation on / peer-refresh", ops("refresh-rotation-on") / ops("peer-refresh"), ">= 5, lower p99",
         ops("refresh-rotation-on") / ops("peer-refresh") >= 5 and s["refresh-rotation-on"]["p99Ms"] < s["peer-refresh"]["p99Ms"]),
        ("client-credentials, tokens/s", ops("client-credentials"), ">= 10000 (and 0 errors)",
         ops("client-credentials") >= 10000 and s["client-credentials"]["errors"] == 0),
        ("client-credentials / peer-client-credentials", ops("client-credentials") / ops("peer-client-credentials"), ">= 5",
         ops("client-credentials") / ops("peer-client-credentials") >= 5),
        ("validate / validate-nocheck", ops("validate") / ops("validate-nocheck"), ">= 0.9", ops("validate") / ops("validate-nocheck") >= 0.9),
        ("validate / validate-bare", ops("validate") / ops("validate-bare"), ">= 0.6", ops("validate") / ops("validate-bare") >= 0.6),
        ("verify / validate-bare", ops("verify") / ops("validate-bare"), ">= 0.8", ops("verify") / ops("validate-bare") >= 0.8),
        # Metrics and tracing on (the defaults) against off, the same node configuration otherwise.
        ("validate / validate-obs-off", ops("validate") / ops("validate-obs-off"), ">= 0.95",
         ops("validate") / ops("validate-obs-off") >= 0.95),
        ("proxied / proxy-bare", ops("proxied") / ops("proxy-bare"), ">= 0.8 (and 0 errors)",
         ops("proxied") / ops("proxy-bare") >= 0.8 and s["proxied"]["errors"] == 0),
        ("proxy-bare / upstream-direct", ops("proxy-bare") / ops("upstream-direct"), "(for information)", None),
        ("login / peer-login", ops("login") / ops("peer-login"), "(for information)", None),
        ("stored bytes per user, 10 sessions", bytes_per_user, "<= 4096", bytes_per_user <= 4096),
    ]
    if tenants:
        # Memory per idle tenant: live managed bytes after a full collection, after the tenants were
        # created and each resolved once, less before, per tenant (RSS beside, for information).
        n = tenants["tenants"]
        per_tenant = lambda pair: round((pair[1] - pair[0]) / n) if None not in pair else None  # noqa: E731 (null: gcdump failed)
        tenants["siloBytesPerTenant"] = per_tenant(tenants["siloHeap"])
        tenants["apiBytesPerTenant"] = per_tenant(tenants["apiHeap"])
        tenants["siloRssBytesPerTenant"] = round((tenants["siloRssKib"][1] - tenants["siloRssKib"][0]) * 1024 / n)
        tenants["apiRssBytesPerTenant"] = round((tenants["apiRssKib"][1] - tenants["apiRssKib"][0]) * 1024 / n)
        # Against the same load on one tenant's bench users, interleaved with them on the same nodes
        # (the single-tenant figures of the run); against the rows of the same name measured earlier
        # in the run, for information.
        comparisons += [
            ("tenants-refresh / refresh-one-tenant", ops("tenants-refresh") / ops("refresh-one-tenant"), ">= 0.8 (and 0 errors)",
             ops("tenants-refresh") / ops("refresh-one-tenant") >= 0.8 and s["tenants-refresh"]["errors"] == 0),
            ("tenants-validate / validate-one-tenant", ops("tenants-validate") / ops("validate-one-tenant"), ">= 0.8 (and 0 errors)",
             ops("tenants-validate") / ops("validate-one-tenant") >= 0.8 and s["tenants-validate"]["errors"] == 0),
            ("tenants-refresh / refresh-rotation-off", ops("tenants-refresh") / ops("refresh-rotation-off"), "(for information)", None),
            ("tenants-validate / validate", ops("tenants-validate") / ops("validate"), "(for information)", None),
            # The two dimensions apart: as many sessions in one tenant as the tenants row spreads
            # over all the tenants (the same node, the same virtual users, one session each).
            ("validate-spread / validate-one-tenant (sessions alone)", ops("validate-spread") / ops("validate-one-tenant"), "(for information)", None),
            ("tenants-validate / validate-spread (tenants alone)", ops("tenants-validate") / ops("validate-spread"), "(for information)", None),
        ]
        comparisons += [(name, value, "(for information)", None) for name, value in (
            ("silo bytes per idle tenant (heap)", tenants["siloBytesPerTenant"]),
            ("API node bytes per idle tenant (heap)", tenants["apiBytesPerTenant"])) if value is not None]
    grains = None
    if a.scale_out:
        grains = grain_spread(a.folder)
        for kind in ("refresh", "validate"):
            two, one = ops(f"{kind}-two-nodes"), ops(f"{kind}-one-node")
            comparisons.append((f"{kind}: two silos and API nodes / one", two / one, ">= 0.8 (and 0 errors)",
                                two / one >= 0.8 and s[f"{kind}-two-nodes"]["errors"] == 0))
        # The silo that joined: the one that held the fewest activations when it had joined (next to
        # nothing: a grain placed as it joined, such as the tenant catalog's after its idle
        # collection, counts); the rows' users were half active before it did.
        joined = min(grains["after"], key=lambda silo: sum(grains["before"].get(silo, {}).values()))
        share = grains["newUserGrains"][joined] / a.users
        comparisons.append(("two-node rows' user grains on the silo that joined", share, "(for information)", None))
    if active["activeUsers"] > 0:
        rss_mib = active["siloRssKib"] / 1024
        comparisons.append((f"silo working set MiB, {active['activeUsers']:,} users active", rss_mib, "<= 1536", rss_mib <= 1536))

    # CPU per 1,000 operations: the API node that served the row, the silo, PostgreSQL (its whole
    # process tree); login also without its Argon2id hash (the hash ceiling's CPU per hash, which
    # the silo spends in a login).
    cpu = {}
    for name in CPU_ROWS:
        per = s[name].get("cpuMsPer1000") if name in s else None
        if per and all(p in per for p in PROCESSES):
            cpu[name] = dict(per, total=round(sum(per[p] for p in PROCESSES), 1))
    # The hash as the silo runs it (one per core at once), measured alone; the hash ceiling's own
    # figure (32 workers) for information.
    hash_cpu = load(a.folder, "hash-cpu")
    hash_per = (cpu_per_1000([hash_cpu]) or {}).get("hash")
    if "login" in cpu and hash_per is not None:
        login = cpu["login"]
        cpu["hash"] = {"hash": hash_per, "threads": hash_cpu["users"], "hashesPerSec": hash_cpu["opsPerSec"],
                       "ceilingHash": s["hash-ceiling"].get("cpuMsPer1000", {}).get("hash"), "ceilingThreads": a.login_users}
        # The silo's share besides the hash is small beside the hash's own spread between runs: when
        # the difference comes out below zero it is noise, reported as such (null), never negative.
        silo_rest = round(login["silo"] - hash_per, 1)
        excluded = {"api": login["api"], "silo": silo_rest if silo_rest >= 0 else None, "postgres": login["postgres"]}
        excluded["total"] = round(sum(excluded[p] or 0 for p in PROCESSES), 1)
        cpu["login-hash-excluded"] = excluded

    users = {"hash-ceiling": a.login_users, "login": a.login_users, "code-flow": a.login_users, "peer-login": a.login_users}
    print()
    print(f"ItemPath on Orleans, one run on this machine ({os.cpu_count()} cores, everything co-located); "
          f"{a.seconds} s measured after {a.warmup} s warm-up per scenario ({a.node_warmup} s for the first round of login and code-flow and each validation and "
          f"gateway node's first row)")
    print(f"{'scenario':24} {'users':>5} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}   what")
    for name, what in rows:
        x = s[name]
        print(f"{name:24} {users.get(name, a.users):5d} {x['opsPerSec']:9.1f} {x['p50Ms']:8.2f} {x['p99Ms']:8.2f} {int(x['errors']):6d}   {what}")
    print()
    print(f"{'comparison':56} {'value':>10}   {'target':24} met")
    for name, value, target, met in comparisons:
        shown = f"{value:10.2f}" if value < 100 else f"{value:10.0f}"
        print(f"{name:56} {shown}   {target:24} {'-' if met is None else ('yes' if met else 'NO')}")
    if cpu:
        print()
        print("CPU ms per 1,000 successful operations, read just before and after each measured window "
              "(the API node that served the row, the silo, PostgreSQL's processes)")
        print(f"{'row':24} {'api':>8} {'silo':>8} {'postgres':>8} {'total':>8}   cores per 1,000 ops/s")
        for name in CPU_ROWS + ["login-hash-excluded"]:
            if name in cpu:
                c = cpu[name]
                silo = f"{c['silo']:8.1f}" if c["silo"] is not None else f"{'noise':>8}"
                print(f"{name:24} {c['api']:8.1f} {silo} {c['postgres']:8.1f} {c['total']:8.1f}   {c['total'] / 1000:.3f}")
        if "hash" in cpu:
            h = cpu["hash"]
            print(f"(one Argon2id hash: {h['hash'] / 1000:.1f} ms of CPU with {h['threads']} workers, as the silo runs them, "
                  f"{h['hashesPerSec']:.1f} hashes/s; {(h['ceilingHash'] or 0) / 1000:.1f} ms in the hash ceiling's {h['ceilingThreads']}; "
                  f"login-hash-excluded is login with the first taken from the silo's share)")
    if grains is not None:
        print()
        print("scale-out: CPU ms per 1,000 successful operations of each process (two API nodes, two silos, PostgreSQL)")
        for name, _ in SCALE_OUT_ROWS:
            per = s[name].get("cpuMsPer1000") or {}
            print(f"{name:24} " + "  ".join(f"{k} {v:.1f}" for k, v in per.items()) + f"   total {sum(per.values()):.1f}")
        print("where the grains are: activations on each silo when the second joined, and added during the two-node rows:")
        for silo, types in grains["after"].items():
            before = grains["before"].get(silo, {})
            print(f"  {silo}: " + ", ".join(f"{t} {before.get(t, 0)}+{grains['added'][silo].get(t, 0)}"
                                            for t in sorted(types) if types[t]))
    print()
    print(f"stored state of one user with 10 sessions: user grain {state['userStateBytes']:.0f} B of state "
          f"({state['userRowBytes']:.0f} B row) + username grain row {state['nameRowBytes']:.0f} B + directory row "
          f"{state['directoryRowBytes']:.0f} B = {bytes_per_user:.0f} B")
    if active["activeUsers"] > 0:
        print(f"silo working set: {active['siloIdleKib'] / 1024:.0f} MiB before, {active['siloRssKib'] / 1024:.0f} MiB "
              f"(peak {active['siloPeakKib'] / 1024:.0f}) with {active['activeUsers']:,} users active, one session each "
              f"(seeded in {active['seedSeconds']} s)")
    if tenants:
        ts, us = tenants["tenantSeed"], tenants["userSeed"]
        print(f"{n:,} tenants with {tenants['usersPerTenant']} users each: tenants and their admins created in {ts['tenantSeconds']:.0f} s "
              f"(bulk path), {us['usersCreated']:,} more users and {us['sessions']:,} sessions in {us['seconds'] - us['tenantSeconds']:.0f} s; "
              f"the whole phase {tenants['phaseSeconds']} s")
        if "stored" in tenants:
            st = tenants["stored"]
            print(f"stored per tenant: tenant grain row {st['tenantRowBytes']:.0f} B; the catalog's one row {st['catalogRowBytes']:,} B for all "
                  f"{n:,}; a user row of these tenants {st['userRowBytes']:.0f} B (one session at most); {st['rows']:,} rows for the phase's tenants")
        if "list" in tenants:
            li = tenants["list"]
            print(f"the tenant list (GET /api/tenants, 20 a page, as the console reads it) at {li['tenants']:,} tenants: "
                  f"first page {li['firstPageMs']} ms, last page {li['lastPageMs']} ms (median of 30)")
        print(f"memory per idle tenant (created, resolved once): silo {tenants['siloBytesPerTenant']} B, API node "
              f"{tenants['apiBytesPerTenant']} B of managed heap after a full collection "
              f"(RSS: {tenants['siloRssBytesPerTenant']:,} B and {tenants['apiRssBytesPerTenant']:,} B)")
    print(f"whole run: {a.elapsed} s")

    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cores": os.cpu_count()},
        "settings": {"users": a.users, "loginUsers": a.login_users, "seconds": a.seconds, "warmup": a.warmup,
                     "nodeWarmup": a.node_warmup},
        "elapsedSeconds": a.elapsed,
        "scenarios": s,
        "cpuMsPer1000Ops": cpu,
        "comparisons": [{"name": n, "value": round(v, 3), "target": t, "met": m} for n, v, t, m in comparisons],
        "memory": {"state": state, "bytesPerUser": bytes_per_user, "active": active},
        "tenants": tenants,
    }
    if grains is not None:
        result["scaleOut"] = {"grains": grains}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"written: {a.out}")


if __name__ == "__main__":
    main()
