# steps.sh: named, timed steps for scripts/test.sh (sourced, not run).
#
#   step NAME CMD...        runs CMD now; the script stops if it fails
#   step_bg NAME CMD...     starts CMD in the background, its output kept aside
#   step_wait NAME          waits for a background step, prints its output,
#                           and stops the script if it failed
#   after NAME CMD...       (as a background step's CMD) waits for the
#                           background step NAME to end, then runs CMD, or
#                           fails at once if NAME failed
#
# When the script ends, passed or failed, it prints every step with its
# seconds, wall and CPU (user + sys of every process the step ran and waited
# for), so a step that grows shows up in the log of the run that made it
# grow, and on a busy machine the CPU column still says what the step cost.
# A step in the background when the script fails is stopped.

_steps_dir="$(mktemp -d "${TMPDIR:-/tmp}/huecast-steps.XXXXXX")"
_steps_t0=$EPOCHREALTIME
_steps=()                 # names, in the order they started
declare -A _steps_pid=()  # background steps: the subshell's PID

# _steps_now prints the seconds since the epoch, to the millisecond.
_steps_now() { printf '%s\n' "${EPOCHREALTIME:0:-3}"; }

# _steps_run NAME CMD... runs CMD and writes how it ended for the summary:
# its exit status, start, end, and the user and sys seconds of CMD and all
# it waited for. It runs in a subshell of its own (started with &), so that
# `times` counts this step's processes only, not another step's that the
# script reaped meanwhile. CMD runs as a job of its own, so that `set -e`
# holds inside a shell function given as CMD (bash ignores it in
# `CMD || rc=$?`).
_steps_run() {
	local name=$1 start rc=0 cpu
	shift
	start=$(_steps_now)
	"$@" &
	wait "$!" || rc=$?
	# times prints the shell's user and sys time, then its children's; it
	# writes to a file, as in a pipe or $(...) it would run in a new process.
	times >"$_steps_dir/$name.times"
	cpu=$(awk 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] }
		printf "%.1f", s }' "$_steps_dir/$name.times")
	# Written whole, then renamed: after() reads it as soon as it exists.
	printf '%s %s %s %s\n' "$rc" "$start" "$(_steps_now)" "$cpu" >"$_steps_dir/$name.end"
	mv "$_steps_dir/$name.end" "$_steps_dir/$name.done"
	return "$rc"
}

step() {
	local name=$1 rc=0
	shift
	_steps+=("$name")
	echo "=== $name: $*"
	_steps_run "$name" "$@" &
	wait "$!" || rc=$?
	return "$rc"
}

step_bg() {
	local name=$1
	shift
	_steps+=("$name")
	echo "=== $name (in the background): $*"
	_steps_run "$name" "$@" >"$_steps_dir/$name.log" 2>&1 </dev/null &
	_steps_pid[$name]=$!
}

step_wait() {
	local name=$1 rc=0
	wait "${_steps_pid[$name]}" || rc=$?
	unset "_steps_pid[$name]"
	echo "=== $name (output of the background step)"
	cat "$_steps_dir/$name.log"
	[[ $rc == 0 ]] || echo "=== $name FAILED (exit $rc)"
	return "$rc"
}

after() {
	local name=$1 rc
	shift
	# A bounded wait: NAME is a step of this run, and every step ends.
	until [[ -f $_steps_dir/$name.done ]]; do sleep 0.5; done
	read -r rc _ <"$_steps_dir/$name.done"
	[[ $rc == 0 ]] || { echo "$name failed, so this step did not run: $*" >&2; return 1; }
	"$@"
}

# _steps_kill_tree PID stops PID and every process below it, children first
# so that none is left behind under init.
_steps_kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		_steps_kill_tree "$child"
	done
	kill "$1" 2>/dev/null || true
}

# _steps_summary prints one line per step: wall and CPU seconds and how it
# ended, then the run's wall time and the CPU time of all its steps.
_steps_summary() {
	local rc=$? name pid status wall cpu code start end total_cpu=0 line
	for name in "${!_steps_pid[@]}"; do
		pid=${_steps_pid[$name]}
		_steps_kill_tree "$pid"
		wait "$pid" 2>/dev/null || true
		echo "=== $name (stopped; its output so far)"
		cat "$_steps_dir/$name.log"
	done
	echo
	echo "=== time per step (background steps overlap the ones after them;"
	echo "=== CPU is user + sys of the step's processes, on any core)"
	printf '%8s %8s  %s\n' wall CPU step
	for name in "${_steps[@]}"; do
		if [[ -f $_steps_dir/$name.done ]]; then
			read -r code start end cpu <"$_steps_dir/$name.done"
			wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
			total_cpu=$(awk -v a="$total_cpu" -v b="$cpu" 'BEGIN { printf "%.1f", a + b }')
			status=ok
			[[ $code == 0 ]] || status="FAILED (exit $code)"
		else
			wall=- cpu=- status=stopped
		fi
		printf '%8s %8s  %-24s %s\n' "$wall" "$cpu" "$name" "$status"
	done
	line=$(awk -v a="$_steps_t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	printf '%8s %8s  %-24s %s\n' "$line" "$total_cpu" total "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)")"
	rm -rf "$_steps_dir"
	return "$rc"
}
trap _steps_summary EXIT
