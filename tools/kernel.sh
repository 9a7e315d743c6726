#!/usr/bin/env bash
# Build (or reuse) the project's kernel from Debian's linux-source-6.12 and print its build dir.
#
#   tools/kernel.sh [base|debug]      default: debug
#
# The build lives in $RVS_CACHE/kernel/<source version>-<flavour>-<hash of fragments>, outside
# the repository, so every clone and every later run reuses it. The directory's path never
# changes once built: Rust crates of the kernel remember where they were built.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

flavour=${1:-debug}
case "$flavour" in
base) fragments=("$top/kernel/base.config") ;;
debug) fragments=("$top/kernel/base.config" "$top/kernel/debug.config") ;;
*) echo "kernel.sh: unknown flavour '$flavour' (base or debug)" >&2; exit 2 ;;
esac

"$here/setup.sh" --check

src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (echo "$src_ver"; /usr/bin/rustc --version; "$RVS_BINDGEN" --version; clang-19 --version | head -1;
	cat "${fragments[@]}") | sha256sum | cut -c1-12)
src=$RVS_CACHE/src/$src_ver/linux-source-6.12
out=$RVS_CACHE/kernel/$src_ver-$flavour-$key
kmake=(make -C "$src" O="$out" LLVM=-19 RUSTC=/usr/bin/rustc BINDGEN="$RVS_BINDGEN" -s)

if [ -f "$out/.rvs-complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$RVS_CACHE/kernel"
exec 9>"$RVS_CACHE/kernel/.lock"
flock 9
if [ -f "$out/.rvs-complete" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/Makefile" ]; then
	echo "kernel: unpacking /usr/src/linux-source-6.12.tar.xz ($src_ver)" >&2
	mkdir -p "$RVS_CACHE/src/$src_ver"
	rm -rf "$src.partial"
	mkdir "$src.partial"
	tar -xf /usr/src/linux-source-6.12.tar.xz -C "$src.partial" --strip-components=1
	mv "$src.partial" "$src"
fi

start=$(date +%s)
echo "kernel: configuring $flavour kernel in $out" >&2
mkdir -p "$out"
"${kmake[@]}" rustavailable >&2
"${kmake[@]}" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null
"${kmake[@]}" olddefconfig >&2

# Kconfig silently drops options whose dependencies are missing: insist on every line.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || { echo "kernel: config wants $line, got: $(grep "^${line%%=*}=\|# ${line%%=*} is" "$out/.config" || echo unset)" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -q "^$opt=" "$out/.config" && { echo "kernel: config wants $opt unset, got $(grep "^$opt=" "$out/.config")" >&2; bad=1; }
		;;
	esac
done < <(cat "${fragments[@]}")
[ $bad = 0 ] || { echo "kernel: the config fragments do not apply cleanly" >&2; exit 1; }

echo "kernel: building (about 16 minutes on 2 cores from scratch)" >&2
"${kmake[@]}" -j"$(($(nproc) + 1))" >&2
touch "$out/.rvs-complete"
echo "kernel: built in $(($(date +%s) - start)) s" >&2
echo "$out"
