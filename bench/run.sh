#!/usr/bin/env bash
# bench/run.sh: huecast's hub, the Socket.IO reference and the fan-out floor
# under the same load, in the same run, on loopback. Prints Markdown tables,
# one row per case, each with the exact load command, then a summary of
# medians and ratios; the servers are started fresh for every case (their
# commands are printed above the tables).
#
# The server runs on the cores in $SERVER_CPUS and the load tool on those in
# $LOAD_CPUS (taskset), so that neither steals the other's core; Go servers
# get GOMAXPROCS = the number of cores they were given (Node is single-
# threaded anyway). "floor" is `huecast-load -floor-server`: huecast's
# protocol with nothing but one write(2) per recipient per colour, the least
# a relay can spend per delivery; every server's CPU per delivery is also
# given as a multiple of it.
#
# Usage: bench/run.sh [full|ci|saturation|scale]
#   full        (default) N in $NS at $RATE colours/s, $REPS times each,
#               idle memory, TCP round-trip floor
#   ci          N=$CI_N, $CI_REPS times; exits 1 if, as the median over the
#               repetitions, huecast's CPU per delivery exceeds $CI_CPU_RATIO
#               of Socket.IO's (over the repetitions in which both delivered
#               every colour, if three or more did) or its p99 exceeds
#               $CI_P99_RATIO of Socket.IO's (both measured in the same
#               repetition), or if a case cannot run
#   saturation  for each N in $SAT_NS, the highest rate at which p99 stays
#               under $SAT_P99_MS ms with every colour delivered, for both;
#               at most $SAT_STEPS rates per server and N, $SAT_BUDGET s in all;
#               a rate holds if one of $SAT_TRIES runs at it holds
#   scale       at $RATE/s, the largest N at which p99 stays under
#               $SAT_P99_MS ms with every colour delivered, for each server
#               in $SCALE_SERVERS (N doubles from $SCALE_FROM, then the gap
#               is halved 3 times; a size holds if one of $SAT_TRIES runs does)
#
# "huecast" is the headless build (go build -tags nowindow, what `make headless`
# ships: the same hub and peer without Fyne); in full mode "huecast-desktop",
# the windowed binary run with --headless, is measured beside it.
#
# Environment (defaults in brackets):
#   HUECAST_BIN   the headless huecast binary [built from the repo root into a temp dir]
#   HUECAST_DESKTOP_BIN  the desktop build [built likewise, when DESKTOP=1]
#   DESKTOP [0]  measure the desktop build too
#   BASE_BIN  another huecast binary, measured beside it as "huecast-base"
#             (e.g. the previous release, for a before/after in one run)
#   SERVER_CPUS [0]  LOAD_CPUS [1]  (taskset lists; both empty: no pinning)
#   NS [10 100 500 1000]  REPS [3]  RATE [100]  DURATION [5s]  WARMUP [1s]  SENDERS [1]
#   CI_N [200]  CI_REPS [5]  CI_DURATION [3s]  CI_CPU_RATIO [0.8]  CI_P99_RATIO [1.5]
#   SCALE_FROM [1000]  SCALE_MAX [16000]  SCALE_SERVERS [huecast socketio]
#   IDLE_N [1000] (0 skips)   IDLE_HOLD [2s]
#   SAT_NS [100 500]  SAT_P99_MS [50]  SAT_DURATION [3s]  SAT_STEPS [12]  SAT_TRIES [2]
#   SAT_BUDGET [900] (seconds for the whole saturation run)
#   CASE_TIMEOUT [120] (seconds for one load run; it is killed after that)
#
# Needs go, node (20+) and bench/socketio/node_modules (npm ci is run there
# when it is missing).
set -euo pipefail

mode=${1:-full}
case $mode in
full | ci | saturation | scale) ;;
*)
	echo "usage: bench/run.sh [full|ci|saturation|scale]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then stop_server; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RATE=${RATE:-100}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
SENDERS=${SENDERS:-1}
NS=${NS:-10 100 500 1000}
REPS=${REPS:-3}
IDLE_N=${IDLE_N:-1000}
SAT_NS=${SAT_NS:-100 500}
SAT_P99_MS=${SAT_P99_MS:-50}
SAT_DURATION=${SAT_DURATION:-3s}
SAT_STEPS=${SAT_STEPS:-12}
SAT_TRIES=${SAT_TRIES:-2}
SAT_BUDGET=${SAT_BUDGET:-900}
SCALE_FROM=${SCALE_FROM:-1000}
SCALE_MAX=${SCALE_MAX:-16000}
SCALE_SERVERS=${SCALE_SERVERS:-huecast socketio}
IDLE_HOLD=${IDLE_HOLD:-2s}
CASE_TIMEOUT=${CASE_TIMEOUT:-120}
DESKTOP=${DESKTOP:-0}
CI_N=${CI_N:-200}
CI_REPS=${CI_REPS:-5}
CI_DURATION=${CI_DURATION:-3s}
# CPU per delivery is the ratio that tells servers apart: on an idle machine
# huecast's median was 0.50-0.61 of Socket.IO's over three CI runs. At
# N = 200 the p99 of every server, the floor's included, is mostly the load
# tool's and the scheduler's (idle: floor 8.9 ms, huecast 5.5, Socket.IO
# 7.4; the ratio ranged 0.46-0.85), so its guard only fails a huecast whose
# tail is clearly longer than Socket.IO's.
CI_CPU_RATIO=${CI_CPU_RATIO:-0.8}
CI_P99_RATIO=${CI_P99_RATIO:-1.5}
SERVER_CPUS=${SERVER_CPUS-0}
LOAD_CPUS=${LOAD_CPUS-1}
if [[ $mode == ci ]]; then
	NS=$CI_N REPS=$CI_REPS DURATION=$CI_DURATION IDLE_N=0
fi
if (($(nproc) < 2)); then SERVER_CPUS= LOAD_CPUS=; fi
servers="floor huecast"
if [[ -n ${BASE_BIN:-} ]]; then servers="$servers huecast-base"; fi
if ((DESKTOP)); then servers="$servers huecast-desktop"; fi
servers="$servers socketio"

say() { echo "$*" >&2; }

# on CPUS CMD...: runs CMD pinned to CPUS (a taskset list; empty: anywhere).
on() {
	local cpus=$1
	shift
	if [[ -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}
# cores CPUS: how many cores CPUS names (all of them if empty).
cores() { on "$1" nproc; }
server_procs=$(cores "$SERVER_CPUS")
load_procs=$(cores "$LOAD_CPUS")

# --- build and install what the run needs ---------------------------------
load="$tmp/huecast-load"
(cd "$root" && go build -o "$load" ./bench/cmd/huecast-load)
if [[ -z ${HUECAST_BIN:-} ]]; then
	HUECAST_BIN="$tmp/huecast"
	say "building huecast's headless build into $HUECAST_BIN"
	(cd "$root" && CGO_ENABLED=0 go build -tags nowindow -o "$HUECAST_BIN" .)
fi
if ((DESKTOP)) && [[ -z ${HUECAST_DESKTOP_BIN:-} ]]; then
	HUECAST_DESKTOP_BIN="$tmp/huecast-desktop"
	say "building huecast's desktop build into $HUECAST_DESKTOP_BIN"
	(cd "$root" && go build -o "$HUECAST_DESKTOP_BIN" .)
fi
sio_dir="$root/bench/socketio"
if [[ ! -d $sio_dir/node_modules/socket.io ]]; then
	say "installing the Socket.IO reference's pinned packages (npm ci)"
	(cd "$sio_dir" && npm ci --no-audit --no-fund >&2)
fi
# 1000 clients need more than the usual 1024 descriptors, in the servers too.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- servers ---------------------------------------------------------------
# start_server floor|huecast|huecast-base|huecast-desktop|socketio: starts a
# fresh server on a free loopback port, pinned to SERVER_CPUS, and sets
# server_pid, server_port and server_cmd.
start_server() {
	server_port=$("$load" -free-port)
	# taskset and env exec the server, so $! is the server's own PID.
	local pin=() shown=
	if [[ -n $SERVER_CPUS ]]; then pin=(taskset -c "$SERVER_CPUS") shown="taskset -c $SERVER_CPUS "; fi
	case $1 in
	huecast | huecast-base | huecast-desktop)
		local bin=$HUECAST_BIN
		if [[ $1 == huecast-base ]]; then bin=$BASE_BIN; fi
		if [[ $1 == huecast-desktop ]]; then bin=$HUECAST_DESKTOP_BIN; fi
		# One sender sends every colour (RATE/s): lift the per-client limit;
		# and the scale search goes past the default 1024 peers a hub admits.
		server_cmd="${shown}env GOMAXPROCS=$server_procs $bin --headless --host --no-mdns --color-rate -1 --max-peers 100000 --listen 127.0.0.1:$server_port"
		"${pin[@]}" env GOMAXPROCS="$server_procs" "$bin" --headless --host --no-mdns --color-rate -1 --max-peers 100000 \
			--listen "127.0.0.1:$server_port" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" &
		;;
	floor)
		server_cmd="${shown}env GOMAXPROCS=$server_procs huecast-load -floor-server 127.0.0.1:$server_port"
		"${pin[@]}" env GOMAXPROCS="$server_procs" "$load" -floor-server "127.0.0.1:$server_port" \
			</dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" &
		;;
	socketio)
		server_cmd="${shown}node bench/socketio/server.js $server_port"
		"${pin[@]}" node "$sio_dir/server.js" "$server_port" </dev/null >"$tmp/socketio.out" 2>"$tmp/socketio.err" &
		;;
	esac
	server_pid=$!
	local i
	for ((i = 0; i < 150; i++)); do # at most 15 s
		if ! kill -0 "$server_pid" 2>/dev/null; then
			say "$1 exited before listening:"
			cat "$tmp/$1.err" >&2
			server_pid=
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$server_port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	say "$1 did not listen on 127.0.0.1:$server_port within 15 s"
	stop_server
	return 1
}

# stop_server stops the server this script started, by its PID.
stop_server() {
	local i
	kill -TERM "$server_pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do # at most 5 s
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

# proto SERVER: the protocol the load tool speaks to SERVER.
proto() { if [[ $1 == socketio ]]; then echo socketio; else echo huecast; fi; }

# json_field NAME FILE: a number from the tool's JSON line.
json_field() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" "$2" | head -n1; }

# run_case LABEL SERVER ARGS...: runs the load tool, pinned to LOAD_CPUS,
# against a fresh SERVER and prints its Markdown row with the exact command;
# the JSON line is left in $tmp/LABEL.json. Returns non-zero if the case
# could not run.
run_case() {
	local label=$1 server=$2
	shift 2
	start_server "$server" || return 1
	local args=(-addr "127.0.0.1:$server_port" -pid "$server_pid" "$@")
	local pin=
	if [[ -n $LOAD_CPUS ]]; then pin="taskset -c $LOAD_CPUS "; fi
	local cmd="${pin}huecast-load ${args[*]}"
	say "# $server_cmd"
	say "# $cmd"
	local rc=0
	on "$LOAD_CPUS" env GOMAXPROCS="$load_procs" timeout --kill-after=5 "$CASE_TIMEOUT" "$load" "${args[@]}" -json -md "$label" >"$tmp/out" || rc=$?
	stop_server
	if ((rc != 0)); then
		say "$label: the load tool failed (exit $rc)"
		echo "| $label | failed: see stderr | \`$cmd\` |"
		return 1
	fi
	sed -n 1p "$tmp/out" >"$tmp/$label.json"
	echo "$(sed -n 2p "$tmp/out") \`$cmd\` |"
}

# median [FORMAT]: the median of the numbers on stdin, one a line (nothing if none).
median() {
	sort -g | awk -v f="${1:-%.2f}" '{ v[NR] = $1 } END { if (NR == 0) exit; m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f "\n", m }'
}
# range [FORMAT]: "min–max" of the numbers on stdin.
range() { sort -g | awk -v f="${1:-%.2f}" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "–" f, lo, hi }'; }
# col N SERVER FIELD: that field of every repetition of SERVER at N (see $tmp/rows).
col() { awk -v n="$1" -v s="$2" -v f="$3" '$1 == n && $2 == s { print $f }' "$tmp/rows"; }
# ratios N A B FIELD [kept]: A's field over B's, for each repetition in which
# both ran; with "kept", only those in which both delivered every colour.
ratios() {
	awk -v n="$1" -v a="$2" -v b="$3" -v f="$4" -v kept="${5:-}" '
		$1 == n && $2 == a { x[$3] = $f; xa[$3] = $10 >= $11 }
		$1 == n && $2 == b { y[$3] = $f; ya[$3] = $10 >= $11 }
		END { for (r in x) if ((r in y) && y[r] > 0 && (kept == "" || (xa[r] && ya[r]))) printf "%.3f\n", x[r] / y[r] }' "$tmp/rows"
}
# Fields of $tmp/rows: 1 N, 2 server, 3 repetition, 4 p50, 5 p99, 6 max,
# 7 peak RSS MiB, 8 CPU µs per delivery, 9 load tool µs per delivery,
# 10 delivered, 11 expected.
record() {
	local f=$tmp/$2.json
	echo "$1 $2 $3 $(json_field p50_ms "$f") $(json_field p99_ms "$f") $(json_field max_ms "$f")" \
		"$(awk -v k="$(json_field rss_peak_kib "$f")" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(json_field cpu_us_per_delivery "$f") $(json_field tool_cpu_us_per_delivery "$f")" \
		"$(json_field delivered "$f") $(json_field expected "$f")" >>"$tmp/rows"
}

failed=0
trap 'echo; echo "load average at the end: $(cut -d" " -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC"; cleanup' EXIT
echo "huecast-load on $(nproc) cores, $(uname -sr), node $(node --version), $(go version | cut -d' ' -f3)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC (other work on the machine skews every figure; every server meets it)"
if [[ -n $SERVER_CPUS ]]; then
	echo "pinned: servers on cores $SERVER_CPUS (GOMAXPROCS=$server_procs for Go), the load tool on cores $LOAD_CPUS (GOMAXPROCS=$load_procs)"
else
	echo "not pinned: servers and load tool share every core"
fi
echo "servers (fresh for every row): huecast \`$HUECAST_BIN --headless --host --no-mdns --color-rate -1 --max-peers 100000 --listen 127.0.0.1:PORT\` (the headless build), socketio \`node bench/socketio/server.js PORT\`, floor \`huecast-load -floor-server 127.0.0.1:PORT\`"
if [[ -n ${BASE_BIN:-} ]]; then echo "and huecast-base: \`$BASE_BIN\` with the same flags"; fi
if ((DESKTOP)); then echo "and huecast-desktop: \`$HUECAST_DESKTOP_BIN\` (the windowed build, Fyne linked in) with the same flags"; fi
echo

if [[ $mode == saturation || $mode == scale ]]; then
	# holds FILE RATE: every colour sent on time and delivered, and p99 under the bound.
	holds() {
		awk -v p99="$(json_field p99_ms "$1")" -v want="$(json_field expected "$1")" \
			-v got="$(json_field delivered "$1")" -v sent="$(json_field sent_per_s "$1")" \
			-v rate="$2" -v bound="$SAT_P99_MS" \
			'BEGIN { exit !(p99 < bound && got >= want && want > 0 && sent >= 0.95 * rate) }'
	}
	# try SERVER N RATE: whether one of SAT_TRIES runs holds; sets row.
	try() {
		local t
		for ((t = 1; t <= SAT_TRIES; t++)); do
			row=$(run_case "$1" "$1" -proto "$(proto "$1")" -n "$2" -rate "$3" \
				-duration "$SAT_DURATION" -warmup "$WARMUP" -senders "$SENDERS") || row=
			if [[ -n $row ]] && holds "$tmp/$1.json" "$3"; then return 0; fi
		done
		return 1
	}
	if [[ $mode == scale ]]; then
		echo "Scale: the largest N at which p99 < $SAT_P99_MS ms at $RATE/s with every colour delivered"
		echo
		"$load" -md-header load
		for server in $SCALE_SERVERS; do
			good=0 bad=0 n=$SCALE_FROM best_row=
			while ((n <= SCALE_MAX)) && ((bad == 0 || bad - good > good / 8)); do
				if ((SECONDS >= SAT_BUDGET)); then
					say "$server: stopped after ${SECONDS}s (SAT_BUDGET=$SAT_BUDGET)"
					break
				fi
				if try "$server" "$n" "$RATE"; then
					good=$n best_row=$row
					say "$server: N=$n holds"
				else
					bad=$n
					say "$server: N=$n breaks ($SAT_TRIES runs)"
				fi
				if ((bad == 0)); then n=$((n * 2)); else n=$(((good + bad) / 2)); fi
				((n > good && n >= 2)) || break # a sender and someone to receive
			done
			if [[ -n $best_row ]]; then echo "$best_row"; fi
			echo "$server: holds N=$good at $RATE/s, $(if ((bad > 0)); then echo "breaks at N=$bad"; else echo "did not break up to N=$good"; fi)" >>"$tmp/brackets"
		done
		echo
		sed 's/^/- /' "$tmp/brackets"
		exit 0
	fi
	echo "Saturation: the highest rate at which p99 < $SAT_P99_MS ms, every colour is delivered and sent on time"
	echo
	"$load" -md-header load
	for n in $SAT_NS; do
		for server in huecast socketio; do
			# Double from 50/s until it breaks, then halve the gap 3 times;
			# at most SAT_STEPS rates, and none once SAT_BUDGET is spent.
			good=0 bad=0 rate=50 best_row= steps=0
			while ((bad == 0 || bad - good > good / 8)) && ((rate <= 100000)); do
				if ((steps >= SAT_STEPS || SECONDS >= SAT_BUDGET)); then
					say "$server N=$n: stopped after $steps rates, ${SECONDS}s (SAT_STEPS=$SAT_STEPS, SAT_BUDGET=$SAT_BUDGET)"
					break
				fi
				steps=$((steps + 1))
				# A stall from other work on the machine can break one short
				# run at any rate; a rate holds if one of SAT_TRIES runs does.
				if try "$server" "$n" "$rate"; then
					good=$rate best_row=$row
					say "$server N=$n: $rate/s holds"
				else
					bad=$rate
					say "$server N=$n: $rate/s breaks ($SAT_TRIES runs)"
				fi
				if ((bad == 0)); then rate=$((rate * 2)); else rate=$(((good + bad) / 2)); fi
				((rate > good)) || break
			done
			if [[ -n $best_row ]]; then echo "$best_row"; else echo "| $server | $n | none held, down to $bad/s | | | | | | | | | | | | |"; fi
			if ((bad > 0)); then bracket="breaks at $bad/s"; else bracket="did not break up to $good/s"; fi
			echo "$server N=$n: holds at $good/s, $bracket ($steps rates tried)" >>"$tmp/brackets"
		done
	done
	echo
	sed 's/^/- /' "$tmp/brackets"
	exit 0
fi

echo "Load: $RATE colours/s from $SENDERS sender(s) for $DURATION after a $WARMUP warm-up, $REPS repetitions (servers in turn within each); latency is send → receipt at every client but the sender"
echo
"$load" -md-header load
: >"$tmp/rows"
for n in $NS; do
	for ((rep = 1; rep <= REPS; rep++)); do
		for server in $servers; do
			if run_case "$server" "$server" -proto "$(proto "$server")" -n "$n" -rate "$RATE" -duration "$DURATION" \
				-warmup "$WARMUP" -senders "$SENDERS"; then
				record "$n" "$server" "$rep"
			else
				failed=1
			fi
		done
	done
done

echo
echo "Medians over the repetitions (range in brackets); CPU per delivery is the server's CPU over the measured phase divided by the deliveries in it, \"× floor\" the median of each repetition's ratio to the floor's"
echo
echo "| N | server | p50 ms | p99 ms | max ms | peak RSS MiB | CPU µs/delivery | × floor | load tool µs/delivery | delivered |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $NS; do
	for server in $servers; do
		[[ -n $(col "$n" "$server" 4) ]] || continue
		cell() { echo "$(col "$n" "$server" "$1" | median) ($(col "$n" "$server" "$1" | range))"; }
		lost=$(awk -v n="$n" -v s="$server" '$1 == n && $2 == s && $10 < $11 { m += $11 - $10 } END { print m + 0 }' "$tmp/rows")
		delivered=all
		if ((lost > 0)); then delivered="$lost missing"; fi
		echo "| $n | $server | $(cell 4) | $(cell 5) | $(cell 6) | $(cell 7) | $(cell 8) | $(ratios "$n" "$server" floor 8 | median) ($(ratios "$n" "$server" floor 8 | range)) | $(cell 9) | $delivered |"
	done
done
echo
echo "huecast against Socket.IO, per repetition, then the median:"
echo
echo "| N | CPU per delivery | p99 | peak RSS |"
echo "| --- | --- | --- | --- |"
for n in $NS; do
	r() { echo "$(ratios "$n" huecast socketio "$1" | median %.3f) ($(ratios "$n" huecast socketio "$1" | range %.3f))"; }
	echo "| $n | $(r 8) | $(r 5) | $(r 7) |"
done

if [[ $mode == ci ]]; then
	# The guard is on ratios measured in the same repetition, so a busy
	# machine slows both servers alike, and on their median over CI_REPS
	# repetitions, so one stall does not decide.
	# CPU per delivery is compared only where both servers kept up: a
	# server that falls behind writes to clients that are awake anyway and
	# pays for fewer wake-ups, so its backlog makes it look cheaper. If
	# fewer than three repetitions qualify, all of them count.
	cpu_kept=kept
	if (($(ratios "$CI_N" huecast socketio 8 kept | wc -l) < 3)); then cpu_kept=; fi
	cpu=$(ratios "$CI_N" huecast socketio 8 $cpu_kept | median %.3f)
	p99=$(ratios "$CI_N" huecast socketio 5 | median %.3f)
	if [[ -z $cpu || -z $p99 ]] || (($(wc -l <"$tmp/rows") < 3 * CI_REPS)); then
		say "ci: FAIL: not every case ran"
		exit 1
	fi
	basis="all repetitions"
	[[ -n $cpu_kept ]] && basis="repetitions where both kept up"
	verdict="huecast/Socket.IO at N=$CI_N: CPU per delivery $cpu (at most $CI_CPU_RATIO; $basis), p99 $p99 (at most $CI_P99_RATIO), medians of $CI_REPS repetitions"
	if awk -v c="$cpu" -v p="$p99" -v mc="$CI_CPU_RATIO" -v mp="$CI_P99_RATIO" 'BEGIN { exit !(c > mc || p > mp) }'; then
		say "ci: FAIL: $verdict"
		exit 1
	fi
	say "ci: ok: $verdict"
	exit $failed
fi

if ((IDLE_N > 0)); then
	echo
	echo "Idle memory: RSS with $IDLE_N idle clients minus RSS with none, per connection"
	echo
	"$load" -md-header idle
	for server in $servers; do
		[[ $server != floor ]] || continue
		run_case "$server" "$server" -idle -proto "$(proto "$server")" -n "$IDLE_N" -idle-hold "$IDLE_HOLD" || failed=1
	done
fi

if [[ $mode == full ]]; then
	echo
	echo "Round trip: a plain TCP round trip on loopback (client → echo → client, the same two hops as sender → hub → receiver), on the load tool's cores"
	echo
	"$load" -md-header tcp-floor
	cmd=(-tcp-floor -rate "$RATE" -duration "$DURATION" -warmup "$WARMUP")
	on "$LOAD_CPUS" timeout --kill-after=5 "$CASE_TIMEOUT" "$load" "${cmd[@]}" -md "tcp round trip" >"$tmp/out" || failed=1
	echo "$(cat "$tmp/out") \`huecast-load ${cmd[*]}\` |"
fi
exit $failed
