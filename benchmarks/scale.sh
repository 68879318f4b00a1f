#!/usr/bin/env bash
# Scale run of issue #15: simulated fleets (store clients publishing real records, not JVMs)
# of 16, 64, 256 and 1,024 workers x 200 series on the file store (up to 256), Redis
# standalone and a 3-node Redis Cluster (started on free loopback ports, torn down after).
# For each: merged scrape time with the exposition written, bytes read, heap allocated per
# scrape and peak heap, one flush while the fleet is scraped, Redis memory and CPU.
# Writes benchmarks/target/scale/scale.md (table), scale.csv and scale.svg (plot).
#
#   benchmarks/scale.sh                                   # everything, 5 to 10 minutes
#   benchmarks/scale.sh stores=redis workers=64,256 scrapes=11
#   JAR=/path/to/benchmarks.jar benchmarks/scale.sh       # a jar built elsewhere
#
# Arguments (all optional): stores=file,redis,cluster workers=16,64,256,1024 file-max=256
# series=200 warmups=3 scrapes=7 out=benchmarks/target/scale
# Needs redis-server and redis-cli on the PATH for the Redis stores.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR="${JAR:-benchmarks/target/benchmarks.jar}"
if [[ ! -f "$JAR" ]]; then
    ./mvnw -B -q package -pl benchmarks -am -DskipTests
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xms2g -Xmx2g -XX:+UseG1GC -cp "$JAR" io.github.workerexporter.benchmarks.ScaleRun "$@"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
