#!/usr/bin/env bash
# The README's performance figures: each a `gossip-sim bench` sweep (median of 5 runs after a
# warm-up, each run its own process, with the CPU-scaling control measured in the same sweep).
set -u
cd "$(dirname "$0")/.."  # run from anywhere: works in the repository root
out=bench/results
mkdir -p "$out"
b() { name=$1; shift; node dist/src/cli.js bench "$@" --repeat 5 --out "$out/$name.json" --format markdown > "$out/$name.txt" 2>&1; echo "$name done: $(tail -1 $out/$name.txt)"; }
b announce-1000 --hosts 1000 --threads 1,2
b announce-5000 --hosts 5000 --threads 1,2
b push-50000 --protocol push --hosts 50000 --threads 1,2
b announce-10000 --hosts 10000 --threads 2
b push-100000 --protocol push --hosts 100000 --threads 2
b empty-ticks --hosts 200 --latency 1..100000 --max-ticks 200000 --threads 1,2
b hosts-100 --hosts 100 --threads 2
