# Shared by the load scripts: the seed's records for each server, the query mix, and measuring with dnsperf.
# Sourcing scripts set work (a temp dir), server_pids and server_port.

# Each measured figure is the median of RUNS runs of SECONDS_PER_RUN seconds after one warm-up run, with CLIENTS
# dnsperf clients; the server runs on SERVER_CPU and dnsperf on LOAD_CPU, so neither takes the other's core.
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
CLIENTS=${CLIENTS:-8}
# RATE=N offers N queries a second (dnsperf -Q) instead of as many as the server takes: below saturation, two servers
# then do the same work per second and their CPU per query compares work alone, not how well each batches.
RATE=${RATE:-}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

# Installs from Debian what is missing of TOOL:PACKAGE... (dig, used to wait for every server, always).
install_missing() { # tool:package...
  local need=() tool
  for tool in dig:bind9-dnsutils "$@"; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
  fi
}

write_seed_records() {
  local dir=$1
  cat > "$dir/hosts" <<'HOSTS'
1.2.3.4 example.com
1.2.3.5 example.com example.my
HOSTS
  cat > "$dir/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
@ IN A 1.2.3.4
@ IN A 1.2.3.5
ns IN A 127.0.0.1
ZONE
  cat > "$dir/example.my.zone" <<'ZONE'
$ORIGIN example.my.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
@ IN A 1.2.3.5
ZONE
  cat > "$dir/3.2.1.in-addr.arpa.zone" <<'ZONE'
$ORIGIN 3.2.1.in-addr.arpa.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
4 IN PTR example.com.
5 IN PTR example.com.
5 IN PTR example.my.
ZONE
}

# The query mix: A hit, A miss (NXDOMAIN), AAAA NODATA, PTR hit, in turn; 4,000 lines.
write_query_mix() {
  local file=$1
  : > "$file"
  for _ in $(seq 1000); do
    printf 'example.com A\nnowhere.example.com A\nexample.com AAAA\n5.3.2.1.in-addr.arpa PTR\n' >> "$file"
  done
}

# An NSD configuration in $work/nsd.conf: one server process on 127.0.0.1:PORT, rate limiting off (it would cap the
# load at 200 answers a second), nothing written outside $work, each zone NAME served from $work/NAME.zone.
write_nsd_conf() { # port zone-name...
  local port=$1; shift
  {
    cat <<CONF
server:
  ip-address: 127.0.0.1@$port
  username: ""
  chroot: ""
  zonesdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  database: ""
  server-count: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
CONF
    for zone in "$@"; do printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$zone" "$zone"; done
  } > "$work/nsd.conf"
}

# A Knot configuration in $work/knot.conf: one worker of each kind on 127.0.0.1:PORT, rate limiting (mod-rrl, slip 2)
# at RRL_RATE answers a second unless it is 0, nothing written outside $work, each zone NAME served from
# $work/NAME.zone.
write_knot_conf() { # port rrl-rate zone-name...
  local port=$1 rate=$2; shift 2
  mkdir -p "$work/knot"
  {
    cat <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: "$work/knot"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$work/knot"
log:
  - target: "$work/knot/knot.log"
    any: error
CONF
    if [ "$rate" != 0 ]; then printf 'mod-rrl:\n  - id: flood\n    rate-limit: %s\n    slip: 2\n' "$rate"; fi
    cat <<CONF
template:
  - id: default
    storage: "$work"
    journal-content: none
    zonefile-sync: -1
CONF
    if [ "$rate" != 0 ]; then printf '    global-module: mod-rrl/flood\n'; fi
    echo "zone:"
    for zone in "$@"; do printf '  - domain: %s\n    file: %s.zone\n' "$zone" "$zone"; done
  } > "$work/knot.conf"
}

# The EXIT trap of a script that starts servers: stops every process in $pids (politely, then not), removes $work.
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {
  local port=$1
  for _ in $(seq 200); do
    if dig @127.0.0.1 -p "$port" +time=1 +tries=1 example.com A >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "server on port $port did not answer" >&2
  return 1
}

# Waits until the server on PORT answers NAME with the A record ADDRESS (at most SECONDS, 300 unless given). One
# process asks every 20 ms from one socket: a dig started per try costs about 40 ms of CPU, a fifth of a 2-core
# machine at that rate, taken from the server being timed (and more from one that loads on both cores than from one
# that loads on one).
await_address() { # port name address [seconds]
  python3 - "$@" <<'PY'
import socket, struct, sys, time
port, name, address = int(sys.argv[1]), sys.argv[2], sys.argv[3]
deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 300)
question = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0\0\1\0\1"
want = socket.inet_aton(address)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.02)
qid = 0
while time.monotonic() < deadline:
    qid = (qid + 1) & 0xffff
    try:
        s.sendto(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question, ("127.0.0.1", port))
        while True:
            reply = s.recv(65535)
            if reply[:2] == struct.pack(">H", qid):
                break
    except OSError:  # no answer within 20 ms, or nothing listening yet (ICMP refused): ask again
        time.sleep(0.02)
        continue
    if struct.unpack(">H", reply[6:8])[0] > 0 and want in reply[12 + len(question):]:
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
}

# chivato as its launcher runs it (server/src/dist/bin/chivato: huge pages where the kernel offers them, then
# JAVA_OPTS), on the jar given: prints the path of a copy of the launcher beside a link to that jar, in $work.
chivato_launcher() { # jar
  local home="$work/chivato-home"
  mkdir -p "$home/bin" "$home/lib"
  cp server/src/dist/bin/chivato "$home/bin/chivato"
  ln -sfn "$(readlink -f "$1")" "$home/lib/chivato.jar"
  echo "$home/bin/chivato"
}

# The JVM option the launcher adds on this machine (the same test as bin/chivato's), for a Java peer that is to run
# as chivato does: the echo, the JVM's floor beside it.
launcher_pages() {
  case $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) in
    *'[always]'*|*'[madvise]'*) echo -XX:+UseTransparentHugePages ;;
  esac
}

# CPU ticks (utime + stime) of the given processes; the command field may hold spaces, so read after the last ')'.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    fields=$(sed 's/.*) //' "/proc/$pid/stat")
    set -- $fields
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# CPU ticks of each thread of the given processes, by thread name (threads of one name summed): "name user system"
# a line, the name with its spaces made underscores.
thread_ticks() {
  local pid task
  for pid in "$@"; do
    for task in /proc/"$pid"/task/*; do
      [ -r "$task/stat" ] || continue
      printf '%s %s\n' "$(tr ' ' _ < "$task/comm")" "$(sed 's/.*) //' "$task/stat" | cut -d' ' -f12,13)"
    done
  done | awk '{usr[$1] += $2; sys[$1] += $3} END {for (name in usr) print name, usr[name], sys[name]}' | sort
}

# The CPU each thread spent a query between two thread_ticks snapshots: "name user_us system_us" a line, for the
# threads that spent any.
thread_cpu_per_query() { # before-file after-file queries
  join "$1" "$2" | awk -v queries="$3" -v hz="$(getconf CLK_TCK)" '{
    usr = ($4 - $2) / hz * 1e6 / queries; sys = ($5 - $3) / hz * 1e6 / queries
    if (usr + sys > 0) printf "%s %.2f %.2f\n", $1, usr, sys }'
}

stop_server() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

# One dnsperf run; prints "qps lost completed latency_ms cpu_us_per_query".
run_dnsperf() { # mode seconds
  local before after out
  before=$(cpu_ticks "${server_pids[@]}")
  # DNSPERF_ARGS: more of dnsperf's options for this row (EDNS and a COOKIE option, say)
  out=$(taskset -c $LOAD_CPU dnsperf -s 127.0.0.1 -p "$server_port" -d "$work/queries" -c "$CLIENTS" -T 1 \
    -l "$2" -m "$1" -t 2 ${RATE:+-Q "$RATE"} ${DNSPERF_ARGS:-} 2>&1)
  after=$(cpu_ticks "${server_pids[@]}")
  local completed lost qps latency
  completed=$(awk '/Queries completed:/ {print $3; exit}' <<<"$out")
  lost=$(awk '/Queries lost:/ {print $3; exit}' <<<"$out")
  qps=$(awk '/Queries per second:/ {print $4; exit}' <<<"$out")
  latency=$(awk '/Average Latency \(s\)/ {print $4; exit}' <<<"$out")
  local hz; hz=$(getconf CLK_TCK)
  python3 -c "
c=$completed; t=($after-$before)/$hz
print('%.0f %s %d %.3f %.2f' % ($qps, '$lost', c, $latency*1000, (t*1e6/c) if c else float('nan')))"
}

# Warm-up, then RUNS measured runs; prints the median of each column.
measure() { # label mode: the medians of RUNS runs, and the range of the CPU figure
  run_dnsperf "$2" "$WARMUP_SECONDS" > /dev/null
  local results=()
  for _ in $(seq "$RUNS"); do results+=("$(run_dnsperf "$2" "$SECONDS_PER_RUN")"); done
  printf '%s\n' "${results[@]}" > "$work/runs"
  python3 - "$1" "$work/runs" <<'PY'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
med = [statistics.median(col) for col in zip(*rows)]
cpu = [r[4] for r in rows]
print("%s\t%.0f\t%.0f\t%.3f\t%.2f\t%.2f..%.2f" % (label, med[0], med[1], med[3], med[4], min(cpu), max(cpu)))
PY
}


# Heap in use after a full GC, in KB, summed over the generations (Serial, Parallel) or the one G1 heap.
heap_after_gc() { # pid
  jcmd "$1" GC.run > /dev/null
  jcmd "$1" GC.heap_info | awk '/generation|heap/ && !/Metaspace|class space/ {
      for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); total += v } }
    END { print total + 0 }'
}
