#!/usr/bin/env bash
# Benchmark of the integrity scan inside the portal (issue 4): builds the release, loads a
# population of RESIDENTS (default 1,000,000) into a fresh database (SQLite by default, or the
# PostgreSQL URL given, whose database must exist; it is emptied first), then runs the same job the
# Inspection page starts (`myna-portal scan`) under /usr/bin/time -v, and prints items, findings,
# wall time, throughput and peak memory. Loading is not timed.
# Usage: bench/portal-scan.sh [RESIDENTS] [DATABASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
url=${2:-sqlite://target/bench-scan/portal.db}
dir=target/bench-scan
cargo build --release --features ssr --bin myna-portal
mkdir -p "$dir"
# A copy of its own, so another build in the same target directory cannot swap it mid-run.
cp target/release/myna-portal "$dir/myna-portal"
bin="$dir/myna-portal"
export PORTAL_KEY_FILE="$dir/number.key"
if [[ "$url" == postgres* ]]; then
  psql "$url" -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
else
  rm -f "$dir"/portal.db*
fi
echo "loading $n residents into ${url%%:*}…"
"$bin" --database-url "$url" seed --residents "$n" --truth "$dir/ground-truth.csv" | tail -1
/usr/bin/time -v -o "$dir/time.txt" "$bin" --database-url "$url" scan | tee "$dir/scan.txt"
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$dir/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$dir/time.txt")
echo
echo "residents: $n"
echo "database: ${url%%:*}"
echo "$(tail -1 "$dir/scan.txt")"
echo "peak memory of the scanning process (RSS): ${rss} MiB"
echo "CPU: $cpu"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
