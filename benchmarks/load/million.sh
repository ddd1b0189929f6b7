#!/usr/bin/env bash
# A million records: startup time, resident memory, heap after GC, and server CPU per query, for chivato with the
# records as a hosts file and as zone files, and for NSD with the same zone files, beside chivato's seed records in
# the same run (each server alone on CPU 0, dnsperf on CPU 1, as in compare.sh; chivato through its launcher, whose
# version check is part of its startup).
#
#   bash benchmarks/load/million.sh
#   ROWS="zone" CHIVATO_JAR=other.jar bash benchmarks/load/million.sh   # some rows only, another build
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"
RECORDS=${RECORDS:-1000000}
ROWS=${ROWS:-seed hosts zone nsd}
CHIVATO_JAR=${CHIVATO_JAR:-server/target/chivato.jar} # another build's, to compare two versions
wants() { [[ " $ROWS " == *" $1 "* ]]; }

install_missing dnsperf:dnsperf nsd:nsd
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
serial = "@ 3600 IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300\n@ 3600 IN NS ns1.example.net.\n"
with open(work + "/example.net.zone", "w") as f:
    f.write("$ORIGIN example.net.\n$TTL 300\n" + serial + "ns1 A 192.0.2.53\n")
    for i in range(n - 3):
        f.write("host%d A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
with open(work + "/10.in-addr.arpa.zone", "w") as f:
    f.write("$ORIGIN 10.in-addr.arpa.\n$TTL 300\n" + serial)
    for i in range(n - 3):
        f.write("%d.%d.%d PTR host%d.example.net.\n" % (i & 255, i >> 8 & 255, i >> 16 & 255, i))
random.seed(1)
with open(work + "/million-queries", "w") as f:
    for _ in range(20000):
        i = random.randrange(n - 3)
        f.write(random.choice(["host%d.example.net A" % i, "nowhere%d.example.net A" % i,
                               "host%d.example.net AAAA" % i,
                               "%d.%d.%d.10.in-addr.arpa PTR" % (i & 255, i >> 8 & 255, i >> 16 & 255)]) + "\n")
PY
write_query_mix "$work/queries"

# Launches a server; startup is the time until it answers a name of its data (NSD listens before it has loaded).
started_at() { started=$(date +%s%N); }
await_data() { # name expected-address
  await_address "$server_port" "$1" "$2" 60 || echo "no answer from port $server_port" >&2
  startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}

start_chivato() { # chivato arguments...
  local port; port=$(free_port)
  started_at
  taskset -c $SERVER_CPU "$(chivato_launcher "$CHIVATO_JAR")" --listen "127.0.0.1:$port" --threads 1 --log off "$@" \
    > "$work/out" 2>&1 &
  server_pids=($!)
  server_port=$port
}

start_nsd() {
  local port; port=$(free_port)
  write_nsd_conf "$port" example.net 10.in-addr.arpa
  started_at
  taskset -c $SERVER_CPU nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
  server_port=$port
  sleep 0.2
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
}

rss_kb() { # resident memory of all the server's processes, shared pages counted once (PSS: NSD forks its servers)
  local total=0 pid
  for pid in "${server_pids[@]}"; do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(java -version 2>&1 | head -1), $(nsd -v 2>&1 | head -1)" >&2
cp "$work/queries" "$work/seed-queries"
row() { # label
  local heap=-1
  case "$1" in nsd*) ;; *) heap=$(heap_after_gc "${server_pids[0]}") ;; esac
  local measured; measured=$(measure "$1" udp)
  printf '%s\t%s\t%s\t%s\n' "$measured" "$startup_ms" "$(rss_kb)" "$heap" >> "$work/table"
  stop_server
}
cp "$work/seed-queries" "$work/queries"
if wants seed; then
  start_chivato --records "$work/hosts"; await_data example.my 1.2.3.5; row "chivato, 3 records"
fi
cp "$work/million-queries" "$work/queries"
if wants hosts; then
  start_chivato --records "$work/million"; await_data host0.example.net 10.0.0.0; row "chivato, hosts file"
fi
if wants zone; then
  start_chivato --zone "$work/example.net.zone" --zone "$work/10.in-addr.arpa.zone"
  await_data host0.example.net 10.0.0.0; row "chivato, zone files"
fi
if wants nsd; then
  start_nsd; await_data host0.example.net 10.0.0.0
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf") # its serving processes are forked once loaded
  row "nsd, zone files"
fi
python3 - "$work/table" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print("| server, data | startup to answering, ms | resident MB (PSS) | heap after GC, MB | qps | lost | server CPU us/query: median (range) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for label, qps, lost, latency, cpu, spread, startup, rss, heap in rows:
    heap_mb = "-" if int(heap) < 0 else "%.0f" % (int(heap) / 1024)
    print("| %s | %s | %.0f | %s | %s | %s | %s (%s) |" % (label, startup, int(rss) / 1024, heap_mb, qps, lost, cpu,
          spread))
PY
