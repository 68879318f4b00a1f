#!/usr/bin/env bash
# End-to-end load test of the sample app on loopback, exporter off vs on.
#
# Runs ROUNDS rounds of every mode (the order rotates each round), each run: start the
# sample app on a free port, wait for the first 200 on /actuator/health, warm up, measure
# with wrk, check that the exporter recorded the requests, stop the app. Then prints, per
# mode, the median over rounds of requests/s, p50 and p99 latency, the ratio to the
# exporter-off throughput, and the start-up time (to the first 200 on /actuator/health,
# and Spring's "Started ... in N seconds").
#
# Modes:
#   off     --exporter.enabled=false
#   memory  the starter's default (in-process storage)
#   file    --exporter.prometheus.multiproc-dir=<new temp dir>
#   redis   --exporter.redis.enabled=true against a redis-server started on a free port
#
# Usage (from anywhere; build the app first with ./mvnw -B -q install -DskipTests):
#   benchmarks/load.sh
# Settings (environment variables):
#   ROUNDS=3 WARMUP=10 DURATION=20 THREADS=2 CONNECTIONS=32 MODES="off memory file redis"
#   JAR=<sample app jar> JAVA_OPTS="<JVM options of the app>" URL_PATH=/users/42
#   APP_CPUS=0-1 WRK_CPUS=2-3   pin the app and wrk with taskset (on a machine with 4+ cores)
#   STARTUP_TIMEOUT=120          seconds an app may take to answer 200 on /actuator/health
#   STARTUP_ONLY=1               measure start-up only (no wrk): use many rounds, e.g. ROUNDS=20;
#                                the app records its start-up steps (-Dsample.startup-steps=true,
#                                Actuator's startup endpoint), and startup-steps.py (python3) tells
#                                the time spent creating the exporter's beans and each phase;
#                                the app logs the CPU time of its main thread and of the JVM
#                                at "Started"; paired-median.py gives the confidence intervals
# Needs java, curl, wrk (installed with apt-get when missing and running as root) and,
# for the redis mode, redis-server. Only 127.0.0.1 is ever contacted. Every process it
# starts is stopped on exit, Ctrl-C included.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${JAR:-$ROOT/sample-app/target/worker-exporter-sample-app-0.1.0-SNAPSHOT.jar}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-20}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
MODES=${MODES:-off memory file redis}
URL_PATH=${URL_PATH:-/users/42}
JAVA_OPTS=${JAVA_OPTS:-}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-120}
STARTUP_ONLY=${STARTUP_ONLY:-0}

# The original's environment variables would change what each mode means.
ORIGINAL_VARIABLES=(PROMETHEUS_MULTIPROC_DIR PROMETHEUS_METRICS_PORT PROMETHEUS_BIND_ADDRESS PROMETHEUS_CONFIG_FILE
	EXPORTER_CONFIG_FILE REDIS_ENABLED REDIS_HOST REDIS_PORT REDIS_DB REDIS_KEY_PREFIX REDIS_PASSWORD REDIS_USERNAME
	REDIS_SSL REDIS_TTL_SECONDS REDIS_TTL_DISABLED SIDECAR_MODE SIDECAR_UPDATE_INTERVAL GUNICORN_BIND GUNICORN_WORKERS
	GUNICORN_WORKER_CLASS GUNICORN_TIMEOUT GUNICORN_KEEPALIVE CLEANUP_DB_FILES)
for variable in "${ORIGINAL_VARIABLES[@]}"; do unset "$variable"; done

WORK=$(mktemp -d -t worker-exporter-load.XXXXXX)
APP_PID=""
REDIS_PID=""

stop_process() { # pid: TERM, wait up to 15 s, then KILL
	local pid=$1
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
	stop_process "$APP_PID"
	stop_process "$REDIS_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "load.sh: $*" >&2; exit 2; }

require() {
	command -v java >/dev/null || die "java is not on the PATH"
	command -v curl >/dev/null || die "curl is not on the PATH: apt-get install -y curl"
	[[ $STARTUP_ONLY != 1 ]] || command -v python3 >/dev/null || die "python3 is not on the PATH (STARTUP_ONLY=1 reads the start-up steps with it)"
	if ! command -v wrk >/dev/null; then
		if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
			echo "Installing wrk with apt-get..."
			apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
		fi
		command -v wrk >/dev/null || die "wrk is not installed: apt-get install -y wrk"
	fi
	if [[ " $MODES " == *" redis "* ]]; then
		command -v redis-server >/dev/null || die "redis-server is not installed: apt-get install -y redis-server"
	fi
	[[ -f $JAR ]] || die "no $JAR: build it with ./mvnw -B -q install -DskipTests"
}

# Ports are picked below the kernel's ephemeral range, so that no outgoing connection (curl's,
# the app's own) can hold one between the check and the app's bind.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
((EPHEMERAL_LOW > 11000)) || EPHEMERAL_LOW=32768

free_port() { # a port of 127.0.0.1 that nothing listens on
	local port
	for _ in $(seq 100); do
		port=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	die "no free port found"
}

pinned() { # cpus command...: run under taskset when cpus is set
	local cpus=$1
	shift
	if [[ -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

app_command() { # the app's command line, under taskset when APP_CPUS is set
	local command=()
	[[ -z ${APP_CPUS:-} ]] || command=(taskset -c "$APP_CPUS")
	# shellcheck disable=SC2206
	command+=(java $JAVA_OPTS)
	[[ $STARTUP_ONLY != 1 ]] || command+=(-Dsample.startup-steps=true)
	command+=(-jar "$JAR")
	printf '%s\0' "${command[@]}"
}

now_ms() { date +%s%3N; }

CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() { # pid: user + system CPU time of the process so far, in clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

start_redis() { # port: starts redis-server there; retries on another port if it died (a port race)
	local port=$1 attempt
	for attempt in 1 2 3; do
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
		REDIS_PID=$!
		for _ in $(seq 600); do
			[[ $(redis_ping "$port") == "+PONG" ]] && { STARTED_REDIS_PORT=$port; return 0; }
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.05
		done
		echo "  warning: redis-server did not start on port $port (attempt $attempt):" >&2
		tail -n 3 "$WORK/redis.log" >&2 || true
		kill "$REDIS_PID" 2>/dev/null || true
		port=$(free_port)
	done
	die "redis-server did not start"
}

redis_ping() { redis_command "$1" PING; }

redis_command() { # port command: the first line of the reply, without redis-cli
	{ exec 3<>"/dev/tcp/127.0.0.1/$1" && printf '%s\r\n' "$2" >&3 && head -n 1 <&3 | tr -d '\r'; } 2>/dev/null || true
}

to_ms() { # wrk's 1.23ms, 456.00us, 1.02s, 2.00m -> milliseconds
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
		printf "%.3f", n }'
}

median() { # numbers on stdin -> median
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

measure() { # load the running app (uses run's variables): sets rps, p50, p99 and cpu_us
	pinned "${WRK_CPUS:-}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url$URL_PATH" >/dev/null
	local cpu_before cpu_after
	cpu_before=$(cpu_ticks "$APP_PID")
	pinned "${WRK_CPUS:-}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url$URL_PATH" \
		>"$WORK/wrk-$mode-$round.txt"
	cpu_after=$(cpu_ticks "$APP_PID")
	local errors requests
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk-$mode-$round.txt")
	requests=$(awk '/ requests in / { print $1 }' "$WORK/wrk-$mode-$round.txt")
	# CPU time the app spent per request served (user + system, all its threads): less
	# sensitive than requests/s to what else the machine does.
	cpu_us=$(awk -v t=$((cpu_after - cpu_before)) -v hz="$CLK_TCK" -v n="$requests" \
		'BEGIN { if (n + 0 > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a" }')
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$WORK/wrk-$mode-$round.txt")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$mode-$round.txt")")
	errors=$(grep -E 'Non-2xx|Socket errors' "$WORK/wrk-$mode-$round.txt" || true)
	[[ -z $errors ]] || echo "  warning: $mode round $round: $errors" >&2

	if [[ $mode != off ]]; then
		# The exporter must have recorded the load, else the run measured nothing.
		sleep 1.5 # one flush interval, for the shared modes
		# Read the whole body first: with pipefail, grep -q quitting early would fail curl's write.
		local exposition
		exposition=$(curl -s "http://127.0.0.1:$metrics_port/metrics" || true)
		grep -q '^gunicorn_worker_requests_total{' <<<"$exposition" ||
			echo "  warning: $mode round $round: no gunicorn_worker_requests_total on the metrics server" >&2
		case $mode in
			file) compgen -G "$dir/worker-*.metrics" >/dev/null ||
				echo "  warning: file round $round: nothing was flushed to $dir" >&2 ;;
			redis) [[ $(redis_command "$redis_port" DBSIZE) =~ ^:[1-9] ]] ||
				echo "  warning: redis round $round: nothing was flushed to the redis-server on $redis_port" >&2 ;;
		esac
	fi
}

# One run: appends "mode rps p50_ms p99_ms health_ms started_s cpu_us running_s round" to results,
# then (start-up only) "exporter_beans_ms environment_ms refresh_ms started_ms ready_ms".
run() {
	local mode=$1 round=$2
	local port metrics_port redis_port="" dir="" log="$WORK/$mode-$round.log"
	port=$(free_port)
	metrics_port=$(free_port)
	while [[ $metrics_port == "$port" ]]; do metrics_port=$(free_port); done
	# No mode probes a Redis on 6379: the starter brings Spring Data Redis, whose health
	# indicator would answer 503 without one (the exporter turns it off only when enabled).
	local args=(--server.address=127.0.0.1 --server.port="$port" --management.health.redis.enabled=false
		--exporter.prometheus.bind-address=127.0.0.1 --exporter.prometheus.metrics-port="$metrics_port")
	case $mode in
		off) args=(--server.address=127.0.0.1 --server.port="$port" --management.health.redis.enabled=false
			--exporter.enabled=false) ;;
		memory) ;;
		file)
			dir=$(mktemp -d "$WORK/multiproc.XXXXXX")
			args+=(--exporter.prometheus.multiproc-dir="$dir") ;;
		redis)
			redis_port=$(free_port)
			while [[ $redis_port == "$port" || $redis_port == "$metrics_port" ]]; do redis_port=$(free_port); done
			start_redis "$redis_port"
			redis_port=$STARTED_REDIS_PORT
			# spring.data.redis.* too: the starter's Spring Data Redis auto-configures a
			# connection factory (localhost:6379 by default), which the exporter prefers.
			args+=(--exporter.redis.enabled=true --exporter.redis.host=127.0.0.1 --exporter.redis.port="$redis_port"
				--spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$redis_port") ;;
		*) die "unknown mode $mode: off, memory, file or redis" ;;
	esac
	[[ $STARTUP_ONLY != 1 ]] || args+=(--management.endpoints.web.exposure.include=health,startup)
	local url="http://127.0.0.1:$port"
	local started
	started=$(now_ms)
	local command
	mapfile -d '' command < <(app_command)
	# A simple command in the background: $! is the JVM itself (taskset execs it).
	"${command[@]}" "${args[@]}" >"$log" 2>&1 &
	APP_PID=$!
	local startup_ms=""
	while (($(now_ms) - started < STARTUP_TIMEOUT * 1000)); do
		kill -0 "$APP_PID" 2>/dev/null || { tail -20 "$log" >&2; die "the app ($mode) exited during start-up: $log"; }
		if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/actuator/health" 2>/dev/null) == 200 ]]; then
			startup_ms=$(($(now_ms) - started))
			break
		fi
		sleep 0.05
	done
	[[ -n $startup_ms ]] || die "the app ($mode) was not healthy within ${STARTUP_TIMEOUT}s: $log"
	local started_s
	started_s=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$log" | awk '{ print $4 }' | head -1)

	local running_s
	running_s=$(grep -o 'process running for [0-9.]*' "$log" | awk '{ print $4 }' | head -1)
	local rps=n/a p50=n/a p99=n/a cpu_us=n/a steps="n/a n/a n/a n/a n/a"
	if [[ $STARTUP_ONLY != 1 ]]; then
		measure
	else
		steps=$(curl -s -X POST "$url/actuator/startup" | python3 "$ROOT/benchmarks/startup-steps.py") ||
			die "could not read the start-up steps of the app ($mode): $log"
		local cpu_times
		cpu_times=$(grep -o 'Start-up CPU time: main thread [0-9]* ms, process [0-9-]* ms' "$log" | awk '{ print $6, $9 }')
		steps="$steps ${cpu_times:-n/a n/a}"
	fi
	stop_process "$APP_PID"
	APP_PID=""
	if [[ -n $redis_port ]]; then
		stop_process "$REDIS_PID"
		REDIS_PID=""
	fi
	[[ -z $dir ]] || rm -rf "$dir"
	echo "$mode $rps $p50 $p99 $startup_ms ${started_s:-n/a} $cpu_us ${running_s:-n/a} $round $steps" >>"$WORK/results"
	printf '  round %d %-7s %10s req/s  p50 %8s ms  p99 %8s ms  CPU %7s us/req  health 200 after %6s ms\n' \
		"$round" "$mode" "$rps" "$p50" "$p99" "$cpu_us" "$startup_ms"
}

require
read -r -a modes <<<"$MODES"
per_run=$((WARMUP + DURATION + 10))
echo "Sample app: $JAR"
echo "Load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency http://127.0.0.1:PORT$URL_PATH after ${WARMUP}s of warm-up"
echo "Runs: $ROUNDS rounds x ${#modes[@]} modes, about $((ROUNDS * ${#modes[@]} * per_run))s (at most $((ROUNDS * ${#modes[@]} * (per_run + STARTUP_TIMEOUT + 30)))s)"
: >"$WORK/results"
for ((round = 1; round <= ROUNDS; round++)); do
	for ((i = 0; i < ${#modes[@]}; i++)); do
		run "${modes[$(((i + round - 1) % ${#modes[@]}))]}" "$round"
	done
done

column_of() { # mode column -> median over rounds
	awk -v m="$1" -v c="$2" '$1 == m && $c != "n/a" { print $c }' "$WORK/results" | median
}
differences() { # mode column -> (mode - off) for each round, paired by round
	awk -v m="$1" -v c="$2" '$1 == "off" && $c != "n/a" { off[$9] = $c } $1 == m && $c != "n/a" { on[$9] = $c }
		END { for (r in on) if (r in off) print on[r] - off[r] }' "$WORK/results" | sort -g
}
paired() { # mode column -> median and quartiles of (mode - off) over the rounds
	differences "$1" "$2" | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
		q1 = a[int((NR - 1) * 0.25) + 1]; q3 = a[int((NR - 1) * 0.75) + 1]
		med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%+.0f [%+.0f, %+.0f]", med, q1, q3 }'
}

echo
if [[ $STARTUP_ONLY == 1 ]]; then
	echo "Start-up over $ROUNDS rounds (machine: $(nproc) CPUs, $(uname -r)); medians, and for the"
	echo "difference to off the median and quartiles of the per-round differences, in ms:"
	printf '%-7s %16s %22s %16s %22s\n' mode "JVM to Started" "vs off" "health 200" "vs off"
	awk '$8 != "n/a" { $8 = $8 * 1000 } { print }' "$WORK/results" >"$WORK/results.ms" && mv "$WORK/results.ms" "$WORK/results"
	for mode in "${modes[@]}"; do
		printf '%-7s %16s %22s %16s %22s\n' "$mode" "$(column_of "$mode" 8)" "$(paired "$mode" 8)" \
			"$(column_of "$mode" 5)" "$(paired "$mode" 5)"
	done
	echo
	echo "Start-up steps (Spring's ApplicationStartup): the exporter's own beans, and each phase"
	echo "with the per-round difference to off, in ms:"
	printf '%-7s %14s %22s %22s %22s %22s\n' mode "exporter beans" "environment vs off" "refresh vs off" \
		"started vs off" "ready vs off"
	for mode in "${modes[@]}"; do
		printf '%-7s %14s %22s %22s %22s %22s\n' "$mode" "$(column_of "$mode" 10)" "$(paired "$mode" 11)" \
			"$(paired "$mode" 12)" "$(paired "$mode" 13)" "$(paired "$mode" 14)"
	done
	echo
	echo "Per-round differences to off, in ms: median [quartiles] and a bootstrap 95% confidence"
	echo "interval of the median. Wall clock to Started, and the CPU time used by then by the main"
	echo "thread (Spring's start-up: the work on the critical path) and by the whole JVM:"
	for mode in "${modes[@]}"; do
		[[ $mode != off ]] || continue
		printf '%-7s %-16s %s\n' "$mode" "to Started" "$(differences "$mode" 8 | python3 "$ROOT/benchmarks/paired-median.py")"
		printf '%-7s %-16s %s\n' "" "main thread CPU" "$(differences "$mode" 15 | python3 "$ROOT/benchmarks/paired-median.py")"
		printf '%-7s %-16s %s\n' "" "process CPU" "$(differences "$mode" 16 | python3 "$ROOT/benchmarks/paired-median.py")"
	done
	printf 'off     main thread CPU %s ms, process CPU %s ms (medians)\n' "$(column_of off 15)" "$(column_of off 16)"
	exit 0
fi
off_rps=$(column_of off 2)
off_startup=$(column_of off 5)
off_cpu=$(column_of off 7)
echo "Medians over $ROUNDS rounds (machine: $(nproc) CPUs, $(uname -r)):"
printf '%-7s %12s %10s %10s %12s %12s %12s %14s %12s %10s\n' mode "req/s" "p50 ms" "p99 ms" "vs off" \
	"CPU us/req" "CPU vs off" "health 200 ms" "vs off ms" "Started s"
for mode in "${modes[@]}"; do
	rps=$(column_of "$mode" 2)
	startup=$(column_of "$mode" 5)
	ratio=$(awk -v a="$rps" -v b="$off_rps" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "n/a" }')
	added=$(awk -v a="$startup" -v b="$off_startup" 'BEGIN { if (b != "n/a" && b != "") printf "%+d", a - b; else print "n/a" }')
	cpu=$(column_of "$mode" 7)
	cpu_ratio=$(awk -v a="$cpu" -v b="$off_cpu" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "n/a" }')
	printf '%-7s %12s %10s %10s %12s %12s %12s %14s %12s %10s\n' "$mode" "$rps" "$(column_of "$mode" 3)" \
		"$(column_of "$mode" 4)" "$ratio" "$cpu" "$cpu_ratio" "$startup" "$added" "$(column_of "$mode" 6)"
done
