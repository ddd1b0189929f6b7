#!/usr/bin/env bash
# One command for the load comparison: chivato against NSD, Knot and Twisted Names on this machine, every server
# serving the seed's records on 127.0.0.1 and pinned to CPU 0, dnsperf pinned to CPU 1. chivato runs through its
# launcher (bin/chivato, with the huge pages it asks for) and the echo with the same JVM option.
#
#   bash benchmarks/load/compare.sh            (from the project root; RUNS=3 SECONDS_PER_RUN=10 by default;
#                                               SERVERS="chivato chivato-log nsd" TRANSPORTS=udp for a subset;
#                                               chivato-log is chivato with the JSON query log to a file,
#                                               chivato-textlog with the text one (the default format),
#                                               chivato-cookie is chivato asked with EDNS and a client cookie
#                                               (every answer makes a server cookie), chivato-rrl the same with
#                                               --rrl at a rate no client reaches (the accounting without a flood),
#                                               nsd-rrl NSD with rrl-ratelimit at the same rate;
#                                               chivato-metrics is chivato with --metrics on, chivato-web
#                                               with --web and one page (curl) following the live feed, chivato-dnstap
#                                               with --dnstap to a file, echo the JVM's UDP floor: Echo.java;
#                                               echo25 the same on JAVA25, echo-mmsg a batched floor on JAVA25
#                                               (EchoMmsg.java: recvmmsg/sendmmsg through FFM), echo-mmsg-recv
#                                               the same sending each with sendto, echo-ffm one datagram a call
#                                               through FFM (recvmmsg of one, sendto), chivato25
#                                               chivato on JAVA25 (default /usr/lib/jvm/temurin-25-jdk-amd64),
#                                               which reads UDP in batches (recvmmsg), chivato25-single the
#                                               same with batches off (-Dchivato.udp.batches=off);
#                                               CHIVATO_JAR=PATH runs another build of chivato;
#                                               RATE=N offers N queries a second, see lib.sh;
#                                               PAIRS=N starts every server at once and runs them in turn, N
#                                               rounds over the first of TRANSPORTS, with each round's ratio to
#                                               NSD's: see paired below)
#
# Prints one table: queries per second, queries lost, mean latency and server CPU microseconds per query (utime +
# stime of every process of the server, from /proc, over the run), medians of RUNS runs (the CPU figure with its
# range), each with its ratio to NSD's in the same run.
# Everything it starts it stops, by PID. Traffic goes to 127.0.0.1 only, and every run stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
# shellcheck source=lib.sh
source "$here/lib.sh"

# Which rows to measure (all by default); the figures of a subset still come with NSD's from the same run.
SERVERS=${SERVERS:-"chivato chivato-log nsd knot twisted"}
TRANSPORTS=${TRANSPORTS:-"udp tcp"}
CHIVATO_JAR=${CHIVATO_JAR:-server/target/chivato.jar} # another build's, to compare two versions
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java} # for the rows that need JDK 22 or later

install_tools() {
  install_missing nsd:nsd knotd:knot dnsperf:dnsperf twistd3:python3-twisted
  [ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests >&2
}

work=$(mktemp -d)
pids=()
trap stop_all EXIT

start_chivato() { # name log_mode [extra arguments...]
  local java_home=${JAVA_HOME:-}
  local java_opts="-Xms256m -Xmx512m"
  case $1 in chivato25*) java_home=${JAVA25%/bin/java} ;; esac
  [ "$1" = chivato25-single ] && java_opts="$java_opts -Dchivato.udp.batches=off"
  local port; port=$(free_port)
  local log_args=(--log off)
  [ "$2" = on ] && log_args=(--log json --log-file "$work/chivato-query.log")
  [ "$2" = text ] && log_args=(--log text --log-file "$work/chivato-query.log")
  shift 2
  JAVA_HOME=$java_home JAVA_OPTS="$java_opts" taskset -c $SERVER_CPU "$(chivato_launcher "$CHIVATO_JAR")" \
    --listen "127.0.0.1:$port" --records "$work/hosts" --threads 1 "${log_args[@]}" "$@" > "$work/chivato.out" 2>&1 &
  server_pids=($!); pids+=($!)
  server_port=$port
}

# chivato with --web, and one page following its live feed as a browser's EventSource does (curl reads every line).
start_chivato_with_page() {
  local web; web=$(free_port)
  start_chivato chivato-web off --web "127.0.0.1:$web"
  wait_for_port "$server_port"
  local tries=0
  until curl -s -o /dev/null "http://127.0.0.1:$web/"; do
    tries=$((tries + 1)); [ $tries -lt 100 ] || { echo "the page did not start" >&2; exit 1; }
    sleep 0.1
  done
  curl -s -N "http://127.0.0.1:$web/api/live" > /dev/null &
  pids+=($!)
}

# The JVM's floor: a UDP echo that sets QR and does nothing else (Echo.java), with the JVM option chivato's launcher
# adds, UDP only; or, given a java and a source file, the same on another JDK, or batched (EchoMmsg.java, in the
# mode given).
start_echo() { # [java source [mode]]
  local java=${1:-java} source=${2:-$here/Echo.java} mode=${3:-}
  local port; port=$(free_port)
  taskset -c $SERVER_CPU "$java" --enable-native-access=ALL-UNNAMED -Xms256m -Xmx512m $(launcher_pages) "$source" \
    "$port" $mode > "$work/echo.out" 2>&1 &
  server_pids=($!); pids+=($!)
  server_port=$port
}

start_nsd() { # [rrl-ratelimit]
  local port; port=$(free_port)
  write_nsd_conf "$port" example.com example.my 3.2.1.in-addr.arpa
  if [ -n "${1:-}" ]; then sed -i "s/rrl-ratelimit: 0/rrl-ratelimit: $1/" "$work/nsd.conf"; fi
  taskset -c $SERVER_CPU nsd -d -c "$work/nsd.conf" > "$work/nsd.out" 2>&1 &
  pids+=($!)
  server_port=$port
  wait_for_port "$port"
  mapfile -t server_pids < <(pgrep -f "nsd -d -c $work/nsd.conf")
  pids+=("${server_pids[@]}")
}

start_knot() {
  local port; port=$(free_port)
  write_knot_conf "$port" 0 example.com example.my 3.2.1.in-addr.arpa
  taskset -c $SERVER_CPU knotd -c "$work/knot.conf" > "$work/knot.out" 2>&1 &
  server_pids=($!); pids+=($!)
  server_port=$port
}

start_twisted() {
  local port; port=$(free_port)
  (cd "$work" && exec taskset -c $SERVER_CPU /usr/bin/python3 /usr/bin/twistd3 -n --pidfile= dns -p "$port" \
    -i 127.0.0.1 --hosts-file="$work/hosts" > "$work/twisted.out" 2>&1) &
  server_pids=($!); pids+=($!)
  server_port=$port
}

# Starts one server of SERVERS on a free port (server_port), its processes in server_pids.
start_server() { # server
  case $1 in
    chivato) start_chivato "$1" off ;;
    chivato-log) start_chivato "$1" on ;;
    chivato-textlog) start_chivato "$1" text ;;
    chivato-metrics) start_chivato "$1" off --metrics 127.0.0.1:0 ;;
    chivato-web) start_chivato_with_page ;;
    chivato-cookie) start_chivato "$1" off ;;
    chivato-rrl) start_chivato "$1" off --rrl 1000000 ;;
    nsd-rrl) start_nsd 1000000 ;;
    chivato-dnstap) start_chivato "$1" off --dnstap "file:$work/chivato.dnstap" ;;
    chivato25) start_chivato "$1" off ;;
    chivato25-single) start_chivato "$1" off ;;
    echo) start_echo ;;
    echo25) start_echo "$JAVA25" ;;
    echo-mmsg) start_echo "$JAVA25" "$here/EchoMmsg.java" ;;
    echo-mmsg-recv) start_echo "$JAVA25" "$here/EchoMmsg.java" recv ;;
    echo-ffm) start_echo "$JAVA25" "$here/EchoMmsg.java" single ;;
    nsd) start_nsd ;;
    knot) start_knot ;;
    twisted) start_twisted ;;
    *) echo "compare.sh: no server called $1 (see the list at the top of this script)" >&2; exit 2 ;;
  esac
}

# dnsperf's extra options for a server's rows: the ones asked with EDNS and a client cookie.
dnsperf_args_for() { # server
  DNSPERF_ARGS=""
  case $1 in chivato-cookie|chivato-rrl) DNSPERF_ARGS="-e -E 10:0102030405060708" ;; esac
}

# PAIRS=N: every server of SERVERS started at once (each pinned to the server's CPU, idle while another is measured),
# then N rounds of one run each in turn over the first of TRANSPORTS; each server's CPU a query in every round, and
# its ratio to NSD's of the same round, with the median and range of those ratios. On a host whose speed changes for
# seconds at a time, runs a few seconds apart compare better than medians taken minutes apart.
paired() { # mode
  local mode=$1 server round
  declare -A ports pid_lists
  for server in $SERVERS; do
    start_server "$server"
    wait_for_port "$server_port"
    ports[$server]=$server_port
    pid_lists[$server]="${server_pids[*]}"
    : > "$work/rounds-$server"
  done
  for round in warm-up $(seq "$PAIRS"); do
    for server in $SERVERS; do
      server_port=${ports[$server]}
      read -ra server_pids <<< "${pid_lists[$server]}"
      dnsperf_args_for "$server"
      if [ "$round" = warm-up ]; then run_dnsperf "$mode" "$WARMUP_SECONDS" > /dev/null
      else run_dnsperf "$mode" "$SECONDS_PER_RUN" >> "$work/rounds-$server"; fi
    done
  done
  python3 - "$mode" "$work" $SERVERS <<'PY'
import statistics, sys
mode, work, servers = sys.argv[1], sys.argv[2], sys.argv[3:]
cpu = {s: [float(line.split()[4]) for line in open("%s/rounds-%s" % (work, s)) if line.strip()] for s in servers}
print("| server / transport | server CPU us/query, round by round | median | vs NSD, round by round | median (range) |")
print("|---|---|---:|---|---:|")
for s in servers:
    ratios = [a / b for a, b in zip(cpu[s], cpu["nsd"])] if "nsd" in cpu else []
    print("| %s/%s | %s | %.2f | %s | %s |" % (s, mode, ", ".join("%.2f" % x for x in cpu[s]),
          statistics.median(cpu[s]), ", ".join("%.2f" % r for r in ratios) or "-",
          "%.2f (%.2f..%.2f)" % (statistics.median(ratios), min(ratios), max(ratios)) if ratios else "-"))
PY
}

main() {
  install_tools
  write_seed_records "$work"
  write_query_mix "$work/queries"
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(java -version 2>&1 | head -1), dnsperf $(dpkg-query -W -f='${Version}' dnsperf 2>/dev/null), NSD $(dpkg-query -W -f='${Version}' nsd 2>/dev/null), Knot $(dpkg-query -W -f='${Version}' knot 2>/dev/null), Twisted $(dpkg-query -W -f='${Version}' python3-twisted 2>/dev/null)" >&2
  if [ -n "${PAIRS:-}" ]; then
    paired "${TRANSPORTS%% *}"
    return
  fi
  : > "$work/table"
  for mode in $TRANSPORTS; do
    for server in $SERVERS; do
      [ "$mode" = tcp ] && { [ "$server" != "${server%-*}" ] || [ "$server" != "${server#echo}" ]; } &&
        continue # UDP only
      start_server "$server"
      wait_for_port "$server_port"
      echo "measuring $server over $mode ..." >&2
      dnsperf_args_for "$server"
      measure "$server/$mode" "$mode" >> "$work/table"
      stop_server
    done
  done
  python3 - "$work/table" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
nsd = {r[0].split("/")[1]: r for r in rows if r[0].startswith("nsd/")}
print("| server / transport | qps | lost | mean latency ms | server CPU us/query (range) | qps vs NSD | CPU vs NSD |")
print("|---|---:|---:|---:|---:|---:|---:|")
for label, qps, lost, latency, cpu, spread in rows:
    ref = nsd.get(label.split("/")[1])  # NSD may not be in the run
    ratios = ("%.2f" % (float(qps) / float(ref[1])), "%.2f" % (float(cpu) / float(ref[4]))) if ref else ("-", "-")
    print("| %s | %s | %s | %s | %s (%s) | %s | %s |" % ((label, qps, lost, latency, cpu, spread) + ratios))
PY
}

main "$@"
