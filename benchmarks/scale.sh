#!/usr/bin/env bash
# Wall time and peak memory of `mailsim bench` as the workload grows:
# scenarios/bench/scale.yaml (1,000 domains, 100,000 mailboxes, Postfix's
# queue policy) at 10k, 100k and 1M messages, one run each, with the growth
# exponent log(t2/t1)/log(n2/n1) between consecutive sizes.
#
# Then the memory a queued message costs: the same scenario with and without
# a name-server outage that lasts until every message has arrived, so that the
# relay's queue contains them all. The extra peak RSS divided by the extra
# maximum queue depth is the cost of one queued delivery.
#
# Usage: benchmarks/scale.sh [BUILD_DIR]   (default: build)
# Environment: SCALE_SIZES (default "10000 100000 1000000"), QUEUE_SIZES
# (default "20000 40000"), SCALE_OUT (a folder for the JSON and timings;
# default: a new temporary folder).
# Needs GNU time at /usr/bin/time and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
mailsim=$build/mailsim
scenario=scenarios/bench/scale.yaml
sizes=${SCALE_SIZES:-"10000 100000 1000000"}
queue_sizes=${QUEUE_SIZES:-"20000 40000"}
out=${SCALE_OUT:-$(mktemp -d)}
mkdir -p "$out"

if [[ ! -x $mailsim ]]; then
  echo "scale.sh: $mailsim not found; build it with: cmake --build $build --target mailsim" >&2
  exit 1
fi

# Runs one bench. NAME names its files in $out, and the other arguments are --set values.
run() {
  local name=$1
  shift
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  /usr/bin/time -f "%e %M" -o "$out/$name.time" \
    "$mailsim" bench "$scenario" --policies postfix --seeds 1 --jobs 1 "${sets[@]}" \
    --json "$out/$name.json" >/dev/null
  echo "$name: $(cat "$out/$name.time") (wall seconds, peak KiB)" >&2
}

echo "# $(date)" >&2
echo "# $(nproc) cores; results in $out" >&2
for n in $sizes; do
  run "scale-$n" "workload.count=$n"
done
for n in $queue_sizes; do
  # Arrivals come at 100/s, and the outage ends a minute after the last one.
  outage=$((n / 100 + 60))
  run "healthy-$n" "workload.count=$n"
  run "outage-$n" "workload.count=$n" "faults=at 0 dns outage for ${outage}s"
done

python3 - "$out" "$sizes" "$queue_sizes" <<'EOF'
import json
import math
import sys

out, sizes, queue_sizes = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()


def load(name):
    with open(f"{out}/{name}.time") as f:
        wall, kib = f.read().split()[-2:]
    with open(f"{out}/{name}.json") as f:
        run = json.load(f)[0]["runs"][0]
    return float(wall), int(kib), run


print("| messages | deliveries | wall time (s) | bench wall_seconds | peak RSS (MiB) | "
      "KiB per message | growth exponent |")
print("|---|---|---|---|---|---|---|")
previous = None
for n in sizes:
    wall, kib, run = load(f"scale-{n}")
    growth = ""
    if previous:
        growth = f"{math.log(wall / previous[1]) / math.log(int(n) / previous[0]):.2f}"
    print(f"| {int(n):,} | {run['deliveries']:,} | {wall:.1f} | {run['wall_seconds']:.1f} | "
          f"{kib / 1024:.0f} | {kib / int(n):.2f} | {growth} |")
    previous = (int(n), wall)

print()
print("| messages | case | wall time (s) | peak RSS (MiB) | max queue depth | "
      "peak RSS / max depth (KiB) | extra bytes per queued delivery | per queued message |")
print("|---|---|---|---|---|---|---|---|")
for n in queue_sizes:
    healthy_wall, healthy_kib, healthy = load(f"healthy-{n}")
    outage_wall, outage_kib, outage = load(f"outage-{n}")
    extra = (outage_kib - healthy_kib) * 1024
    per_delivery = extra / (outage["max_depth"] - healthy["max_depth"])
    per_message = extra / int(n)
    for case, wall, kib, run in (("healthy", healthy_wall, healthy_kib, healthy),
                                 ("DNS outage", outage_wall, outage_kib, outage)):
        cost = (f"{per_delivery:.0f} | {per_message:.0f}" if case == "DNS outage" else " | ")
        print(f"| {int(n):,} | {case} | {wall:.1f} | {kib / 1024:.0f} | {run['max_depth']:.0f} | "
              f"{kib / run['max_depth']:.1f} | {cost} |")
EOF
