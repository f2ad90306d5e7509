#!/usr/bin/env bash
# Load harness (issue 5, "national scale, measured"). Builds the release, loads a generated
# population into SQLite and/or PostgreSQL, serves it with the release binary, signs in a pool of
# residents and the staff, and drives each scenario from a second process on loopback:
#   1. at a fixed rate (bench/loadgen.py, open loop: latency counted from each request's due time,
#      so slow answers cannot hide the requests queued behind them), for p50/p95/p99;
#   2. at saturation (wrk, bench/rotate.lua, 32 connections), for the most requests per second.
# Prints one JSON object per scenario and database, a table with each scenario's saturation
# throughput as a ratio to the no-database baseline, the budgets held or missed, and the page weight.
#
# Usage: bench/load.sh [--residents N] [--db sqlite|postgres|both] [--duration S] [--pool N]
#                      [--no-build] [--reuse-db] [--seed-only]
#   --residents  population (default 1000000)         --db        default both
#   --duration   seconds per run (default 30)         --pool      residents signed in (default 500)
#   --no-build   use the binary of the last run         --reuse-db  keep a database loaded earlier
#                                                                   with the same population
#   --seed-only  load the populations and stop (a later --reuse-db run measures them)
# SCENARIOS picks the scenarios to run (default: baseline me submit reports queue queue_all case;
# queue and case need the reports that submit files).
# Rates (requests/s) come from RATE_BASELINE, RATE_ME, RATE_REPORTS (default 200), RATE_SUBMIT,
# RATE_QUEUE, RATE_CASE (default 50), RATE_QUEUE_ALL (a supervisor's queue of every report,
# default 10). PostgreSQL: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres); the
# database bench_load is dropped and created.
# Needs python3, wrk and psql (PostgreSQL). Everything goes to target/load/; results.jsonl there.
set -euo pipefail
cd "$(dirname "$0")/.."

residents=1000000 dbs=both duration=30 pool=500 build=1 reuse=0 seed_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --residents) residents=$2; shift 2 ;;
    --db) dbs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --reuse-db) reuse=1; shift ;;
    --seed-only) seed_only=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$dbs" in both) dbs="sqlite postgres" ;; sqlite|postgres) ;; *) echo "--db sqlite|postgres|both" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

work=target/load
mkdir -p "$work/bin"
results=$work/results.jsonl
: > "$results"
pg_admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_url=${pg_admin%/*}/bench_load
password=load-test-pass-2026
out=${CARGO_TARGET_DIR:-target}
server_pid=

rustc_now() { pgrep -c -x rustc 2>/dev/null || true; }
machine() {
  python3 - "$@" <<'EOF'
import json, os, sys
mem = {l.split(':')[0]: l.split()[1] for l in open('/proc/meminfo')}
print(json.dumps({"machine": {"nproc": os.cpu_count(), "mem_gib": round(int(mem['MemTotal']) / 2**20, 1),
      "load_avg": os.getloadavg(), "rustc_processes_now": int(sys.argv[1] or 0), "when": sys.argv[2]}}))
EOF
}

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT

machine "$(rustc_now)" "start" | tee -a "$results"

# 1. Build, and keep a private copy of the binary with its hash.txt (the cargo target directory may
#    be shared with other builds).
#    With --no-build, the copy of the last run (or $out/release when there is none).
if [ "$build" = 1 ] || [ ! -x "$work/bin/myna-portal" ]; then
  [ "$build" = 1 ] && scripts/build.sh release
  cp -p "$out/release/myna-portal" "$work/bin/myna-portal"
  cp -p "$out/release/hash.txt" "$work/bin/hash.txt"
fi
bin=$work/bin/myna-portal
"$bin" seed --help | grep -q -- --accounts || { rm -f "$bin"; echo "$out/release/myna-portal has no seed --accounts: another build replaced it; build again" >&2; exit 1; }
echo "{\"binary\": {\"sha256\": \"$(sha256sum "$bin" | cut -c1-16)\", \"built_at\": \"$(date -u -r "$bin" +%FT%TZ)\"}}" | tee -a "$results"

# One value from the database under test.
dbq() {
  if [ "$db" = sqlite ]; then
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$dir/portal.db" "$1"
  else
    psql "$pg_url" -XtAc "$1"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }

for db in $dbs; do
  dir=$work/$db
  mkdir -p "$dir"
  export PORTAL_KEY_FILE=$dir/number.key
  if [ "$db" = sqlite ]; then url=sqlite://$dir/portal.db; else url=$pg_url; fi
  export DATABASE_URL=$url

  # 2. The population.
  if [ "$reuse" = 1 ] && [ "$(cat "$dir/population" 2>/dev/null)" = "$residents" ]; then
    echo "== $db: reusing the population of $residents residents in $dir, loaded earlier:"
    tee -a "$results" < "$dir/seed.json"
  else
    echo "== $db: loading $residents residents"
    rm -f "$dir/portal.db" "$dir/portal.db-wal" "$dir/portal.db-shm" "$dir/population" "$dir/number.key" \
      "$dir/audit.key" "$dir/audit-checkpoints.log"
    if [ "$db" = postgres ]; then
      psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS bench_load" -c "CREATE DATABASE bench_load"
    fi
    /usr/bin/time -f '%e %M' -o "$dir/seed-time.txt" \
      "$bin" seed --residents "$residents" --demo-password "$password" --accounts "$pool" \
      --demo-out "$dir/demo.json" --truth "$dir/ground-truth.csv" > "$dir/seed.txt"
    read -r wall peak < "$dir/seed-time.txt"
    # Planner statistics after the bulk load, as an operator would gather them.
    # (SQLite plans these queries well without statistics: bench/explain.sh.)
    # Then a checkpoint, so that writing out the load's gigabytes does not fall into the measured
    # runs: during it, report submission (the first scenario that commits) took seconds.
    if [ "$db" = postgres ]; then psql "$pg_url" -q -c "VACUUM ANALYZE" -c "CHECKPOINT"; fi
    echo "$residents" > "$dir/population"
    python3 -c 'import json,sys; print(json.dumps({"seed": {"database": sys.argv[1], "residents": int(sys.argv[2]), "wall_s": float(sys.argv[3]), "peak_rss_mib": round(int(sys.argv[4])/1024,1)}}))' \
      "$db" "$residents" "$wall" "$peak" | tee "$dir/seed.json" | tee -a "$results"
  fi
  [ "$seed_only" = 1 ] && continue
  if [ "$db" = sqlite ]; then
    size=$(du -cm "$dir"/portal.db* | awk 'END {print $1}')
  else
    size=$(psql "$pg_url" -tAc "SELECT pg_database_size('bench_load') / 1048576")
  fi
  echo "{\"database_size_mib\": {\"database\": \"$db\", \"mib\": $size}}" | tee -a "$results"

  # 3. The server: the release binary, a free port, a separate metrics port.
  port=$(free_port)
  mport=$(free_port)
  base=http://127.0.0.1:$port
  # One load generator on one address: the per-client limits would refuse it.
  LEPTOS_SITE_ADDR=127.0.0.1:$port PORTAL_METRICS_ADDR=127.0.0.1:$mport PORTAL_THROTTLE=off \
    "$bin" serve > "$dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "== $db: serving $base (metrics http://127.0.0.1:$mport/metrics), pid $server_pid"

  # Static assets: content-hashed names cached for a year, HTML not.
  python3 - "$base" <<'EOF' | tee -a "$results"
import http.client, json, re, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
def fetch(path, encoding):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", path, headers={"Accept-Encoding": encoding, "Accept": "text/html"})
    r = c.getresponse(); body = r.read(); c.close()
    return r, body
r, _ = fetch("/help", "gzip, br")
html = fetch("/help", "identity")[1].decode("utf-8", "replace")
out = {"assets": {"html": {"path": "/help", "cache_control": r.getheader("Cache-Control"), "content_encoding": r.getheader("Content-Encoding")}}}
for path in sorted(set(re.findall(r'/pkg/[^"\']+[.](?:css|js|wasm)', html))):
    a, _ = fetch(path, "gzip, br")
    out["assets"][path] = {"status": a.status, "cache_control": a.getheader("Cache-Control"), "content_encoding": a.getheader("Content-Encoding")}
print(json.dumps(out))
EOF

  # 4. Sign in the pool and the staff.
  python3 bench/loadgen.py signin --base "$base" --demo "$dir/demo.json" --bin "$bin" \
    --out "$dir/sessions.json" --pool "$pool" | sed "s/^/{\"signin\": {\"database\": \"$db\", \"result\": /; s/\$/}}/" | tee -a "$results"
  # Warm-up, not recorded.
  python3 bench/loadgen.py rate --base "$base" --sessions "$dir/sessions.json" --scenario me --rate 50 --duration 3 >/dev/null

  # 5. The scenarios, in an order where each finds what it needs (cases exist after submit).
  for sc in ${SCENARIOS:-baseline me submit reports queue queue_all case}; do
    case "$sc" in
      baseline) rate=${RATE_BASELINE:-200} ;; me) rate=${RATE_ME:-200} ;; reports) rate=${RATE_REPORTS:-200} ;;
      submit) rate=${RATE_SUBMIT:-50} ;; queue) rate=${RATE_QUEUE:-50} ;; case) rate=${RATE_CASE:-50} ;;
      queue_all) rate=${RATE_QUEUE_ALL:-10} ;;
    esac
    r0=$(rustc_now)
    fixed=$(python3 bench/loadgen.py rate --base "$base" --sessions "$dir/sessions.json" \
      --scenario "$sc" --rate "$rate" --duration "$duration")
    rss_fixed=$(rss)
    sat='null'
    if [ "$sc" != submit ]; then
      python3 bench/loadgen.py targets --sessions "$dir/sessions.json" --scenario "$sc" --out "$dir/targets.txt"
      sat=$(wrk -t1 -c32 -d"${duration}s" --timeout 10s -s bench/rotate.lua "$base" -- "$dir/targets.txt" | grep '^{"mode":"saturation"')
    fi
    if [ "$sc" = submit ]; then
      # The caseworker queue measured is the busiest one: a caseworker account is added
      # (staff-add, as an administrator would) at the institution with the most reports.
      code=$(dbq "SELECT n.code FROM reports r JOIN institutions n ON n.id = r.institution_id GROUP BY n.code ORDER BY COUNT(*) DESC, n.code LIMIT 1")
      secret=$(printf '%s\n' "$password" | "$bin" staff-add --username loadcaseworker --display-name "負荷 試験" \
        --role caseworker --institution-code "$code" | tail -1)
      python3 bench/loadgen.py staff --base "$base" --sessions "$dir/sessions.json" --bin "$bin" \
        --username loadcaseworker --password "$password" --secret "$secret" --role queue_caseworker
    fi
    r1=$(rustc_now)
    python3 - "$sc" "$db" "$residents" "$fixed" "$sat" "$rss_fixed" "$(rss)" "$(hwm)" "$r0" "$r1" <<'EOF' | tee -a "$results"
import json, sys
sc, db, n, fixed, sat, rss_fixed, rss, hwm, r0, r1 = sys.argv[1:]
f, s = json.loads(fixed), json.loads(sat)
print(json.dumps({
    "scenario": sc, "database": db, "residents": int(n),
    "rate": f["rate"], "requests_per_s": f["requests_per_s"], "requests": f["requests"],
    "p50_ms": f["p50_ms"], "p95_ms": f["p95_ms"], "p99_ms": f["p99_ms"], "max_ms": f["max_ms"],
    "errors": f["errors"], "non_2xx_3xx": f["non_2xx_3xx"], "error_kinds": f["error_kinds"],
    "saturation_requests_per_s": s and s["requests_per_s"], "saturation_errors": s and s["errors"],
    "saturation_non_2xx_3xx": s and s["non_2xx_3xx"], "saturation_p50_ms": s and s["p50_ms"],
    "saturation_p99_ms": s and s["p99_ms"],
    "server_rss_mib": float(rss), "server_rss_after_fixed_rate_mib": float(rss_fixed), "server_peak_rss_mib": float(hwm),
    "client_late_max_ms": f["client_late_max_ms"], "rustc_processes": [int(r0 or 0), int(r1 or 0)],
    **({k: f[k] for k in ("reports_filed", "rows_on_page") if k in f}),
}, ensure_ascii=False))
EOF
  done
  stop_server
done

[ "$seed_only" = 1 ] && exit 0
machine "$(rustc_now)" "end" | tee -a "$results"

# 6. Summary: each scenario's saturation throughput as a ratio to the baseline, and the budgets.
python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = [r for r in rows if "scenario" in r]
print()
print(f"{'scenario':<10} {'db':<8} {'rate':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'err':>5} {'sat req/s':>10} {'sat err':>8} {'x baseline':>10} {'RSS MiB':>8}")
base = {r["database"]: r["saturation_requests_per_s"] for r in runs if r["scenario"] == "baseline"}
for r in runs:
    sat = r["saturation_requests_per_s"]
    ratio = f"{sat / base[r['database']]:.2f}" if sat and base.get(r["database"]) else "-"
    print(f"{r['scenario']:<10} {r['database']:<8} {r['rate']:>5g} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>5} "
          f"{(f'{sat:.0f}' if sat else '-'):>10} {(r['saturation_errors'] if sat else '-'):>8} {ratio:>10} {r['server_rss_mib']:>8.1f}")
print()
def get(sc, db):
    return next((r for r in runs if r["scenario"] == sc and r["database"] == db), None)
for db in sorted({r["database"] for r in runs}):
    me, sub, q = get("me", db), get("submit", db), get("queue", db)
    checks = []
    if me:
        checks.append((f"わたしの情報 p99 < 50 ms at {me['rate']:g}/s", me["p99_ms"] < 50 and me["errors"] == 0, f"{me['p99_ms']} ms, {me['errors']} errors"))
        checks.append(("わたしの情報 >= 2000 req/s at saturation, 0 errors", me["saturation_requests_per_s"] >= 2000 and me["saturation_errors"] == 0, f"{me['saturation_requests_per_s']} req/s, {me['saturation_errors']} errors"))
    if sub:
        checks.append((f"report submission p99 < 100 ms at {sub['rate']:g}/s", sub["p99_ms"] < 100 and sub["errors"] == 0, f"{sub['p99_ms']} ms, {sub['errors']} errors"))
    if q:
        checks.append((f"caseworker queue p99 < 100 ms at {q['rate']:g}/s", q["p99_ms"] < 100 and q["errors"] == 0, f"{q['p99_ms']} ms, {q['errors']} errors"))
    for name, ok, got in checks:
        print(f"budget {db:<8} {'HELD  ' if ok else 'MISSED'} {name}: {got}")
EOF
echo
echo "== page weight"
bench/page-weight.sh --no-build
