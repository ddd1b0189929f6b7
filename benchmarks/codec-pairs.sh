#!/usr/bin/env bash
# The codec's shapes with chivato's and dnsjava's forks taken in turn (chivato, dnsjava, chivato, ...), so that the
# two forks of a pair ran seconds apart. On a host whose speed changes for seconds or minutes at a time (a shared
# virtual machine: see benchmarks/README.md, twelfth session), two medians taken minutes apart may each come from
# another speed; a ratio of neighbours is less exposed to that. Per shape: each library's fork medians (ns), each
# pair's ratio (dnsjava / chivato), and the median of those ratios with their range.
#
#   bash benchmarks/codec-pairs.sh     (PAIRS=5, SHAPES="decodeDigQuery ... nameHash": every shape, by default)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q install -DskipTests
PAIRS=${PAIRS:-5}
SHAPES=${SHAPES:-decodeDigQuery decodeResponse decodeHundred encodeAResponse encodeLargeResponse encodeHundred \
parseName toString nameEquals nameHash}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for shape in $SHAPES; do
  for pair in $(seq "$PAIRS"); do
    for lib in chivato dnsjava; do
      # one fork, the class's own warm-up, iterations and JVM options
      java -jar "$jar" "CodecBenchmark\.${shape}_${lib}\$" -f 1 -rf json -rff "$work/$shape-$lib-$pair.json" \
        > "$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
    done
  done
done

python3 - "$work" "$PAIRS" $SHAPES <<'PY'
import json, statistics, sys
work, pairs, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def fork_median(shape, lib, pair):
    with open(f"{work}/{shape}-{lib}-{pair}.json") as f:
        return statistics.median(json.load(f)[0]["primaryMetric"]["rawData"][0])

def ns(x):
    return f"{x:.3f}" if x < 1 else f"{x:.1f}" if x < 100 else f"{x:.0f}"

print("| shape | chivato, ns: forks in turn | dnsjava, ns: forks in turn | ratio of each pair | median (range) |")
print("|---|---|---|---|---:|")
for shape in shapes:
    ours = [fork_median(shape, "chivato", p) for p in range(1, pairs + 1)]
    theirs = [fork_median(shape, "dnsjava", p) for p in range(1, pairs + 1)]
    ratios = [t / o for o, t in zip(ours, theirs)]
    print(f"| {shape} | {', '.join(map(ns, ours))} | {', '.join(map(ns, theirs))} | "
          f"{', '.join(f'{r:.2f}' for r in ratios)} | {statistics.median(ratios):.2f} "
          f"({min(ratios):.2f}..{max(ratios):.2f}) |")
PY
