#!/usr/bin/env bash
# A million records: startup time, heap after GC, and server CPU per query, beside the seed's 3 records in the same
# run (chivato on CPU 0, dnsperf on CPU 1, as in compare.sh).
#
#   bash benchmarks/load/million.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"
RECORDS=${RECORDS:-1000000}

command -v dnsperf >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dnsperf; }
[ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
server_pids=()
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

write_seed_records "$work"
# RECORDS hosts under example.net, one address each, and a query mix of hits spread over all of them, misses,
# NODATA and PTR hits, so the lookups do not stay in a warm corner of the table.
python3 - "$work" "$RECORDS" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
with open(work + "/million", "w") as f:
    f.write("1.2.3.4 example.com\n1.2.3.5 example.com example.my\n")
    for i in range(n - 3):
        f.write("10.%d.%d.%d host%d.example.net\n" % (i >> 16 & 255, i >> 8 & 255, i & 255, i))
random.seed(1)
with open(work + "/million-queries", "w") as f:
    for _ in range(20000):
        i = random.randrange(n - 3)
        f.write(random.choice(["host%d.example.net A" % i, "nowhere%d.example.net A" % i,
                               "host%d.example.net AAAA" % i,
                               "%d.%d.%d.10.in-addr.arpa PTR" % (i & 255, i >> 8 & 255, i >> 16 & 255)]) + "\n")
PY
write_query_mix "$work/queries"

start_with() { # records-file
  local port; port=$(free_port)
  local started; started=$(date +%s%N)
  taskset -c $SERVER_CPU java -jar server/target/chivato.jar --listen "127.0.0.1:$port" --records "$1" \
    --threads 1 --log off > "$work/out" 2>&1 &
  server_pids=($!)
  server_port=$port
  for _ in $(seq 600); do grep -q "listening udp" "$work/out" 2>/dev/null && break; sleep 0.05; done
  startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  heap_kb=$(heap_after_gc "${server_pids[0]}")
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(java -version 2>&1 | head -1)" >&2
cp "$work/queries" "$work/seed-queries"
for size in 3 "$RECORDS"; do
  if [ "$size" = 3 ]; then file="$work/hosts"; cp "$work/seed-queries" "$work/queries"
  else file="$work/million"; cp "$work/million-queries" "$work/queries"; fi
  start_with "$file"
  wait_for_port "$server_port"
  row=$(measure "$size records" udp)
  printf '%s\t%s\t%s\n' "$row" "$startup_ms" "$heap_kb" >> "$work/table"
  stop_server
done
python3 - "$work/table" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print("| store | startup to listening, ms | heap after GC, MB | qps | lost | server CPU us/query |")
print("|---|---:|---:|---:|---:|---:|")
for label, qps, lost, latency, cpu, startup, heap in rows:
    print("| %s | %s | %.0f | %s | %s | %s |" % (label, startup, int(heap) / 1024, qps, lost, cpu))
PY
