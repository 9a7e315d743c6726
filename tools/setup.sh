#!/usr/bin/env bash
# Install everything rvs needs on a Debian 12 machine, idempotently.
#
#   tools/setup.sh           install what is missing (needs root for apt-get)
#   tools/setup.sh --check   say what is missing, in one line, and exit 1; install nothing
#
# Sources: Debian's packages, crates.io (bindgen-cli) and PyPI (virtme-ng). Nothing else.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

# Debian packages, by name. The kernel source and rustc versions are checked below.
DEB_PACKAGES=(
	linux-source-6.12 rustc-web rust-web-src
	clang-19 lld-19 llvm-19 libclang-19-dev
	flex bison bc cpio kmod libelf-dev libssl-dev pahole make xz-utils rsync
	qemu-system-x86 udev python3-venv
	socat iproute2 nftables ipvsadm python3-scapy tcpdump iperf3 util-linux gcc libc6-dev iputils-ping
)
BINDGEN_VERSION=0.71.1
VIRTME_NG_VERSION=1.42
KERNEL_SOURCE_VERSION=6.12.117
RUSTC_WEB_VERSION=1.96

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

missing_debs() {
	local p
	for p in "${DEB_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s ' "$p"
	done
}

have_bindgen() {
	local v
	[ -x "$RVS_BINDGEN" ] || return 1
	v=$("$RVS_BINDGEN" --version 2>/dev/null) || return 1
	[ "$v" = "bindgen $BINDGEN_VERSION" ]
}

have_vng() {
	local v
	[ -x "$RVS_VENV/bin/vng" ] || return 1
	v=$("$RVS_VENV/bin/pip" show virtme-ng 2>/dev/null) || return 1
	grep -q "^Version: $VIRTME_NG_VERSION\$" <<<"$v"
}

if [ $check_only = 1 ]; then
	m=$(missing_debs)
	what=""
	[ -n "$m" ] && what="Debian packages: $m"
	have_bindgen || what="$what bindgen $BINDGEN_VERSION;"
	have_vng || what="$what virtme-ng $VIRTME_NG_VERSION;"
	if [ -n "$what" ]; then
		echo "rvs: missing $what run 'make setup' (as root) first" >&2
		exit 1
	fi
	exit 0
fi

m=$(missing_debs)
if [ -n "$m" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "rvs: missing Debian packages: $m; run 'sudo make setup'" >&2
		exit 1
	fi
	echo "setup: installing Debian packages: $m"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $m >/dev/null
fi

src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
case "$src_ver" in
"$KERNEL_SOURCE_VERSION"-*) ;;
*) echo "setup: note: linux-source-6.12 is $src_ver, rvs is tested on $KERNEL_SOURCE_VERSION" >&2 ;;
esac
case "$(/usr/bin/rustc --version)" in
"rustc $RUSTC_WEB_VERSION".*) ;;
*) echo "setup: note: /usr/bin/rustc is $(/usr/bin/rustc --version), rvs is tested on $RUSTC_WEB_VERSION" >&2 ;;
esac

mkdir -p "$RVS_CACHE"
if ! have_bindgen; then
	echo "setup: building bindgen-cli $BINDGEN_VERSION from crates.io (about 2 minutes)"
	cargo install -q bindgen-cli --version "$BINDGEN_VERSION" --locked --root "$RVS_CACHE/bindgen"
fi

if ! have_vng; then
	echo "setup: installing virtme-ng $VIRTME_NG_VERSION from PyPI into $RVS_VENV"
	/usr/bin/python3 -m venv "$RVS_VENV"
	"$RVS_VENV/bin/pip" install -q "virtme-ng==$VIRTME_NG_VERSION"
fi
echo "setup: done"
