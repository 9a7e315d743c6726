#!/usr/bin/env bash
# Run a command in a QEMU guest booted (virtme-ng) from the project's kernel, with rvs.ko
# loaded and rvsadm on PATH; exit with the command's status.
#
#   tools/guest.sh CMD [ARG...]            e.g. tools/guest.sh rvsadm -Ln
#
# Environment: RVS_FLAVOUR=debug|base (kernel, default debug); RVS_KO=PATH the module to load
# (default ./rvs.ko: it must be built for that kernel); RVS_NO_LOAD=1 to boot without
# loading rvs.ko; RVS_INSMOD_ARGS for insmod (e.g. conn_tab_bits=14); RVS_KVM=0|1 to force
# software emulation or KVM (default: KVM only where a guest really boots with it);
# RVS_GUEST_OUT=DIR a directory the guest may write (default selftests/out).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

[ $# -gt 0 ] || { echo "usage: tools/guest.sh CMD [ARG...]" >&2; exit 2; }
"$here/setup.sh" --check
kdir=$("$here/kernel.sh" "${RVS_FLAVOUR:-debug}")
kimg=$kdir/arch/x86/boot/bzImage
ko=${RVS_KO:-$top/rvs.ko}
[ -f "$ko" ] || { echo "guest: $ko is missing; run 'make module'" >&2; exit 1; }
ko=$(realpath "$ko")
out=${RVS_GUEST_OUT:-$top/selftests/out}
mkdir -p "$out"

vng() {
	"$RVS_VENV/bin/vng" --run "$kimg" "$@" --append root=/dev/root --memory 2G --cpus 2 \
		--user root --cwd "$top" --rwdir "$out" </dev/null
}

# KVM is used only where a guest really boots with it (nested virtualisation often hangs);
# the answer is remembered for this boot of the host.
kvm_flag=--disable-kvm
case "${RVS_KVM:-auto}" in
1) kvm_flag= ;;
0) ;;
*)
	probe=$RVS_CACHE/kvm-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	if [ ! -f "$probe" ]; then
		verdict=no
		if [ -w /dev/kvm ] && timeout 90 "$RVS_VENV/bin/vng" --run "$kimg" --append root=/dev/root \
			--memory 1G --user root --exec 'echo rvs-kvm-ok' </dev/null 2>/dev/null | grep -q rvs-kvm-ok; then
			verdict=yes
		fi
		echo "$verdict" >"$probe"
	fi
	[ "$(cat "$probe")" = yes ] && kvm_flag=
	;;
esac

# The command goes through a file, so any quoting survives.
# The guest gets a fresh environment: the settings travel in the same file.
cmdfile=$out/.guest-cmd.$$
trap 'rm -f "$cmdfile"' EXIT
{
	printf 'export RVS_NO_LOAD=%q RVS_INSMOD_ARGS=%q RVS_OUT=%q RVS_KO=%q RVS_FLAVOUR=%q RVS_GUEST_KVM=%q\n' \
		"${RVS_NO_LOAD:-0}" "${RVS_INSMOD_ARGS:-}" "$out" "$ko" "${RVS_FLAVOUR:-debug}" \
		"$([ -z "$kvm_flag" ] && echo 1 || echo 0)"
	printf '%q ' "$@"
	echo
} >"$cmdfile"
vng $kvm_flag --exec "bash $top/tools/guest-init.sh $cmdfile"
