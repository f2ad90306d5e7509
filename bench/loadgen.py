#!/usr/bin/env python3
"""Load generator of bench/load.sh (standard library only).

  loadgen.py signin --base URL --demo demo.json --bin myna-portal --out sessions.json [--pool N]
      Signs in N pool residents and the staff (caseworker1/2, supervisor1/2; password + TOTP,
      one sign-in per account, so a code is never used twice) and reads each resident's item ids
      from わたしの情報.
  loadgen.py rate --base URL --sessions sessions.json --scenario S --rate R --duration D
      Open loop at a fixed rate: request i is due at t0 + i/R whatever happened before it, and its
      latency is counted from that due time, so a slow response cannot hide the requests queued
      behind it (no coordinated omission). Prints one JSON object.
  loadgen.py targets --sessions sessions.json --scenario S --out FILE
      Writes the cookie/path rotation for the wrk saturation run (bench/rotate.lua).

  loadgen.py staff --base URL --sessions sessions.json --bin B --username U --password P --secret S --role R
      Signs one more staff account in and adds its cookie to the sessions under R.

Scenarios: baseline (GET /help anonymous: a rendered Leptos page with no database work), me
(わたしの情報), reports (報告の状況), submit (POST /reports: one item each, never one already
reported in this run; success is only the 303 to /reports/REF, a refusal counts as an error),
queue (the queue of a caseworker of the institution with the most reports, /staff), queue_all (a supervisor's queue: every report) and case
(/staff/cases/REF of a report filed by the submit scenario, opened by a supervisor).
Sessions rotate round-robin over the pool; every request carries browser-like headers
(Accept: text/html, Accept-Encoding: gzip, deflate, br) so the server does what it does for a
browser, compression included.
"""

import argparse
import asyncio
import json
import math
import re
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
import http.client

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ENCODING = "gzip, deflate, br"


def host_port(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port or 80


def post_form(base, path, fields, cookie=None):
    host, port = host_port(base)
    c = http.client.HTTPConnection(host, port, timeout=30)
    body = urllib.parse.urlencode(fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{host}:{port}",
        "Host": f"{host}:{port}",
        "Sec-Fetch-Site": "same-origin",
    }
    if cookie:
        headers["Cookie"] = cookie
    c.request("POST", path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    out = r.status, r.getheader("Location", ""), r.getheaders()
    c.close()
    return out


def get(base, path, cookie=None):
    host, port = host_port(base)
    c = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Accept": ACCEPT}
    if cookie:
        headers["Cookie"] = cookie
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, body


def cookie_of(headers, name):
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0]
    return None


def signin(args):
    demo = json.load(open(args.demo))
    pool = demo.get("pool", [])[: args.pool]
    if len(pool) < args.pool:
        sys.exit(f"the seed made {len(pool)} pool accounts, {args.pool} wanted (seed --accounts)")

    def resident(p):
        status, loc, headers = post_form(
            args.base, "/auth/login", {"my_number": p["my_number"], "password": p["password"]}
        )
        cookie = cookie_of(headers, "session")
        if status != 303 or loc != "/me" or not cookie:
            raise SystemExit(f"resident sign-in refused: {status} {loc}")
        st, body = get(args.base, "/me", cookie)
        if st != 200:
            raise SystemExit(f"/me answered {st} after sign-in")
        items = sorted({int(i) for i in re.findall(r"/me/report\?item=(\d+)", body)})
        return {"resident_id": p["resident_id"], "cookie": cookie, "items": items}

    started = time.time()
    with ThreadPoolExecutor(4) as ex:
        residents = list(ex.map(resident, pool))
    staff = {}
    for s in demo["staff"]:
        if s["username"] not in ("caseworker1", "caseworker2", "supervisor1", "supervisor2"):
            continue
        code = subprocess.run(
            [args.bin, "totp", s["totp_secret"]], capture_output=True, text=True, check=True
        ).stdout.strip()
        status, loc, headers = post_form(
            args.base,
            "/staff/auth/login",
            {"username": s["username"], "password": s["password"], "code": code},
        )
        cookie = cookie_of(headers, "staff")
        if status != 303 or loc != "/staff" or not cookie:
            raise SystemExit(f"staff sign-in of {s['username']} refused: {status} {loc}")
        staff.setdefault(s["role"], []).append(cookie)
    out = {"residents": residents, "staff": staff, "references": []}
    json.dump(out, open(args.out, "w"))
    n_items = sum(len(r["items"]) for r in residents)
    print(
        json.dumps(
            {
                "signed_in_residents": len(residents),
                "items_in_pool": n_items,
                "staff": {k: len(v) for k, v in staff.items()},
                "seconds": round(time.time() - started, 1),
            }
        )
    )


def staff_signin(args):
    sessions = json.load(open(args.sessions))
    code = subprocess.run(
        [args.bin, "totp", args.secret], capture_output=True, text=True, check=True
    ).stdout.strip()
    status, loc, headers = post_form(
        args.base,
        "/staff/auth/login",
        {"username": args.username, "password": args.password, "code": code},
    )
    cookie = cookie_of(headers, "staff")
    if status != 303 or not cookie:
        raise SystemExit(f"staff sign-in of {args.username} refused: {status} {loc}")
    sessions["staff"].setdefault(args.role, []).append(cookie)
    json.dump(sessions, open(args.sessions, "w"))


class Scenario:
    """Builds request i of a scenario and judges its answer."""

    def __init__(self, name, sessions):
        self.name = name
        self.s = sessions
        self.residents = sessions["residents"]
        self.i = 0
        if name == "submit":
            used = set(sessions.get("used_items", []))
            self.todo = []
            # Interleave residents: the first item of each, then the second of each, ...
            depth = max((len(r["items"]) for r in self.residents), default=0)
            for d in range(depth):
                for r in self.residents:
                    if d < len(r["items"]) and r["items"][d] not in used:
                        self.todo.append((r["cookie"], r["items"][d]))
        if name == "queue":
            # The caseworker of the institution with the most reports (bench/load.sh adds one
            # after the submit scenario), else the seed's caseworkers.
            staff = sessions["staff"]
            self.cookies = staff.get("queue_caseworker") or staff.get("caseworker", [])
        if name in ("queue_all", "case"):
            self.cookies = sessions["staff"].get("supervisor", [])
        if name == "case":
            self.refs = sessions.get("references", [])
            if not self.refs:
                raise SystemExit("no references to open: run the submit scenario first")

    def capacity(self):
        return len(self.todo) if self.name == "submit" else None

    def request(self):
        """(method, path, cookie, body, context)"""
        i = self.i
        self.i += 1
        n = self.name
        if n == "baseline":
            return "GET", "/help", None, None, None
        if n in ("me", "reports"):
            r = self.residents[i % len(self.residents)]
            return "GET", "/me" if n == "me" else "/reports", r["cookie"], None, None
        if n in ("queue", "queue_all"):
            return "GET", "/staff", self.cookies[i % len(self.cookies)], None, None
        if n == "case":
            ref = self.refs[i % len(self.refs)]
            return "GET", f"/staff/cases/{ref}", self.cookies[i % len(self.cookies)], None, None
        if n == "submit":
            cookie, item = self.todo[i]
            body = urllib.parse.urlencode(
                {"kind": "not_mine", "item": str(item), "note": "load test"}
            )
            return "POST", "/reports", cookie, body, item
        raise SystemExit(f"unknown scenario {n}")

    def judge(self, status, headers):
        """None when the answer is the expected one, else why not."""
        if self.name == "submit":
            loc = headers.get("location", "")
            if status == 303 and loc.startswith("/reports/"):
                return None
            return f"{status} {loc.split('?')[-1] if loc else ''}".strip()
        return None if status == 200 else str(status)


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers


class Pool:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.idle = []
        self.opened = 0

    async def take(self):
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    def give(self, conn):
        self.idle.append(conn)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    # Nearest rank.
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


async def run_rate(args):
    sessions = json.load(open(args.sessions))
    sc = Scenario(args.scenario, sessions)
    host, port = host_port(args.base)
    pool = Pool(host, port)
    total = int(args.rate * args.duration)
    cap = sc.capacity()
    if cap is not None and cap < total:
        sys.exit(
            f"{args.scenario}: {total} requests need {total} unreported items, the pool has {cap} "
            "(more --pool residents or a shorter run)"
        )
    lat = []
    failures = {}
    non_2xx_3xx = 0
    refs = []
    used = []
    timeout = args.timeout

    async def one(due, req):
        nonlocal non_2xx_3xx
        method, path, cookie, body, ctx = req
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Accept: {ACCEPT}",
                 f"Accept-Encoding: {ENCODING}"]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        data = b""
        if body is not None:
            data = body.encode()
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(data)}",
                f"Origin: http://{host}:{port}",
                "Sec-Fetch-Site: same-origin",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + data
        conn = None
        try:
            conn = await asyncio.wait_for(pool.take(), timeout)
            reader, writer = conn
            writer.write(raw)
            status, headers = await asyncio.wait_for(read_response(reader), timeout)
            done = time.perf_counter()
            if headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                pool.give(conn)
            lat.append((done - due) * 1000.0)
            if not 200 <= status < 400:
                non_2xx_3xx += 1
            why = sc.judge(status, headers)
            if why is not None:
                failures[why] = failures.get(why, 0) + 1
            elif args.scenario == "submit":
                refs.append(headers["location"].split("/reports/")[1].split("?")[0])
            if ctx is not None:
                used.append(ctx)
        except Exception as e:  # connection refused, reset, timeout: an error, latency counted
            lat.append((time.perf_counter() - due) * 1000.0)
            key = type(e).__name__
            failures[key] = failures.get(key, 0) + 1
            if ctx is not None:
                used.append(ctx)
            if conn is not None:
                try:
                    conn[1].close()
                except Exception:
                    pass

    tasks = []
    t0 = time.perf_counter() + 0.05
    late_max = 0.0
    for i in range(total):
        due = t0 + i / args.rate
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        else:
            late_max = max(late_max, now - due)
        tasks.append(asyncio.ensure_future(one(due, sc.request())))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    for _, w in pool.idle:
        w.close()
    lat.sort()
    errors = sum(failures.values())
    result = {
        "mode": "fixed_rate",
        "rate": args.rate,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "ok": total - errors,
        "errors": errors,
        "non_2xx_3xx": non_2xx_3xx,
        "error_kinds": failures,
        "p50_ms": round(percentile(lat, 50), 2),
        "p95_ms": round(percentile(lat, 95), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(lat[-1], 2),
        "connections": pool.opened,
        "client_late_max_ms": round(late_max * 1000.0, 2),
    }
    if args.scenario in ("reports", "queue", "queue_all"):
        # What one answer lists: the size of the page measured.
        _, path, cookie, _, _ = Scenario(args.scenario, sessions).request()
        _, html = get(args.base, path, cookie)
        link = "/staff/cases/" if args.scenario != "reports" else "/reports/"
        result["rows_on_page"] = len(set(re.findall(re.escape(link) + r"([A-Z0-9-]+)", html)))
    if args.scenario == "submit":
        sessions["references"] = sessions.get("references", []) + refs
        sessions["used_items"] = sessions.get("used_items", []) + used
        json.dump(sessions, open(args.sessions, "w"))
        result["reports_filed"] = len(refs)
    print(json.dumps(result))


def targets(args):
    sessions = json.load(open(args.sessions))
    sc = Scenario(args.scenario, sessions)
    n = 1
    if args.scenario in ("me", "reports"):
        n = len(sessions["residents"])
    elif args.scenario in ("queue", "queue_all"):
        n = len(sc.cookies)
    elif args.scenario == "case":
        n = max(len(sc.refs), len(sc.cookies))
    with open(args.out, "w") as f:
        for _ in range(n):
            _, path, cookie, _, _ = sc.request()
            f.write(f"{cookie or ''}\t{path}\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("signin")
    a.add_argument("--base", required=True)
    a.add_argument("--demo", required=True)
    a.add_argument("--bin", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--pool", type=int, default=400)
    b = sub.add_parser("rate")
    b.add_argument("--base", required=True)
    b.add_argument("--sessions", required=True)
    b.add_argument("--scenario", required=True)
    b.add_argument("--rate", type=float, required=True)
    b.add_argument("--duration", type=float, required=True)
    b.add_argument("--timeout", type=float, default=10.0)
    d = sub.add_parser("staff")
    for k in ("base", "sessions", "bin", "username", "password", "secret", "role"):
        d.add_argument(f"--{k}", required=True)
    c = sub.add_parser("targets")
    c.add_argument("--sessions", required=True)
    c.add_argument("--scenario", required=True)
    c.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "signin":
        signin(args)
    elif args.cmd == "staff":
        staff_signin(args)
    elif args.cmd == "rate":
        asyncio.run(run_rate(args))
    else:
        targets(args)


if __name__ == "__main__":
    main()
