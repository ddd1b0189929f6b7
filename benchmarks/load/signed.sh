#!/usr/bin/env bash
# A signed zone of a million names: the time to load it until it answers, resident memory five seconds later and
# (chivato) heap after GC, for chivato and NSD with the same file in the same run. The zone (NAMES A records under signed.example., signed
# once with ldns-signzone, NSEC, ECDSA P-256) is kept in benchmarks/load/.signed/ (not in git) and made again only
# when missing or of another size.
#
#   bash benchmarks/load/signed.sh          (from the project root; NAMES=1000000 ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"
NAMES=${NAMES:-1000000}
ROUNDS=${ROUNDS:-3}
signed=$here/.signed
install_missing nsd:nsd ldns-signzone:ldnsutils
[ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests >&2

work=$(mktemp -d)
server_pids=()
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

make_zone() {
  mkdir -p "$signed"
  rm -f "$signed"/*
  python3 - "$signed/signed.example.zone" "$NAMES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("$ORIGIN signed.example.\n$TTL 300\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n@ NS ns\n"
            "ns A 192.0.2.53\n")
    for i in range(n - 1):
        f.write("host%d A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
PY
  (cd "$signed" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k signed.example) \
    && zsk=$(ldns-keygen -a ECDSAP256SHA256 signed.example) \
    && start=$(date +%s) && ldns-signzone signed.example.zone "$ksk" "$zsk" \
    && echo "signed $NAMES names in $(( $(date +%s) - start )) s" >&2)
  echo "$NAMES" > "$signed/names"
}
[ "$(cat "$signed/names" 2>/dev/null)" = "$NAMES" ] && [ -f "$signed/signed.example.zone.signed" ] || make_zone
cp "$signed/signed.example.zone.signed" "$work/signed.example.zone"

started_at() { started=$(date +%s%N); }
await_answer() { # until host0 answers with its address
  await_address "$server_port" host0.signed.example 10.0.0.0 || echo "no answer from port $server_port" >&2
  startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}
rss_kb() { # shared pages counted once (PSS: NSD forks its servers)
  local total=0 pid
  for pid in "${server_pids[@]}"; do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(java -version 2>&1 | head -1), $(nsd -v 2>&1 | head -1), $NAMES names, $(wc -l < "$work/signed.example.zone") lines signed" >&2
: > "$work/rows"
for round in $(seq "$ROUNDS"); do
  port=$(free_port); started_at
  java -jar server/target/chivato.jar --listen "127.0.0.1:$port" --threads 1 --log off \
    --zone "signed.example=$work/signed.example.zone" > "$work/chivato.out" 2>&1 &
  server_pids=($!); server_port=$port
  await_answer
  heap=$(heap_after_gc "${server_pids[0]}")
  sleep 5 # G1 gives the loading's heap back to the system in the background, within a few seconds
  echo "chivato $startup_ms $(rss_kb) $heap" >> "$work/rows"
  stop_server
  port=$(free_port)
  write_nsd_conf "$port" signed.example
  started_at
  nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
  server_port=$port
  await_answer
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
  sleep 5 # measured as settled as chivato is
  echo "nsd $startup_ms $(rss_kb) -1" >> "$work/rows"
  stop_server
  echo "round $round done" >&2
done
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("| server | load to answering, s: median (range) | resident MB (PSS): median (range) | heap after GC, MB |")
print("|---|---:|---:|---:|")
for server in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == server]
    t = [int(r[1]) / 1000 for r in mine]
    m = [int(r[2]) / 1024 for r in mine]
    h = [int(r[3]) / 1024 for r in mine if int(r[3]) >= 0]
    print("| %s | %.1f (%.1f..%.1f) | %.0f (%.0f..%.0f) | %s |" % (server, statistics.median(t), min(t), max(t),
          statistics.median(m), min(m), max(m), "%.0f" % statistics.median(h) if h else "-"))
PY
