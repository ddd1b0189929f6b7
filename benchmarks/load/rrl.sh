#!/usr/bin/env bash
# Response rate limiting beside NSD's and Knot's: each server serves the same zone with rate limiting at the same rate
# and slip, and dnsperf floods it from one address (127.0.0.2) with one question whose answer is larger than the
# query, as an amplification attack would; the table gives, per server, the answers that came back full, those that
# came back slipped (TC) or not at all, and the amplification: octets received per octet sent.
#
#   bash benchmarks/load/rrl.sh          (from the project root; RRL_RATE=50 FLOOD_QPS=5000 FLOOD_SECONDS=5 ROUNDS=3;
#                                         SERVERS="chivato nsd knot")
#
# Every figure is the median of ROUNDS floods, the spread beside it. Traffic goes to 127.0.0.1 from 127.0.0.2 only,
# and every flood stops by itself after FLOOD_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"

RRL_RATE=${RRL_RATE:-50}
FLOOD_QPS=${FLOOD_QPS:-5000}
FLOOD_SECONDS=${FLOOD_SECONDS:-5}
ROUNDS=${ROUNDS:-3}
SERVERS=${SERVERS:-"chivato nsd knot"}
install_missing dnsperf:dnsperf nsd:nsd knotd:knot

work=$(mktemp -d)
pids=()
trap stop_all EXIT

write_zone() {
  cat > "$work/rrl.example.zone" <<'ZONE'
$ORIGIN rrl.example.
$TTL 300
@    IN SOA ns.rrl.example. hostmaster.rrl.example. 1 3600 600 86400 300
@    IN NS ns
ns   IN A 127.0.0.1
www  IN A 192.0.2.80
www  IN A 192.0.2.81
www  IN A 192.0.2.82
www  IN TXT "a record to make the answer larger than the question, as an amplifier's would be"
ZONE
  echo "www.rrl.example TXT" > "$work/queries"
}

start_chivato() {
  local port; port=$(free_port)
  java -Xms256m -Xmx512m -jar server/target/chivato.jar --listen "127.0.0.1:$port" --zone "$work/rrl.example.zone" \
    --threads 1 --log off --rrl "$RRL_RATE" --rrl-slip 2 > "$work/chivato.out" 2>&1 &
  server_pids=($!); pids+=($!)
  server_port=$port
}

start_nsd() {
  local port; port=$(free_port)
  write_nsd_conf "$port" rrl.example
  sed -i "s/rrl-ratelimit: 0/rrl-ratelimit: $RRL_RATE\n  rrl-slip: 2/" "$work/nsd.conf"
  nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
  pids+=($!)
  server_port=$port
  wait_for_port "$port" rrl.example
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
  pids+=("${server_pids[@]}")
}

start_knot() {
  local port; port=$(free_port)
  write_knot_conf "$port" "$RRL_RATE" rrl.example
  knotd -c "$work/knot.conf" > "$work/knot.out" 2>&1 &
  server_pids=($!); pids+=($!)
  server_port=$port
}

# One flood; prints "sent completed request_octets response_octets".
flood() {
  local out
  out=$(dnsperf -s 127.0.0.1 -p "$server_port" -a 127.0.0.2 -d "$work/queries" -c 1 -q 10000 -t 1 \
    -l "$FLOOD_SECONDS" -Q "$FLOOD_QPS" 2>&1)
  awk '/Queries sent:/ {s=$3} /Queries completed:/ {c=$3} /Average packet size:/ {q=$5; r=$7}
       END {gsub(",", "", q); print s, c, q, r}' <<<"$out"
}

main() {
  [ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests >&2
  write_zone
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, rate $RRL_RATE/s slip 2, flood $FLOOD_QPS/s for ${FLOOD_SECONDS}s from one address, $ROUNDS rounds; NSD $(dpkg-query -W -f='${Version}' nsd 2>/dev/null), Knot $(dpkg-query -W -f='${Version}' knot 2>/dev/null)" >&2
  : > "$work/rows"
  for server in $SERVERS; do
    "start_$server"
    wait_for_port "$server_port" rrl.example
    for _ in $(seq "$ROUNDS"); do
      echo "$server $(flood)" >> "$work/rows"
      sleep 17 # an account forgives a flood within its window (BIND's and ours: 15 s)
    done
    stop_server
  done
  python3 - "$work/rows" "$RRL_RATE" "$FLOOD_SECONDS" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
print("| server | queries sent | answers back (full or TC) | answers back per second | amplification (octets back / octets sent) |")
print("|---|---:|---:|---:|---:|")
for server in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == server]
    sent = [int(r[1]) for r in mine]
    back = [int(r[2]) for r in mine]
    amp = [int(r[2]) * float(r[4]) / (int(r[1]) * float(r[3])) for r in mine]
    seconds = float(sys.argv[3])
    print("| %s | %d | %d (%d..%d) | %.0f | %.3f (%.3f..%.3f) |" % (server, statistics.median(sent),
          statistics.median(back), min(back), max(back), statistics.median(back) / seconds,
          statistics.median(amp), min(amp), max(amp)))
PY
}

main "$@"
