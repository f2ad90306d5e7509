#!/usr/bin/env bash
# Query plans of every query the pages measured by bench/load.sh make (わたしの情報, my reports,
# report submission, the caseworker queue, the case page, and the session checks in front of
# them), on the databases bench/load.sh loaded: SQLite's EXPLAIN QUERY PLAN and PostgreSQL's
# EXPLAIN. A full scan of a table (SQLite "SCAN t" without an index, PostgreSQL "Seq Scan") is
# flagged with the table's row count, "FULL SCAN!" from 10,000 rows.
# The SQL is the store's (src/store/*.rs, function named beside each), with the parameters bound
# to real values from the database (a signed-in resident, one of their items, a filed report).
# Usage: bench/explain.sh [sqlite|postgres|both]   (default both; run bench/load.sh first)
# SQLite file: EXPLAIN_SQLITE (default target/load/sqlite/portal.db); PostgreSQL: EXPLAIN_PG_URL
# (default postgres://postgres@127.0.0.1:5432/bench_load).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
sqlite_db=${EXPLAIN_SQLITE:-target/load/sqlite/portal.db}
pg_url=${EXPLAIN_PG_URL:-postgres://postgres@127.0.0.1:5432/bench_load}
exec python3 - "$which" "$sqlite_db" "$pg_url" <<'EOF'
import re, sqlite3, subprocess, sys

which, sqlite_db, pg_url = sys.argv[1:]
OPEN = "r.status NOT IN ('closed', 'withdrawn', 'impact_review')"
REPORT_COLUMNS = ("r.id, r.reference, r.reporter_id, r.institution_id, n.name_ja, n.name_en, r.category, r.kind, "
    "r.note, r.status, r.verdict, r.verdict_reasons, r.assignee_id, s.display_name, r.proposer_id, r.approver_id, "
    "r.outcome, r.outcome_target_id, r.outcome_reason, r.filed_by_staff_id, r.submitted_at, r.paused_secs, "
    "r.paused_since, r.extended, r.decided_at, r.version FROM reports r JOIN institutions n ON n.id = r.institution_id "
    "LEFT JOIN staff s ON s.id = r.assignee_id")
DETAILS = ["item_resident_record", "item_tax", "item_health_insurance", "item_pension", "item_disability", "item_bank_account"]
DETAIL_JOINS = " ".join(f"LEFT JOIN {t} d{k} ON d{k}.item_id = i.id" for k, t in enumerate(DETAILS))
DETAIL_COLUMNS = ", ".join(f"d{k}.*" for k in range(len(DETAILS)))
ITEMS = ("SELECT i.id, i.resident_id, i.institution_id, i.category, i.link_method, n.name_ja, n.name_en, "
    "i.snap_name_kanji, i.snap_name_kana, i.snap_birth_date, i.snap_sex, i.snap_address, i.linked_at, i.updated_at, "
    "i.unlinked_at, (SELECT 1 FROM report_items ri JOIN reports r ON r.id = ri.report_id WHERE ri.item_id = i.id "
    f"AND {OPEN} LIMIT 1) IS NOT NULL AS under_review, {DETAIL_COLUMNS} "
    f"FROM {{f}} JOIN institutions n ON n.id = i.institution_id {DETAIL_JOINS} WHERE {{w}} "
    "ORDER BY i.linked_at, i.id")
OF_RESIDENT = ("linked_items i", "i.resident_id = :rid AND i.unlinked_at IS NULL")
OF_REPORT = ("report_items sel JOIN linked_items i ON i.id = sel.item_id", "sel.report_id = :report")

def items(which, label):
    f, w = which
    return [(f"items_of_{label} (store/items.rs load_items: the six detail tables LEFT JOINed)", ITEMS.format(f=f, w=w))]

SESSION = [
    ("page_session (store/sessions.rs): session, register entry, unread notices",
     "SELECT s.account_id, a.resident_id, s.created_at, s.last_seen_at, r.*, "
     "(SELECT COUNT(*) FROM notices n WHERE n.resident_id = a.resident_id AND n.read_at IS NULL) AS unread "
     "FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN residents r ON r.id = a.resident_id "
     "WHERE s.token_hash = :token"),
    ("touch_session (at most once a minute)", "UPDATE sessions SET last_seen_at = 1 WHERE token_hash = :token"),
]
FORM_SESSION = [
    ("session (store/sessions.rs)", "SELECT s.account_id, a.resident_id, s.created_at, s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = :token"),
    ("touch_session (at most once a minute)", "UPDATE sessions SET last_seen_at = 1 WHERE token_hash = :token"),
    ("resident (store/residents.rs)", "SELECT r.* FROM residents r WHERE r.id = :rid"),
]
STAFF = [
    ("staff_session (store/staff.rs)", "SELECT s.staff_id, f.role, f.institution_id, f.display_name, s.created_at, s.last_seen_at FROM staff_sessions s JOIN staff f ON f.id = s.staff_id WHERE s.token_hash = :staff_token AND f.locked_at IS NULL"),
    ("touch_staff_session", "UPDATE staff_sessions SET last_seen_at = 1 WHERE token_hash = :staff_token"),
]
AUDIT = [
    ("audit append: head (append_audit_in!)", "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"),
    ("audit append: entry", "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (:seq, 1, 'a', 'b', 'c', 'd', :token, :token)"),
]
PAGES = {
    "わたしの情報 (GET /me)": SESSION + items(OF_RESIDENT, "resident"),
    "my reports (GET /reports)": SESSION + [
        ("reports_of_resident (store/workflow.rs)", f"SELECT {REPORT_COLUMNS} WHERE r.reporter_id = :rid ORDER BY r.submitted_at DESC, r.id DESC")],
    "report submission (POST /reports)": FORM_SESSION + items(OF_RESIDENT, "resident")[:1] + [
        ("residents_born_on (pre-check)", "SELECT * FROM residents WHERE birth_date = :birth ORDER BY id LIMIT 500"),
        ("institution_names", "SELECT name_ja, name_en FROM institutions WHERE id = :inst"),
        ("create_report: item lock", "UPDATE linked_items SET updated_at = updated_at WHERE id = :item"),
        ("create_report: open report of item", f"SELECT r.id FROM report_items ri JOIN reports r ON r.id = ri.report_id WHERE ri.item_id = :item AND {OPEN} LIMIT 1"),
        ("create_report: reference unique", "SELECT id FROM reports WHERE reference = :ref"),
    ] + AUDIT,
    "caseworker queue (GET /staff)": STAFF + [
        ("queue, caseworker (store/workflow.rs)", f"SELECT {REPORT_COLUMNS} WHERE r.institution_id = :queue_inst AND (NULL IS NULL OR r.status = NULL) AND (NULL IS NULL OR r.category = NULL) AND (NULL IS NULL OR r.verdict = NULL) ORDER BY r.submitted_at, r.id LIMIT 2000"),
        ("queue, supervisor (every institution)", f"SELECT {REPORT_COLUMNS} WHERE NULL IS NULL AND (NULL IS NULL OR r.status = NULL) AND (NULL IS NULL OR r.category = NULL) AND (NULL IS NULL OR r.verdict = NULL) ORDER BY r.submitted_at, r.id LIMIT 2000"),
    ],
    "case page (GET /staff/cases/REF)": STAFF + [
        ("report_by_reference", f"SELECT {REPORT_COLUMNS} WHERE r.reference = :ref"),
        ("reporter", "SELECT * FROM residents WHERE id = :reporter"),
    ] + items(OF_REPORT, "report") + [
        ("report_events", "SELECT at, kind, actor_role, resident_visible, message FROM report_events WHERE report_id = :report ORDER BY id"),
        ("internal_notes", "SELECT n.at, s.display_name, n.kind, n.body FROM internal_notes n JOIN staff s ON s.id = n.staff_id WHERE n.report_id = :report AND (NULL IS NULL OR n.kind = NULL) ORDER BY n.id"),
        ("access_log insert (log_access)", "INSERT INTO access_log (resident_id, item_id, staff_id, institution_id, role, purpose, report_id, at) VALUES (:reporter, NULL, 1, NULL, 'caseworker', 'case_investigation', :report, 1)"),
    ] + AUDIT,
}
TABLES = ["residents", "linked_items", "accounts", "sessions", "reports", "report_items", "report_events", "staff", "internal_notes",
          "notices", "access_log", "audit_log", "staff_sessions", "institutions"] + DETAILS

def sample(q):
    """Parameter values from the database: q(sql) -> first row."""
    v = {}
    v["token"] = q("SELECT token_hash FROM sessions ORDER BY created_at DESC LIMIT 1")
    v["rid"] = q("SELECT a.resident_id FROM sessions s JOIN accounts a ON a.id = s.account_id ORDER BY s.created_at DESC LIMIT 1")
    v["item"] = q(f"SELECT id FROM linked_items WHERE resident_id = {v['rid']} ORDER BY id LIMIT 1")
    v["inst"] = q(f"SELECT institution_id FROM linked_items WHERE id = {v['item']}")
    v["birth"] = q(f"SELECT birth_date FROM residents WHERE id = {v['rid']}")
    # The institution with the most reports: the caseworker queue bench/load.sh measures.
    v["queue_inst"] = q("SELECT institution_id FROM reports GROUP BY institution_id ORDER BY COUNT(*) DESC, institution_id LIMIT 1")
    v["staff_token"] = q("SELECT token_hash FROM staff_sessions ORDER BY created_at DESC LIMIT 1")
    v["report"] = q("SELECT id FROM reports ORDER BY id DESC LIMIT 1")
    v["ref"] = q("SELECT reference FROM reports ORDER BY id DESC LIMIT 1")
    v["reporter"] = q("SELECT reporter_id FROM reports ORDER BY id DESC LIMIT 1")
    v["seq"] = 999999999
    missing = [k for k, x in v.items() if x is None]
    if missing:
        sys.exit(f"no sample for {missing}: run bench/load.sh first (it signs in and files reports)")
    return v

def literal(x, pg):
    if isinstance(x, (bytes, bytearray, memoryview)):
        h = bytes(x).hex()
        return f"'\\x{h}'::bytea" if pg else f"X'{h}'"
    if isinstance(x, int):
        return str(x)
    return "'" + str(x).replace("'", "''") + "'"

def bind(sql, v, pg):
    return re.sub(r":([a-z_]+)", lambda m: literal(v[m.group(1)], pg), sql)

def report(backend, counts, explain, v, pg):
    flagged = 0
    print(f"\n######## {backend}")
    for page, queries in PAGES.items():
        print(f"\n=== {page}")
        for name, sql in queries:
            lines = explain(bind(sql, v, pg))
            print(f"--- {name}")
            alias = {a: t for t, a in re.findall(r"(?:FROM|JOIN)\s+(\w+)\s+(\w+)", sql)}
            for line in lines:
                flag = ""
                if pg:
                    m = re.search(r"Seq Scan on (\w+)", line)
                else:
                    m = re.search(r"\bSCAN (?:TABLE )?(\w+)(.*)", line)
                    if m and (m.group(1) == "CONSTANT" or "USING" in m.group(2)):
                        m = None
                if m:
                    t = alias.get(m.group(1), m.group(1))
                    n = counts.get(t, -1)
                    flag = f"   <== FULL SCAN! ({t}: {n} rows)" if n >= 10000 else f"   <== full scan ({t}: {n} rows)"
                    flagged += n >= 10000
                print(f"    {line}{flag}")
    print(f"\n{backend}: {flagged} full scan(s) of a table with 10,000 rows or more")
    return flagged

total = 0
if which in ("sqlite", "both"):
    con = sqlite3.connect(f"file:{sqlite_db}?mode=ro", uri=True)
    q1 = lambda s: (con.execute(s).fetchone() or [None])[0]
    counts = {t: q1(f"SELECT COUNT(*) FROM {t}") for t in TABLES}
    def ex(sql):
        rows = con.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        depth = {0: 0}
        out = []
        for id_, parent, _, detail in rows:
            depth[id_] = depth.get(parent, 0) + 1
            out.append("  " * (depth[id_] - 1) + detail)
        return out
    total += report(f"SQLite {sqlite_db}", counts, ex, sample(q1), False)
if which in ("postgres", "both"):
    def psql(sql):
        return subprocess.run(["psql", pg_url, "-XtA", "-c", sql], capture_output=True, text=True, check=True).stdout.rstrip("\n").split("\n")
    def q1(s):
        out = psql(s.replace("SELECT token_hash", "SELECT encode(token_hash, 'hex')"))[0]
        if out == "":
            return None
        if "token_hash" in s:
            return bytes.fromhex(out)
        return int(out) if re.fullmatch(r"-?\d+", out) else out
    counts = {t: int(psql(f"SELECT COUNT(*) FROM {t}")[0]) for t in TABLES}
    # EXPLAIN of a write inside a rolled-back transaction: nothing changes.
    def ex(sql):
        return psql(f"BEGIN; EXPLAIN {sql}; ROLLBACK;")[1:-1] if sql.startswith(("UPDATE", "INSERT")) else psql("EXPLAIN " + sql)
    total += report(f"PostgreSQL {pg_url}", counts, ex, sample(q1), True)
sys.exit(1 if total else 0)
EOF
