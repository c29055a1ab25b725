#!/usr/bin/env bash
# mailsim's overhead over bare SimGrid: runs `mailsim bench` on
# scenarios/bench/overhead.yaml, then benchmarks/bare_simgrid with the same
# number of sessions, hosts and sessions at once, and prints messages per wall
# second for both and their ratio.
#
# A bench delivery of one recipient over a healthy link makes 13 transfers.
# They are the SYN and SYN-ACK, and 11 writes: greeting, EHLO, its reply,
# MAIL, its reply, RCPT with DATA, their replies, the message, its reply, QUIT
# and its reply. A FIN is a transfer only when the peer is already waiting in
# a read, which a bench session's ends never are when they close. An MX lookup
# the relay has not cached adds 2 (query and answer), about one per
# destination domain per DNS TTL.
#
# Two workloads, each in the same run as its bare twin:
#   backlog: every message arrives within 0.1 s, so Postfix's process limit
#            keeps 100 sessions open and the queue is deep;
#   steady:  2,000 messages per second, below what the relay delivers, so
#            the queue stays short.
# The bare program runs as many sessions at once as the bench: Postfix's
# default_process_limit (100) for backlog, and for steady the bench's
# time-weighted mean queue depth, rounded, which is the mean number of
# deliveries being tried when the queue stays short.
#
# The bare program runs twice per turn. "In step": every pair starts at time
# 0, and as all sessions last the same, their transfers end at the same
# instants. That is about 2,600 clock advances for 10,000 sessions, so
# SimGrid pays each scheduling round once for 100 transfers. "Out of step":
# pair p starts p/pairs of one session's simulated time late (13 transfers
# over two 1 ms links, 26 ms). Each pair's transfers then end at instants of
# their own, about 260,000 clock advances. The bench's transfers do the same
# because its messages arrive at random times: its backlog run has about
# 274,000 clock advances.
#
# Both rates divide sessions by the program's own wall time from creating the
# SimGrid engine to the end of the run (the bench's `wall_seconds`). Each
# program runs RUNS times, all three taking turns, and the table shows each
# one's best rate. On a shared machine other work only slows a run down, so
# the best of several runs is the closest to the program's own speed.
#
# Usage: benchmarks/overhead.sh [BUILD_DIR] [MESSAGES] [RUNS]   (defaults: build, 10000, 3)
# Needs python3.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
messages=${2:-10000}
runs=${3:-3}
mailsim=$build/mailsim
bare=$build/benchmarks/bare_simgrid
out=$(mktemp -d)
trap 'rm -r "$out"' EXIT

for program in "$mailsim" "$bare"; do
  if [[ ! -x $program ]]; then
    echo "overhead.sh: $program not found; build it with: cmake --build $build --target mailsim bare_simgrid" >&2
    exit 1
  fi
done

echo "# $(date); $(nproc) cores; best of $runs runs each"
printf '| workload | messages | sessions at once | mailsim (messages/s) | bare, in step (messages/s) | ratio | bare, out of step (messages/s) | ratio |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for workload in backlog steady; do
  rate=100000/s
  [[ $workload == steady ]] && rate=2000/s
  for run in $(seq "$runs"); do
    "$mailsim" bench scenarios/bench/overhead.yaml --policies postfix --seeds 1 --jobs 1 \
      --set workload.count="$messages" --set workload.arrivals.rate="$rate" \
      --json "$out/$workload-$run.json" >/dev/null
    # The bare program runs as many sessions, as many at once, as the bench's first run.
    read -r deliveries pairs < <(python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))[0]["runs"][0]
print(run["deliveries"], max(1, round(run["mean_depth"])))' "$out/$workload-1.json")
    [[ $workload == backlog ]] && pairs=100
    "$bare" --hosts 1000 --pairs "$pairs" --sessions "$deliveries" --comms 13 >"$out/$workload-bare-$run.json"
    "$bare" --hosts 1000 --pairs "$pairs" --sessions "$deliveries" --comms 13 --spread-ms 26 \
      >"$out/$workload-spread-$run.json"
  done
  python3 -c '
import glob, json, sys
workload, out, pairs = sys.argv[1:]
runs = [json.load(open(f))[0]["runs"][0] for f in sorted(glob.glob(f"{out}/{workload}-[0-9]*.json"))]
def best(kind):
    return max(b["sessions"] / b["wall_seconds"]
               for b in (json.load(open(f)) for f in glob.glob(f"{out}/{workload}-{kind}-*.json")))
# One recipient per message: a message is one delivery, one SMTP session.
messages = runs[0]["messages"]
assert all(r["messages"] == r["deliveries"] for r in runs), "overhead.yaml must send one recipient per message"
mailsim_rate = max(r["messages"] / r["wall_seconds"] for r in runs)
in_step, out_of_step = best("bare"), best("spread")
print(f"| {workload} | {messages:,} | {pairs} | {mailsim_rate:,.0f} | {in_step:,.0f} | "
      f"{mailsim_rate / in_step:.2f} | {out_of_step:,.0f} | {mailsim_rate / out_of_step:.2f} |")' "$workload" "$out" "$pairs"
done
