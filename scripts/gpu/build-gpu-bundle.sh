#!/usr/bin/env bash
# Builds .gpu/ (git-ignored): everything scripts/gpu/run-gpu-check.sh needs on a GPU machine that has no Node.js,
# no node_modules and no network (STACK.md §11):
#   node.xz                      this machine's node binary, xz-compressed
#   gpuCheck.mjs.xz, trainSmoke.mjs.xz, tfThroughput.mjs.xz, policyThroughput.mjs.xz   self-contained ESM bundles (~10 MB each raw)
#   node_modules/webgpu          Dawn's bindings, linux-x64 only, dawn.node xz-compressed (kept external: native addon)
#   node_modules/@tensorflow/tfjs-backend-wasm   package.json + the .wasm files that tfBackend.ts's setWasmPaths finds
#   debs/                        libvulkan1 + libglvnd0 (amd64), unpacked into / on the GPU machine
# Run from anywhere: bash scripts/gpu/build-gpu-bundle.sh   (needs root only to download the debs, once)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
GPU=$ROOT/.gpu
PNPM=$ROOT/node_modules/.pnpm

fail() { echo "build-gpu-bundle: $*" >&2; exit 1; }

ESBUILD=$PNPM/@esbuild+linux-x64@0.25.12/node_modules/@esbuild/linux-x64/bin/esbuild
[ -x "$ESBUILD" ] || ESBUILD=$(ls "$PNPM"/@esbuild+linux-x64@*/node_modules/@esbuild/linux-x64/bin/esbuild 2>/dev/null | tail -n 1)
[ -x "$ESBUILD" ] || fail "expected an esbuild binary under $PNPM/@esbuild+linux-x64@*/, got none (run pnpm install)"
WEBGPU=$PNPM/webgpu@0.6.2/node_modules/webgpu
[ -f "$WEBGPU/dist/linux-x64/dawn.node" ] || fail "expected $WEBGPU/dist/linux-x64/dawn.node, got none"
WASM=$(ls -d "$PNPM"/@tensorflow+tfjs-backend-wasm@4.22.0_*/node_modules/@tensorflow/tfjs-backend-wasm 2>/dev/null | head -n 1)
[ -n "$WASM" ] || fail "expected @tensorflow/tfjs-backend-wasm 4.22.0 under $PNPM, got none"
NODE=$(command -v node) || fail 'expected node on PATH, got none'

# Everything is rebuilt but the downloaded debs and node.xz while the same node made it (compressing takes ~50 s).
NODE_STAMP="$NODE $("$NODE" --version) $(stat -c '%s %Y' "$(readlink -f "$NODE")")"
mkdir -p "$GPU"
[ -f "$GPU/node.xz" ] && [ "$(cat "$GPU/node.stamp" 2>/dev/null)" = "$NODE_STAMP" ] || rm -f "$GPU/node.xz" "$GPU/node.stamp"
find "$GPU" -mindepth 1 -maxdepth 1 ! -name debs ! -name node.xz ! -name node.stamp -exec rm -rf {} +

echo "== bundles ($("$ESBUILD" --version))"
# ESM bundles of CommonJS code (tfjs-backend-wasm's emscripten glue) call require/__dirname: give them real ones.
# Unusual names avoid clashing with bundled code; esbuild's require shim finds the global-looking `require`.
BANNER="import { createRequire as __gpuCreateRequire } from 'node:module';
import { fileURLToPath as __gpuFileURLToPath } from 'node:url';
import { dirname as __gpuDirname } from 'node:path';
const require = __gpuCreateRequire(import.meta.url);
const __filename = __gpuFileURLToPath(import.meta.url);
const __dirname = __gpuDirname(__filename);"
# webgpu loads a native addon relative to its own file; tfjs-node is an optional probe that is never installed here.
# No --splitting: a dynamic import() of a CommonJS package (tfjs-backend-wasm/-webgpu) across chunks yields only
# `default`, so tfBackend.ts would see no setWasmPaths/WebGPUBackend. Each whole bundle compresses to ~1 MB.
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
"$ESBUILD" tests/gpu/gpuCheck.ts tests/gpu/trainSmoke.ts tests/bench/tfThroughput.ts tests/bench/policyThroughput.ts \
  --bundle --platform=node --format=esm --target=node20 \
  --outdir="$BUILD" --entry-names='[name]' --out-extension:.js=.mjs \
  --external:webgpu --external:@tensorflow/tfjs-node \
  --legal-comments=none --log-level=warning --banner:js="$BANNER"
for bundle in "$BUILD"/*.mjs; do xz -T0 -c "$bundle" >"$GPU/$(basename "$bundle").xz"; done

echo '== webgpu (Dawn, linux-x64 only)'
mkdir -p "$GPU/node_modules/webgpu/dist/linux-x64"
cp "$WEBGPU/package.json" "$WEBGPU/index.js" "$WEBGPU/LICENSE.md" "$GPU/node_modules/webgpu/"
xz -T0 -c "$WEBGPU/dist/linux-x64/dawn.node" >"$GPU/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

echo '== tfjs-backend-wasm binaries'
mkdir -p "$GPU/node_modules/@tensorflow/tfjs-backend-wasm/dist"
cp "$WASM/package.json" "$GPU/node_modules/@tensorflow/tfjs-backend-wasm/"
cp "$WASM"/dist/*.wasm "$GPU/node_modules/@tensorflow/tfjs-backend-wasm/dist/"

if [ ! -f "$GPU/node.xz" ]; then
  echo "== node $("$NODE" --version) ($NODE)"
  xz -T0 -c "$NODE" >"$GPU/node.xz.part" && mv "$GPU/node.xz.part" "$GPU/node.xz"
  echo "$NODE_STAMP" >"$GPU/node.stamp"
fi

# The Vulkan loader and the glvnd libraries the NVIDIA ICD (libGLX_nvidia) loads through.
DEBS=(libvulkan1 libglvnd0 libegl1 libopengl0 libgl1 libglx0 libgles2)
have_debs() {
  local deb
  for deb in "${DEBS[@]}"; do ls "$GPU"/debs/"${deb}"_*.deb >/dev/null 2>&1 || return 1; done
}
if ! have_debs; then
  echo '== Vulkan loader debs (amd64)'
  mkdir -p "$GPU/debs" /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${o[@]}" -qq update
  (cd "$GPU/debs" && apt-get "${o[@]}" -qq download "${DEBS[@]}")
fi

echo '== .gpu'
du -sh "$GPU"
ls -la "$GPU" "$GPU/debs"
