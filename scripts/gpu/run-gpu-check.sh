#!/usr/bin/env bash
# Runs ON the GPU machine, from the repo root, with .gpu/ carried (built by scripts/gpu/build-gpu-bundle.sh):
#   bash scripts/gpu/run-gpu-check.sh
# That machine has no Node.js and no node_modules: node, the bundles and Dawn are unpacked from .gpu/ into
# $FLOWSTEER_GPU_RUNTIME (default /tmp/flowsteer-gpu; .gpu/ itself is left as it is). Steps, each under a timeout
# so one hang cannot eat the device budget: backend parity (tests/gpu/gpuCheck.ts), tfThroughput, policyThroughput.
# Everything is tee'd into $OUT/gpu-check.log (OUT defaults to /tmp/out). Exit status: the first failing step's.
# On a machine without nvidia-smi (a local dry run) the Vulkan loader debs are not unpacked into /.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-/tmp/out}
RUNTIME=${FLOWSTEER_GPU_RUNTIME:-/tmp/flowsteer-gpu}
# Per-step limits in seconds (override by env). Expected on an H100: ~4 min in all; the limits add up to 6 min.
T_PARITY=${T_PARITY:-90}
T_TF=${T_TF:-180}
T_POLICY=${T_POLICY:-90}
T_TRAIN=${T_TRAIN:-120}
# Which steps run (comma-separated): parity, train, tf, policy.
STEPS=${STEPS:-parity,train,tf,policy}
wants() { [[ ",$STEPS," == *",$1,"* ]]; }
# The GPU host's CPU runs wasm ~2.5× slower than a dev machine (STACK.md §11): wasm stops at 1024.
TF_ARGS=${TF_ARGS:---backends wasm,webgpu --batches 32,256,1024,4096 --wasm-max-batch 1024}
POLICY_ARGS=${POLICY_ARGS:---backends wasm,webgpu}
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
EGL_VENDOR=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
# ldconfig lives in /sbin, which a minimal PATH lacks.
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
mkdir -p "$OUT"
LOG=$OUT/gpu-check.log

unxz_to() {
  # xz may be missing on a bare image; Python's lzma reads the same format.
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$1" >"$2"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}

SUMMARY=()
STATUS=0
step() {
  local name=$1 limit=$2 started rc
  shift 2
  echo
  echo "################ $name (limit ${limit}s): $*"
  started=$(date +%s)
  timeout -k 10 "$limit" "$@"
  rc=$?
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "!! $name: killed after ${limit}s"
  SUMMARY+=("$name: exit $rc in $(($(date +%s) - started))s")
  [ "$STATUS" = 0 ] && STATUS=$rc
}

prepare() {
  echo "== gpu check $(date -u +%FT%TZ) on $(hostname), $(nproc) cpus"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi -L
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    echo '== Vulkan loader (.gpu/debs) into /'
    for f in .gpu/debs/*.deb; do dpkg -x "$f" / || return 1; done
    "$LDCONFIG"
  else
    echo '== no nvidia-smi: not a GPU machine, so / is left alone (webgpu will be unavailable)'
  fi
  if [ -f "$ICD" ]; then export VK_DRIVER_FILES=$ICD; echo "== ICD: $(tr -d '\n ' <"$ICD")"; else echo "== no NVIDIA Vulkan ICD at $ICD"; fi
  # The NVIDIA ICD is libGLX_nvidia, which loads through glvnd and wants the EGL vendor file as well.
  [ -f "$EGL_VENDOR" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$EGL_VENDOR
  "$LDCONFIG" -p | grep -E 'libvulkan\.so\.1|libGLdispatch' || echo '== no libvulkan.so.1 in the linker cache'

  echo "== unpacking node, bundles and Dawn into $RUNTIME"
  rm -rf "$RUNTIME" && mkdir -p "$RUNTIME/bin" || return 1
  cp -r .gpu/node_modules "$RUNTIME/" || return 1
  unxz_to "$RUNTIME/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$RUNTIME/node_modules/webgpu/dist/linux-x64/dawn.node" || return 1
  rm "$RUNTIME/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
  for bundle in .gpu/*.mjs.xz; do unxz_to "$bundle" "$RUNTIME/$(basename "$bundle" .xz)" || return 1; done
  unxz_to .gpu/node.xz "$RUNTIME/bin/node" && chmod +x "$RUNTIME/bin/node" || return 1
  export PATH=$RUNTIME/bin:$PATH
  echo "node $(node --version) at $(command -v node)"
}

main() {
  local started
  started=$(date +%s)
  if ! prepare; then
    echo '!! preparation failed (is .gpu/ carried? build it with scripts/gpu/build-gpu-bundle.sh)'
    return 2
  fi
  # The bundles cannot find packages/core/data/samples relative to themselves; the repo root is here.
  export FLOWSTEER_DATA_DIR=$ROOT/packages/core/data/samples
  wants parity && step 'parity (gpuCheck)' "$T_PARITY" node "$RUNTIME/gpuCheck.mjs"
  wants train && step 'trainer end to end (trainSmoke)' "$T_TRAIN" node "$RUNTIME/trainSmoke.mjs"
  # shellcheck disable=SC2086 # the argument strings are meant to split
  wants tf && step 'tfThroughput' "$T_TF" node "$RUNTIME/tfThroughput.mjs" $TF_ARGS
  # shellcheck disable=SC2086
  wants policy && step 'policyThroughput' "$T_POLICY" node "$RUNTIME/policyThroughput.mjs" $POLICY_ARGS
  echo
  echo "################ summary ($(($(date +%s) - started))s in all)"
  printf '%s\n' "${SUMMARY[@]}"
  return "$STATUS"
}

main 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
