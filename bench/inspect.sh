#!/usr/bin/env bash
# Benchmark of the inspection tool (issue 4): builds the release, writes REGISTER_ROWS register rows
# (default 10,000,000) and LINK_ROWS links (default 15,000,000) as CSV with the synthetic-population
# generator (`myna-portal evaluate --export-only`: the links of the first residents, every category
# but the resident record, with the generator's wrong links and noise), then runs
# `myna-portal inspect` under /usr/bin/time -v and prints wall time, peak memory and throughput.
# Generation is not timed. Files go to target/bench-inspect/ (about 2.5 GB at the default size).
# Usage: bench/inspect.sh [REGISTER_ROWS] [LINK_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
register_rows=${1:-10000000}
link_rows=${2:-15000000}
dir=target/bench-inspect
cargo build --release --features ssr --bin myna-portal
mkdir -p "$dir"
# A copy of its own, so another build in the same target directory cannot swap it mid-run.
cp target/release/myna-portal "$dir/myna-portal"
bin="$dir/myna-portal"
stamp="$dir/generated-$register_rows-$link_rows"
if [[ ! -f "$stamp" ]]; then
  rm -f "$dir"/*.csv "$dir"/generated-*
  "$bin" evaluate --residents "$register_rows" --max-links "$link_rows" --export-only --dir "$dir"
  touch "$stamp"
fi
links=$(($(wc -l < "$dir/links.csv") - 1))
/usr/bin/time -v -o "$dir/time.txt" \
  "$bin" inspect --register "$dir/register.csv" --links "$dir/links.csv" --out "$dir/results.csv" \
  2> >(tee "$dir/inspect.txt" >&2)
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/time.txt")
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$dir/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$dir/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$dir/time.txt")
echo
echo "register rows: $register_rows"
echo "links: $links"
echo "wall time: $wall"
echo "peak memory (RSS): ${rss} MiB"
echo "CPU: $cpu"
echo "throughput: $(awk -v l="$links" -v s="$secs" 'BEGIN {printf "%.0f", l/s}') links/s (register load included)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
