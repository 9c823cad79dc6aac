#!/usr/bin/env bash
# Checks the built launcher (bin/assay of an unpacked distribution) end to end:
#   1. under a POSIX locale (LANG=C LC_ALL=C), non-ASCII paths work: --out "out-é" and a cache directory "cache-é";
#   2. two runs leave no onnxruntime-java* entry in a fresh java.io.tmpdir (natives load from lib/native/).
# Usage: launcher-hygiene.sh [DIST_HOME] [CONFIGS_DIR]   (defaults: this module's target/assay, the repo's configs/)
# Exit 0 when both hold; 1 with a message naming what failed. Takes about 20 s (the first run builds the embedded
# world into the test's own cache).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dist=${1:-$here/../../../target/assay}
configs=${2:-$here/../../../../../configs}
[ -x "$dist/bin/assay" ] || { echo "launcher-hygiene: no launcher at $dist/bin/assay (build the distribution)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp"
fail() { echo "launcher-hygiene: FAILED: $*" >&2; exit 1; }

run() { # seed
  env -i PATH="$PATH" HOME="$work" LANG=C LC_ALL=C ASSAY_CONFIGS="$configs" ASSAY_CACHE_DIR="$work/cache-é" \
      ASSAY_JAVA_OPTS="-Xmx2g -Djava.io.tmpdir=$work/tmp" \
      "$dist/bin/assay" generate --steps 2 --seed "$1" --out "$work/out-é" "a red circle on a blue background" \
      >"$work/stdout" 2>"$work/stderr" || fail "run with seed $1 exited $?: $(cat "$work/stderr")"
  if grep -q 'Exception' "$work/stderr"; then fail "stack trace on stderr: $(cat "$work/stderr")"; fi
}

run 1
run 2
for seed in 1 2; do
  png="$work/out-é/a-red-circle-on-a-blue-background-$seed.png"
  [ -s "$png" ] || fail "no image at $png; out-é holds: $(ls -A "$work/out-é" 2>/dev/null)"
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
done
left=$(find "$work/tmp" -maxdepth 1 -name 'onnxruntime-java*')
[ -z "$left" ] || fail "ONNX Runtime left temp entries: $left"
echo "launcher-hygiene: ok (non-ASCII paths under LANG=C; no onnxruntime-java* in java.io.tmpdir after 2 runs)"
