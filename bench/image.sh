#!/usr/bin/env bash
# Unpacking an image: `mew rootfs create --from image` (digests checked,
# layers applied beneath the root) against `tar -x` of the same layer blobs
# one after the other, in the same run, alternating, on the same filesystem.
# The image: the host's /usr/lib/x86_64-linux-gnu and /usr/share cut into
# three layers, about MIB MiB (default 400), plain tar; --gzip for gzip
# layers (then tar -xzf).  Reports each median and mew's ratio to tar.
# Usage: bench/image.sh [--gzip] [RUNS] [MIB]   (root keeps owners, as tar does)
set -euo pipefail
gz=
[ "${1:-}" = --gzip ] && { gz=--gzip; shift; }
runs=${1:-5}
mib=${2:-400}
here=$(cd "$(dirname "$0")/.." && pwd)
mew=$here/build/mew
[ -x "$mew" ] || { echo "bench: build mew first (make)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/mew-bench-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Three layer directories of real files (libraries, docs, locales), about
# mib MiB together: whole top-level directories until the budget is spent.
budget=$((mib * 1024 * 1024))
n=0
for d in /usr/lib/x86_64-linux-gnu/* /usr/share/*; do
	[ "$budget" -gt 0 ] || break
	[ -L "$d" ] && continue
	s=$(du -sb "$d" 2>/dev/null | cut -f1)
	[ "${s:-0}" -gt 0 ] || continue
	[ "$s" -le "$budget" ] || continue
	l=$work/l$((n % 3))
	mkdir -p "$l$(dirname "$d")"
	cp -a "$d" "$l$(dirname "$d")/"
	budget=$((budget - s))
	n=$((n + 1))
done
python3 "$here/tests/e2e/mkimage.py" "$work/oci" "$work/l0" "$work/l1" "$work/l2" $gz >/dev/null
rm -rf "$work/l0" "$work/l1" "$work/l2"
size=$(du -sb "$work/oci/blobs" | cut -f1)
mapfile -t layers < <(python3 -c '
import json, sys
idx = json.load(open(sys.argv[1] + "/index.json"))
m = json.load(open(sys.argv[1] + "/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
for l in m["layers"]: print(sys.argv[1] + "/blobs/sha256/" + l["digest"].split(":")[1])' "$work/oci")

now() { date +%s.%N; }
run_mew() { "$mew" rootfs create --from image "oci:$work/oci" "$work/out" 2>/dev/null; }
run_tar() {
	mkdir "$work/out"
	for l in "${layers[@]}"; do tar -C "$work/out" ${gz:+-z} -xf "$l"; done
}
declare -a tm tt
# Warm the page cache with one of each, then alternate.
run_mew; rm -rf "$work/out"; run_tar; rm -rf "$work/out"
for ((i = 0; i < runs; i++)); do
	a=$(now); run_mew; b=$(now); rm -rf "$work/out"; sync
	c=$(now); run_tar; d=$(now); rm -rf "$work/out"; sync
	tm+=("$(echo "$b - $a" | bc)"); tt+=("$(echo "$d - $c" | bc)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m=$(median "${tm[@]}")
t=$(median "${tt[@]}")
printf 'image: %d layers%s, %.0f MiB of blobs, %d runs each\n' "${#layers[@]}" "${gz:+ (gzip)}" "$(echo "$size / 1048576" | bc -l)" "$runs"
printf '%-34s %10s\n' command "median s"
printf '%-34s %10.3f\n' "mew rootfs create --from image" "$m"
printf '%-34s %10.3f\n' "tar -x of each layer" "$t"
awk -v m="$m" -v t="$t" 'BEGIN { printf "ratio mew / tar: %.2fx\n", m / t }'
