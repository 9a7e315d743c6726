#!/usr/bin/env bash
# `make check`: host tests, lints, kernel + module + rvsadm builds, selftests in a guest on the
# debug kernel. Ends with "check: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$top/target}

passed=0
failed=0
failures=()
step() { # NAME CMD...: a check that passes or fails as a whole
	local name=$1
	shift
	echo "== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "!! $name failed"
	fi
}

start=$(date +%s)
# Host tests of the core and rvsadm: every test counts.
echo "== cargo test"
log=$(mktemp)
cargo test --workspace 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
p=$(grep -o '[0-9]* passed' "$log" | awk '{s += $1} END {print s + 0}')
f=$(grep -o '[0-9]* failed' "$log" | awk '{s += $1} END {print s + 0}')
passed=$((passed + p))
failed=$((failed + f))
if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
	failed=$((failed + 1))
	failures+=("cargo test (build)")
fi
[ "$f" = 0 ] || failures+=("cargo test")
rm -f "$log"

step "rustfmt (host crates)" cargo fmt --all --check
step "rustfmt (module)" rustfmt --check rust/rvs_main.rs
step "clippy" cargo clippy -q --workspace --all-targets -- -D warnings
step "kernel (debug)" make -s kernel
step "rvs.ko" make -s module
step "rvsadm" make -s rvsadm

if [ -f rvs.ko ] && [ -x "$CARGO_TARGET_DIR/release/rvsadm" ]; then
	echo "== selftests (guest, debug kernel)"
	"$top/selftests/run.sh"
	rc=$?
	line=$(grep -E '^# selftests: [0-9]+ passed, [0-9]+ failed' "$top/selftests/out/ktap.log" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" = 0 ] || failures+=("selftests")
	fi
	if [ -z "$line" ] || { [ "$rc" != 0 ] && [ "$f" = 0 ]; }; then
		failed=$((failed + 1))
		failures+=("selftests: the guest run ended early (exit $rc)")
	fi
else
	failed=$((failed + 1))
	failures+=("selftests: not run, the builds failed")
fi

echo "== $(($(date +%s) - start)) s"
[ ${#failures[@]} = 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
