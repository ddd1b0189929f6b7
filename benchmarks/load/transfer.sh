#!/usr/bin/env bash
# A zone of a million records transferred (AXFR) from chivato and from an NSD primary, in the same run, each primary
# alone on CPU 0, the readers on CPU 1. After WARM transfers thrown away (a primary serves transfers again and
# again; these also give the JIT the path), three figures per primary:
#   read alone: a reader that does no work (axfr_read.py) takes the whole transfer, median of READS: the primary's
#     side alone;
#   to the secondary: an NSD secondary's own figure for the transfer ("received ... in S seconds" in its log);
#   secondary answers: from starting the secondary until it answers the zone's last name (the secondary then
#     stores the zone: most of this is its own work, the same whichever primary);
# and the primary's resident memory before the transfer and at its peak during it (the kernel's high-water mark,
# reset just before: /proc/PID/clear_refs 5, then VmHWM).
#
#   bash benchmarks/load/transfer.sh     (RECORDS=1000000 RUNS=2 WARM=5 READS=3 by default; WARM=0 for first ones)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-2}
WARM=${WARM:-5}
READS=${READS:-3}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

install_missing nsd:nsd
[ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
server_pids=()
secondary_pids=()
cleanup() {
  stop_server
  for pid in "${secondary_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work" "$RECORDS" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(work + "/example.net.zone", "w") as f:
    f.write("$ORIGIN example.net.\n$TTL 300\n@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\n"
            "ns1 A 192.0.2.53\n")
    for i in range(n - 3):
        f.write("host%d A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
PY
last_host="host$((RECORDS - 4)).example.net"

status_kb() { # field (VmRSS, VmHWM): summed over the primary's processes
  local total=0 pid
  for pid in "${server_pids[@]}"; do
    total=$((total + $(awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

await_soa() { # port
  for _ in $(seq 2400); do
    dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short example.net SOA 2>/dev/null | grep -q hostmaster && return 0
    sleep 0.05
  done
  echo "nothing answers example.net on port $1" >&2; return 1
}

start_chivato_primary() {
  server_port=$(free_port)
  taskset -c 0 java -jar server/target/chivato.jar --listen "127.0.0.1:$server_port" --threads 1 \
    --zone "$work/example.net.zone" --allow-transfer 127.0.0.1 --log json --log-file "$work/chivato.log" \
    > "$work/chivato.out" 2>&1 &
  server_pids=($!)
  await_soa "$server_port"
}

start_nsd_primary() {
  server_port=$(free_port)
  write_nsd_conf "$server_port" example.net
  printf '  provide-xfr: 127.0.0.1 NOKEY\n' >> "$work/nsd.conf"
  taskset -c 0 nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
  await_soa "$server_port"
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
}

# Starts an NSD secondary of the primary on CPU 1 and waits until it answers the zone's last name; prints ms.
transfer_ms() {
  local dir="$work/secondary" port; port=$(free_port)
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  database: ""
  server-count: 1
  xfrd-reload-timeout: 0
  verbosity: 2
remote-control:
  control-enable: no
zone:
  name: example.net
  zonefile: "$dir/example.net.zone"
  request-xfr: AXFR 127.0.0.1@$server_port NOKEY
CONF
  for pid in "${server_pids[@]}"; do echo 5 > "/proc/$pid/clear_refs"; done # the peak starts from now
  local start; start=$(date +%s%N)
  taskset -c 1 nsd -d -c "$dir/nsd.conf" > "$dir/out" 2>&1 &
  secondary_pids=($!)
  for _ in $(seq 6000); do
    [ "$(dig @127.0.0.1 -p "$port" +time=1 +tries=1 +short "$last_host" 2>/dev/null)" != "" ] && break
    sleep 0.02
  done
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  local peak; peak=$(status_kb VmHWM)
  # NSD's own figure for the transfer: "received update to serial ... of N bytes in S seconds"
  local secondary_ms; secondary_ms=$(sed -n 's/.* bytes in \([0-9.]*\) seconds.*/\1/p' "$dir/nsd.log" | head -1 \
    | awk '{printf "%d", $1 * 1000}')
  for pid in $(pgrep -f "nsd -d -c $dir/nsd.conf"); do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  echo "$ms ${secondary_ms:-0} $peak"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(java -version 2>&1 | head -1), $(nsd -v 2>&1 | head -1), $RECORDS records" >&2
printf '| primary | run | read alone, ms | to the secondary, ms | secondary answers, ms | primary resident before, MB | primary resident peak, MB |\n|---|---:|---:|---:|---:|---:|---:|\n'
for run in $(seq "$RUNS"); do
  for primary in chivato nsd; do
    "start_${primary}_primary"
    # One whole transfer first, read by dig on the other CPU and thrown away: a primary serves transfers again and
    # again, so the one measured is not its first (for chivato, not one the JIT has not compiled yet).
    # WARM whole transfers first, read on the other CPU by a reader that does no work and thrown away: a primary
    # serves transfers again and again, so the ones measured are not its first (for chivato, not ones the JIT has
    # not compiled yet); then READS more, timed: the primary's side of a transfer alone.
    [ "$WARM" = 0 ] || taskset -c 1 python3 "$here/axfr_read.py" "$server_port" example.net "$((RECORDS + 1))" "$WARM" \
      > /dev/null
    read_ms=$(taskset -c 1 python3 "$here/axfr_read.py" "$server_port" example.net "$((RECORDS + 1))" "$READS" | median)
    before=$(status_kb VmRSS)
    read -r ms secondary_ms peak < <(transfer_ms)
    printf '| %s | %d | %d | %d | %d | %d | %d |\n' "$primary" "$run" "$read_ms" "$secondary_ms" "$ms" \
      "$((before / 1024))" "$((peak / 1024))"
    stop_server
  done
done
grep '"kind":"transfer"' "$work/chivato.log" | sed 's/^/# chivato log: /' >&2 || true
