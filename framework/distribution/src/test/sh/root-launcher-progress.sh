#!/usr/bin/env bash
# Checks the root ./assay launcher's first-use build output with a stand-in for Maven (so nothing is built or
# installed): one progress line per module while building, the command run afterwards, and the full Maven log plus
# exit 1 when the build fails. Usage: root-launcher-progress.sh [ROOT_LAUNCHER] (default: the repository's ./assay).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
launcher=${1:-$here/../../../../../assay}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "root-launcher-progress: FAILED: $*" >&2; exit 1; }

mkdir -p "$work/repo" "$work/bin"
cp "$launcher" "$work/repo/assay"
chmod +x "$work/repo/assay"
# The stand-in prints what Maven prints in batch mode, slowly, then creates the distribution (or fails).
cat > "$work/bin/mvn" <<'MVN'
#!/usr/bin/env bash
i=0
for m in "Assay SDK" "Assay web sources" "Assay distribution"; do
  i=$((i + 1))
  echo "[INFO] ------------------------------------------------------------------------"
  echo "[INFO] Building $m 0.1.0-SNAPSHOT                                  [$i/3]"
  sleep 1.2
  echo "[INFO] Building jar: /somewhere/$m.jar"
done
if [ "${FAKE_MVN_FAIL:-0}" = 1 ]; then echo "[ERROR] COMPILATION ERROR: the detail only the log has"; exit 1; fi
mkdir -p framework/distribution/target/assay/bin
printf '#!/usr/bin/env bash\necho "ran: $*"\n' > framework/distribution/target/assay/bin/assay
chmod +x framework/distribution/target/assay/bin/assay
MVN
chmod +x "$work/bin/mvn"

PATH="$work/bin:$PATH" "$work/repo/assay" plugins >"$work/out" 2>"$work/err" || fail "exit $?: $(cat "$work/err")"
grep -q '^ran: plugins$' "$work/out" || fail "the command did not run after the build: $(cat "$work/out")"
for line in "\[1/3\] Assay SDK" "\[2/3\] Assay web sources" "\[3/3\] Assay distribution"; do
  grep -Eq "^assay:   $line \([0-9]+ s\)$" "$work/err" || fail "no progress line '$line' in: $(cat "$work/err")"
done
if grep -q 'Building jar' "$work/err"; then fail "Maven's own log leaked on success: $(cat "$work/err")"; fi

rm -rf "$work/repo/framework"
status=0
FAKE_MVN_FAIL=1 PATH="$work/bin:$PATH" "$work/repo/assay" plugins >"$work/out" 2>"$work/err" || status=$?
[ "$status" = 1 ] || fail "a failed build exited $status, expected 1"
grep -q 'COMPILATION ERROR: the detail only the log has' "$work/err" || fail "full log not shown on failure: $(cat "$work/err")"
grep -q 'Building jar: /somewhere/Assay SDK.jar' "$work/err" || fail "log shown only in part: $(cat "$work/err")"
echo "root-launcher-progress: ok (a line per module while building; the full log on failure)"
