#!/usr/bin/env bash
# Overload soak: for SOAK_SECONDS (default 120) at once, dnsperf at full rate, a flood of malformed packets, a few
# hundred slow-loris TCP connections, AMPLIFY (default 400) TCP clients that send a 64 KiB junk frame and pipelined
# queries for a 16 KiB answer and never read, and half-closing clients that must get every answer, all against one
# chivato on 127.0.0.1 with a 512 MiB heap. Then: does it still answer, did any thread die, is the heap after GC where
# it started, did every half-closing client get its answers, and does the query log hold an entry for every answer?
#
#   bash benchmarks/load/soak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
here=benchmarks/load
source "$here/lib.sh"
SOAK_SECONDS=${SOAK_SECONDS:-120}
SLOWLORIS=${SLOWLORIS:-300}
AMPLIFY=${AMPLIFY:-400}

install_missing dnsperf:dnsperf
[ -f server/target/chivato.jar ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
write_seed_records "$work"
write_query_mix "$work/queries"
for i in $(seq 100); do echo "10.0.0.$i big.example.com" >> "$work/hosts"; done
for i in $(seq 0 999); do echo "10.1.$((i / 256)).$((i % 256)) huge.example.com" >> "$work/hosts"; done

java -Xms256m -Xmx512m -jar server/target/chivato.jar --listen 127.0.0.1:0 --records "$work/hosts" \
  --log json --log-file "$work/query.log" > "$work/out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening udp" "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/listening udp 127.0.0.1:\([0-9]*\)/\1/p' "$work/out")

threads() { ls "/proc/$server/task" | wc -l; }
loops_alive() { jcmd "$server" Thread.print | grep -c '"chivato-loop-' || true; }

# A short round of everything first, so one-time setup (JIT, classes, first-use caches) is in the heap before
# the baseline is taken and only what the soak itself leaves behind shows as growth.
dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -c 8 -l 5 > "$work/warmup-dnsperf" 2>&1 &
warm_perf=$!
python3 "$here/hostile.py" flood --port "$port" --seconds 5 > "$work/warmup-flood" &
warm_flood=$!
python3 "$here/hostile.py" slowloris --port "$port" --seconds 5 --connections 20 > /dev/null &
wait $warm_perf $warm_flood $!
warmup_answered=$(( $(awk '/Queries completed:/ {print $3; exit}' "$work/warmup-dnsperf") \
  + $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answered"])' "$work/warmup-flood") ))
sleep 3  # let the slow-loris connections of the warm-up time out
heap_before=$(heap_after_gc "$server"); threads_before=$(threads); loops_before=$(loops_alive)

dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -c 8 -l "$SOAK_SECONDS" > "$work/dnsperf" 2>&1 &
perf=$!
python3 "$here/hostile.py" flood --port "$port" --seconds "$SOAK_SECONDS" > "$work/flood" &
flood=$!
python3 "$here/hostile.py" slowloris --port "$port" --seconds "$SOAK_SECONDS" --connections "$SLOWLORIS" \
  > "$work/loris" &
loris=$!
python3 "$here/hostile.py" amplify --port "$port" --seconds "$SOAK_SECONDS" --connections "$AMPLIFY" > "$work/amplify" &
amplify=$!
python3 "$here/hostile.py" halfclose --port "$port" --seconds "$SOAK_SECONDS" > "$work/halfclose" &
halfclose=$!
wait $perf $flood $loris $amplify $halfclose
rss_peak=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")

answers=$(dig @127.0.0.1 -p "$port" +short example.com | wc -l)
heap_after=$(heap_after_gc "$server"); threads_after=$(threads); loops_after=$(loops_alive)
kill -TERM "$server"; wait "$server" || true; server=""

completed=$(awk '/Queries completed:/ {print $3; exit}' "$work/dnsperf")
lost=$(awk '/Queries lost:/ {print $3; exit}' "$work/dnsperf")
qps=$(awk '/Queries per second:/ {print $4; exit}' "$work/dnsperf")
python3 - "$work" <<PY
import json, sys
work = sys.argv[1]
flood = json.load(open(work + "/flood"))
loris = json.load(open(work + "/loris"))
amplify = json.load(open(work + "/amplify"))
halfclose = json.load(open(work + "/halfclose"))
answered_entries = malformed_entries = dropped_entries = 0
with open(work + "/query.log") as log:
    for line in log:
        if line.startswith("#"):
            continue
        entry = json.loads(line)
        if entry["kind"] == "malformed":
            malformed_entries += 1
        if entry["rcode"] is None:
            dropped_entries += 1
        else:
            answered_entries += 1
answered_by_clients = $completed + flood["answered"] + $warmup_answered + 1 + 3 * halfclose["complete"]
print("soak of $SOAK_SECONDS s on 127.0.0.1: dnsperf -c 8 at full rate + malformed flood + $SLOWLORIS slow-loris connections")
print("dnsperf: %s queries answered, %s lost, %s qps" % ($completed, $lost, "$qps"))
print("flood: %d packets sent (%d damaged), %d answered; largest response/query size ratio %.2f"
      % (flood["sent"], flood["malformed_sent"], flood["answered"], flood["largest_response_to_query_ratio"]))
print("slow-loris: %d connections opened, %d closed by the server's I/O timeout" % (loris["opened"], loris["closed_by_server"]))
print("amplification (never reading): %d connections opened, %d closed or reset by the server"
      % (amplify["opened"], amplify["closed_by_server"]))
print("half-closing clients: %d of %d got all 3 answers, then the close" % (halfclose["complete"], halfclose["trials"]))
print("server: peak resident memory %s KB (heap limit 512 MiB)" % "$rss_peak")
print("query log: %d answered entries for %d answers the clients received; %d malformed packets logged (survived), %d dropped"
      % (answered_entries, answered_by_clients, malformed_entries, dropped_entries))
print("after: dig answered %d records; event loops alive %s -> %s; threads %s -> %s" % ($answers, "$loops_before", "$loops_after", "$threads_before", "$threads_after"))
print("heap after full GC: %s KB before, %s KB after" % ("$heap_before", "$heap_after"))
ok = ($answers == 2 and "$loops_before" == "$loops_after" and answered_entries >= answered_by_clients
      and halfclose["complete"] == halfclose["trials"] > 0)
print("result: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
