#!/usr/bin/env bash
# Forwarders side by side: chivato, dnsdist, dnsmasq and Unbound, each forwarding to the same NSD upstream, at one
# fixed offered rate below everyone's saturation (dnsperf -Q), the forwarder pinned to CPU 0, NSD and dnsperf on
# CPU 1. Server CPU microseconds per query from /proc, median of RUNS runs after a warm-up (with their range).
# chivato runs through its launcher (bin/chivato), as installed.
#   miss path: a new name every query (caches off where possible; Unbound always caches, so the names never repeat);
#   hit path: 12 names in turn, caches on; and chivato answering the same 12 names from its own records.
#
#   bash benchmarks/load/forward.sh     (RATE=20000 RUNS=3 SECONDS_PER_RUN=10 FORWARDERS="chivato dnsdist dnsmasq
#                                        unbound" by default; CHIVATO_JAR=PATH runs another build of chivato;
#                                        SYSCALLS=1 adds the server's system calls per query, and how many of them
#                                        are epoll_wait, counted by perf over each run: it slows the server a little,
#                                        so compare its CPU figures only with runs that counted too;
#                                        PAIRS=N instead runs chivato and dnsdist side by side, both started, their
#                                        runs in turn, N pairs a path, and prints each pair's ratio and the median
#                                        (a third path, "own", pairs chivato answering from its own records with
#                                        dnsdist's cached answers):
#                                        on a host whose speed changes for seconds at a time, neighbours compare
#                                        better than medians taken minutes apart;
#                                        THREADS=1 adds where each server's CPU went, by thread, user and system
#                                        time a query, on the standard error)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"
RATE=${RATE:-20000}
FORWARDERS=${FORWARDERS:-chivato dnsdist dnsmasq unbound}
CHIVATO_JAR=${CHIVATO_JAR:-server/target/chivato.jar} # another build's, to compare two versions

install_missing dnsperf:dnsperf nsd:nsd dnsdist:dnsdist dnsmasq:dnsmasq-base unbound:unbound
if [ -n "${SYSCALLS:-}" ]; then install_missing perf:linux-perf; fi
[ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
server_pids=()
upstream_pids=()
cleanup() {
  stop_server
  for pid in "${upstream_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # NSD writes its state as it exits: removing $work under it fails ("Directory not empty")
  for pid in "${upstream_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The upstream: NSD serving bench.test, where every name exists (a wildcard), on the load generator's CPU. (Unbound
# answers test. itself, NXDOMAIN, unless told not to: RFC 6761's special-use names.)
cat > "$work/bench.test.zone" <<'ZONE'
$ORIGIN bench.test.
$TTL 3600
@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
ns A 192.0.2.53
* A 192.0.2.1
ZONE
upstream_port=$(free_port)
write_nsd_conf "$upstream_port" bench.test
taskset -c "$LOAD_CPU" nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
sleep 0.5
mapfile -t upstream_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
for _ in $(seq 100); do dig @127.0.0.1 -p "$upstream_port" +short +time=1 +tries=1 x.bench.test | grep -q . && break; sleep 0.1; done

for i in $(seq 12); do echo "www$i.bench.test A"; done > "$work/hit-queries"
own_records=() # the same 12 names as chivato's own records
for i in $(seq 12); do own_records+=(--record "192.0.2.1 www$i.bench.test"); done
next_miss=0
# A file of names never asked before, enough for one run at RATE.
miss_queries() { # seconds
  next_miss=$((next_miss + 1))
  python3 -c "
import sys
n = int(sys.argv[1]) * $RATE * 12 // 10
print('\n'.join('m%d-%d.bench.test A' % ($next_miss, i) for i in range(n)))" "$1" > "$work/queries"
}

# One dnsperf run at the fixed rate; prints "qps lost completed latency_ms cpu_us_per_query", and with SYSCALLS
# "syscalls_per_query epoll_waits_per_query" after them.
run_rate() { # seconds
  local before after out counter=""
  if [ -n "${SYSCALLS:-}" ]; then
    perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_epoll_wait -o "$work/syscalls" \
      -p "$(IFS=,; echo "${server_pids[*]}")" &
    counter=$!
  fi
  if [ -n "$threads_file" ]; then thread_ticks "${server_pids[@]}" > "$work/threads-before"; fi
  before=$(cpu_ticks "${server_pids[@]}")
  out=$(taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$server_port" -d "$work/queries" -c "$CLIENTS" -T 1 \
    -l "$1" -Q "$RATE" -t 2 2>&1)
  after=$(cpu_ticks "${server_pids[@]}")
  if [ -n "$threads_file" ]; then
    thread_ticks "${server_pids[@]}" > "$work/threads-after"
    thread_cpu_per_query "$work/threads-before" "$work/threads-after" \
      "$(awk '/Queries completed:/ {print $3; exit}' <<<"$out")" >> "$threads_file"
  fi
  if [ -n "$counter" ]; then kill -INT "$counter"; wait "$counter" || true; fi
  python3 - "$before" "$after" "$(getconf CLK_TCK)" "${SYSCALLS:+$work/syscalls}" <<PY
import re, sys
out = """$out"""
before, after, hz = map(int, sys.argv[1:4])
get = lambda pattern: re.search(pattern, out).group(1)
completed = int(get(r"Queries completed:\s+(\d+)"))
line = "%s %s %d %.3f %.2f" % (get(r"Queries per second:\s+([\d.]+)"), get(r"Queries lost:\s+(\d+)"), completed,
       float(get(r"Average Latency \(s\):\s+([\d.]+)")) * 1000, (after - before) / hz * 1e6 / completed)
if sys.argv[4]:
    counts = {}
    for row in open(sys.argv[4]):
        fields = row.strip().split(",")
        if len(fields) > 2 and fields[0].isdigit():
            counts[fields[2]] = int(fields[0])
    line += " %.2f %.2f" % (counts["raw_syscalls:sys_enter"] / completed, counts["syscalls:sys_enter_epoll_wait"] / completed)
print(line)
PY
}

# With THREADS, where the server's CPU went by thread: each thread's median over the runs, on the standard error.
threads_file=""
thread_summary() { # label file
  python3 - "$1" "$2" >&2 <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[2]):
    name, user, system = line.split()
    runs[name].append((float(user), float(system)))
for name, values in sorted(runs.items(), key=lambda item: -sum(map(sum, item[1]))):
    print("# %s, thread %s: user %.2f, system %.2f µs/query (median of %d runs)" % (sys.argv[1], name,
          statistics.median(v[0] for v in values), statistics.median(v[1] for v in values), len(values)))
PY
}

measure_rate() { # label miss|hit
  if [ "$2" = miss ]; then miss_queries "$WARMUP_SECONDS"; else cp "$work/hit-queries" "$work/queries"; fi
  run_rate "$WARMUP_SECONDS" > /dev/null
  : > "$work/runs"
  if [ -n "${THREADS:-}" ]; then threads_file=$work/threads; : > "$threads_file"; fi
  for _ in $(seq "$RUNS"); do
    if [ "$2" = miss ]; then miss_queries "$SECONDS_PER_RUN"; fi
    run_rate "$SECONDS_PER_RUN" >> "$work/runs"
  done
  if [ -n "$threads_file" ]; then thread_summary "$1" "$threads_file"; threads_file=""; fi
  python3 - "$1" "$work/runs" >> "$work/table" <<'PY'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
med = [statistics.median(col) for col in zip(*rows)]
cpu = [r[4] for r in rows]
calls = "\t%.2f\t%.2f" % (med[5], med[6]) if len(med) > 5 else ""
print("%s\t%.0f\t%.0f\t%.3f\t%.2f (%.2f..%.2f)%s" % (label, med[0], med[1], med[3], med[4], min(cpu), max(cpu), calls))
PY
  stop_server
}

start() { # command...
  server_port=$(free_port)
  local args=("$@")
  args=("${args[@]//PORT/$server_port}")
  taskset -c "$SERVER_CPU" "${args[@]}" > "$work/server.out" 2>&1 &
  server_pids=($!)
  wait_for_port "$server_port"
}

chivato() { # extra arguments...
  start "$(chivato_launcher "$CHIVATO_JAR")" --listen 127.0.0.1:PORT --threads 1 --log off "$@"
}

dnsdist_conf() { # cache|nocache [randomized]
  {
    echo 'setLocal("127.0.0.1:PORT")'
    echo "newServer({address=\"127.0.0.1:$upstream_port\"})"
    echo 'setSecurityPollSuffix("")'
    if [ "$1" = cache ]; then echo 'pc = newPacketCache(10000) getPool(""):setCache(pc)'; fi
    if [ "${2:-}" = randomized ]; then echo 'setRandomizedIdsOverUDP(true) setRandomizedOutgoingSockets(true)'; fi
  } > "$work/dnsdist.conf.in"
}
dnsdist_start() {
  server_port=$(free_port)
  sed "s/PORT/$server_port/" "$work/dnsdist.conf.in" > "$work/dnsdist.conf"
  taskset -c "$SERVER_CPU" dnsdist --supervised --disable-syslog -C "$work/dnsdist.conf" > "$work/server.out" 2>&1 &
  server_pids=($!)
  wait_for_port "$server_port"
}

dnsmasq_start() { # cache size
  start dnsmasq -k --no-resolv --no-hosts --port=PORT --listen-address=127.0.0.1 --bind-interfaces \
    "--server=127.0.0.1#$upstream_port" "--cache-size=$1" -u root
}

unbound_start() {
  server_port=$(free_port)
  cat > "$work/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $server_port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: ""
  use-syslog: no
  do-not-query-localhost: no
  module-config: "iterator"
  domain-insecure: "bench.test"
  local-zone: "test." nodefault
  num-threads: 1
  access-control: 127.0.0.0/8 allow
forward-zone:
  name: "bench.test"
  forward-addr: 127.0.0.1@$upstream_port
CONF
  taskset -c "$SERVER_CPU" unbound -c "$work/unbound.conf" > "$work/server.out" 2>&1 &
  server_pids=($!)
  wait_for_port "$server_port"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, chivato on $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -1), $(dnsdist --version | head -1)," \
  "$(dnsmasq --version | head -1 | cut -d' ' -f1-3), Unbound $(unbound -V | head -1 | cut -d' ' -f2), $(nsd -v 2>&1 | head -1)," \
  "rate $RATE/s" >&2

wants() { [[ " $FORWARDERS " == *" $1 "* ]]; }

# PAIRS=N: chivato and dnsdist both running, one run of each in turn (each its own new names on the miss path).
# "own" pairs chivato answering the 12 names from its own records (its UDP read by a blocked thread, no selector)
# with dnsdist's cached answers: what a cached answer would cost without the forwarding loop's selector.
paired() { # miss|hit|own
  local no_cache=() dnsdist_cache=cache
  if [ "$1" = miss ]; then no_cache=(--cache 0); dnsdist_cache=nocache; fi
  if [ "$1" = own ]; then chivato "${own_records[@]}"
  else chivato --forward "127.0.0.1:$upstream_port" "${no_cache[@]}"; fi
  local chivato_port=$server_port chivato_pids=("${server_pids[@]}")
  dnsdist_conf "$dnsdist_cache"; dnsdist_start
  local dnsdist_port=$server_port dnsdist_pids=("${server_pids[@]}")
  server_pids=("${chivato_pids[@]}" "${dnsdist_pids[@]}") # what stop_server (and the exit) stop
  local name port pids
  for name in chivato dnsdist; do : > "$work/pairs-$name"; : > "$work/threads-$name"; done
  for pair in warm-up $(seq "$PAIRS"); do
    for name in chivato dnsdist; do
      if [ "$name" = chivato ]; then port=$chivato_port; pids=("${chivato_pids[@]}")
      else port=$dnsdist_port; pids=("${dnsdist_pids[@]}"); fi
      if [ "$1" = miss ]; then miss_queries "$SECONDS_PER_RUN"; else cp "$work/hit-queries" "$work/queries"; fi
      local saved_pids=("${server_pids[@]}")
      server_port=$port; server_pids=("${pids[@]}")
      if [ "$pair" = warm-up ]; then run_rate "$WARMUP_SECONDS" > /dev/null
      else
        if [ -n "${THREADS:-}" ]; then threads_file=$work/threads-$name; fi
        run_rate "$SECONDS_PER_RUN" >> "$work/pairs-$name"
        threads_file=""
      fi
      server_pids=("${saved_pids[@]}")
    done
  done
  python3 - "$1" "$work/pairs-chivato" "$work/pairs-dnsdist" <<'PY'
import statistics, sys
path, mine, theirs = sys.argv[1], sys.argv[2], sys.argv[3]
cpu = lambda f: [float(line.split()[4]) for line in open(f) if line.strip()]
c, d = cpu(mine), cpu(theirs)
ratios = [a / b for a, b in zip(c, d)]
print("| %s | %s | %s | %s | %.2f (%.2f..%.2f) |" % (path, ", ".join("%.2f" % x for x in c),
      ", ".join("%.2f" % x for x in d), ", ".join("%.2f" % r for r in ratios), statistics.median(ratios),
      min(ratios), max(ratios)))
PY
  if [ -n "${THREADS:-}" ]; then
    for name in chivato dnsdist; do thread_summary "$name, $1" "$work/threads-$name"; done
  fi
  stop_server
}

if [ -n "${PAIRS:-}" ]; then
  echo "| path | chivato, server CPU µs/query: runs in turn | dnsdist, the same | chivato / dnsdist, each pair | median (range) |"
  echo "|---|---|---|---|---:|"
  paired miss
  paired hit
  paired own
  exit 0
fi
if wants chivato; then chivato --forward "127.0.0.1:$upstream_port" --cache 0; measure_rate "chivato, miss" miss; fi
if wants dnsdist; then
  dnsdist_conf nocache; dnsdist_start; measure_rate "dnsdist, miss (fixed ports, sequential IDs)" miss
  dnsdist_conf nocache randomized
  sed 's/PORT/5300/' "$work/dnsdist.conf.in" > "$work/dnsdist-check.conf"
  if dnsdist --check-config -C "$work/dnsdist-check.conf" >/dev/null 2>&1; then
    dnsdist_start; measure_rate "dnsdist, miss (randomized IDs and sockets)" miss
  else
    echo "dnsdist $(dnsdist --version | head -1 | cut -d' ' -f2) has no setRandomizedIdsOverUDP: not measured" >&2
  fi
fi
if wants dnsmasq; then dnsmasq_start 0; measure_rate "dnsmasq, miss" miss; fi
if wants unbound; then unbound_start; measure_rate "unbound, miss" miss; fi

if wants chivato; then chivato --forward "127.0.0.1:$upstream_port"; measure_rate "chivato, hit" hit; fi
if wants dnsdist; then dnsdist_conf cache; dnsdist_start; measure_rate "dnsdist, hit" hit; fi
if wants dnsmasq; then dnsmasq_start 10000; measure_rate "dnsmasq, hit" hit; fi
if wants unbound; then unbound_start; measure_rate "unbound, hit" hit; fi
if wants chivato; then
  chivato "${own_records[@]}"; measure_rate "chivato, own records (no forwarding)" hit
fi

if [ -n "${SYSCALLS:-}" ]; then
  echo "| forwarder, path | qps | lost | latency, ms | server CPU µs/query: median (range) | system calls/query | epoll_wait/query |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$work/table"
else
  echo "| forwarder, path | qps | lost | latency, ms | server CPU µs/query: median (range) |"
  echo "|---|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$work/table"
fi
