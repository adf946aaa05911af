/**
 * Picks and initialises the TensorFlow.js backend for this process: `auto` tries webgpu (a real GPU
 * adapter through Dawn), then tfjs-node (only when the user installed it), then wasm, then cpu.
 *
 * tfjs keeps one engine per process, so the chosen backend is global: call `selectTfBackend` once at
 * start-up (the CLI, the trainer, a test's `beforeAll`). The measured facts behind each branch are in
 * /work/shared/STACK.md §5 and §11. On webgpu under Node read tensors with `await t.data()`:
 * `dataSync()`/`arraySync()` throw `OffscreenCanvas is not defined` there.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreError } from '../../errors.ts';
import { tf } from './tf.ts';

/** A concrete tfjs backend this module can select (`tensorflow` is tfjs-node's name). @public */
export type TfBackendName = 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What a caller may ask for: a concrete backend or `auto`. @public */
export type TfBackendPreference = 'auto' | TfBackendName;

/** Every accepted preference, in the order `auto` tries the concrete ones. @public */
export const TF_BACKEND_PREFERENCES: readonly TfBackendPreference[] = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

const AUTO_ORDER: readonly TfBackendName[] = ['webgpu', 'tensorflow', 'wasm', 'cpu'];

/** One backend tried during selection: whether it worked, how long the probe took and why. @public */
export interface TfBackendAttempt {
  backend: TfBackendName;
  ok: boolean;
  ms: number;
  detail: string;
}

/** The GPU adapter behind the webgpu backend, as Dawn reports it. @public */
export interface TfGpuAdapter {
  vendor: string;
  device: string;
  /** Dawn's adapter description, which carries the driver version (e.g. `NVIDIA: 580.159.04 …`). */
  driver: string;
  architecture: string;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader): slower than wasm, so `auto` skips it. */
  software: boolean;
}

/** The outcome of `selectTfBackend`: what runs now, what was asked for, and why. @public */
export interface TfBackendInfo {
  name: TfBackendName;
  requested: TfBackendPreference;
  /** One line: the chosen backend's details and why each earlier candidate was skipped. */
  reason: string;
  attempts: readonly TfBackendAttempt[];
  /** Wall time of the whole selection, probes included. */
  selectMs: number;
  tfjsVersion: string;
  adapter?: TfGpuAdapter;
  wasm?: { simd: boolean; threads: boolean };
}

/** Options of `selectTfBackend`. @public */
export interface SelectTfBackendOptions {
  /**
   * When the explicit preference is unavailable, continue down the auto order (webgpu → tensorflow →
   * wasm → cpu) from it instead of throwing.
   * @default false
   */
  fallback?: boolean;
  /** Receives the one-line report of the chosen backend. */
  log?: (line: string) => void;
  /**
   * Flags for Dawn's `create()`, e.g. `['backend=opengles']` (STACK.md §5: the GLES path over Mesa
   * llvmpipe, a software adapter).
   * @default FLOWSTEER_DAWN_FLAGS split on whitespace, else []
   */
  dawnFlags?: readonly string[];
  /**
   * Accept a software GPU adapter under `auto`. An explicit `webgpu` always accepts one.
   * @default false
   */
  allowSoftwareGpu?: boolean;
  /** Give up on `requestAdapter()` after this long. @default 10000 */
  webgpuProbeTimeoutMs?: number;
}

type Probe =
  | { ok: true; detail: string; adapter?: TfGpuAdapter; wasm?: { simd: boolean; threads: boolean } }
  | { ok: false; detail: string };

/** Reads `FLOWSTEER_TF_BACKEND` (empty or unset → `auto`). @public */
export function readTfBackendPreference(env: NodeJS.ProcessEnv = process.env): TfBackendPreference {
  const raw = env['FLOWSTEER_TF_BACKEND']?.trim().toLowerCase() ?? '';
  if (raw === '') return 'auto';
  if (isTfBackendPreference(raw)) return raw;
  throw new CoreError('CONFIG_INVALID', `expected FLOWSTEER_TF_BACKEND to be one of ${TF_BACKEND_PREFERENCES.join(' | ')}, got '${raw}'`);
}

/** Reads `FLOWSTEER_DAWN_FLAGS`: Dawn `create()` flags separated by whitespace (a flag may hold commas). @public */
export function readDawnFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['FLOWSTEER_DAWN_FLAGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/** True when `value` names a preference `selectTfBackend` accepts. @public */
export function isTfBackendPreference(value: unknown): value is TfBackendPreference {
  return typeof value === 'string' && (TF_BACKEND_PREFERENCES as readonly string[]).includes(value);
}

const selections = new Map<string, Promise<TfBackendInfo>>();

/**
 * Selects, initialises and activates a tfjs backend, then reports it in one log line.
 *
 * Idempotent: the same preference and options return the same `TfBackendInfo` object (re-activating its
 * backend if another selection switched away). An unavailable explicit preference throws
 * `CONFIG_INVALID` unless `fallback` is set. Probes never throw past this function; Dawn may still print
 * warnings on stderr (e.g. `Couldn't load Vulkan`), which are harmless.
 * @public
 */
export async function selectTfBackend(
  preference: TfBackendPreference = readTfBackendPreference(),
  options: SelectTfBackendOptions = {},
): Promise<TfBackendInfo> {
  if (!isTfBackendPreference(preference)) {
    throw new CoreError('CONFIG_INVALID', `expected a TF backend preference (${TF_BACKEND_PREFERENCES.join(' | ')}), got '${String(preference)}'`);
  }
  const key = JSON.stringify([preference, options.fallback ?? false, options.dawnFlags ?? readDawnFlags(), options.allowSoftwareGpu ?? false]);
  let pending = selections.get(key);
  if (!pending) {
    pending = runSelection(preference, options);
    selections.set(key, pending);
    pending.catch(() => selections.delete(key));
  }
  const info = await pending;
  await activate(info.name);
  options.log?.(formatTfBackendInfo(info));
  return info;
}

/** The one-line report of a selection, as `selectTfBackend` logs it. @public */
export function formatTfBackendInfo(info: TfBackendInfo): string {
  return `tfjs ${info.tfjsVersion} backend: ${info.name} (requested ${info.requested}; ${info.reason}; ${Math.round(info.selectMs)} ms)`;
}

async function runSelection(preference: TfBackendPreference, options: SelectTfBackendOptions): Promise<TfBackendInfo> {
  const started = performance.now();
  const candidates =
    preference === 'auto' ? AUTO_ORDER : options.fallback ? AUTO_ORDER.slice(AUTO_ORDER.indexOf(preference)) : [preference];
  const attempts: TfBackendAttempt[] = [];
  for (const backend of candidates) {
    const probeStarted = performance.now();
    let probe: Probe;
    try {
      probe = await probeBackend(backend, {
        ...options,
        allowSoftwareGpu: options.allowSoftwareGpu === true || preference === 'webgpu',
      });
    } catch (error) {
      probe = { ok: false, detail: `probe failed: ${firstLine(error)}` };
    }
    attempts.push({ backend, ok: probe.ok, ms: performance.now() - probeStarted, detail: probe.detail });
    if (!probe.ok) continue;
    return {
      name: backend,
      requested: preference,
      reason: attempts.map((a) => `${a.backend} ${a.ok ? 'chosen' : 'skipped'}: ${a.detail} [${Math.round(a.ms)} ms]`).join('; '),
      attempts,
      selectMs: performance.now() - started,
      tfjsVersion: tf.version.tfjs,
      ...(probe.adapter ? { adapter: probe.adapter } : {}),
      ...(probe.wasm ? { wasm: probe.wasm } : {}),
    };
  }
  const tried = attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ');
  if (preference !== 'auto' && !options.fallback) {
    throw new CoreError(
      'CONFIG_INVALID',
      `expected TF backend '${preference}' to be available, got ${tried} (pass fallback: true or use 'auto' to fall back)`,
    );
  }
  throw new CoreError('INTERNAL', `expected at least the cpu backend to initialise, got ${tried}`);
}

function probeBackend(backend: TfBackendName, options: SelectTfBackendOptions): Promise<Probe> {
  switch (backend) {
    case 'webgpu':
      return probeWebgpu(options);
    case 'tensorflow':
      return probeTfjsNode();
    case 'wasm':
      return probeWasm();
    case 'cpu':
      return probeCpu();
  }
}

async function activate(name: TfBackendName): Promise<void> {
  if (tf.engine().backendName === name) return;
  if (!(await tf.setBackend(name))) {
    throw new CoreError('BACKEND_FAILED', `expected tfjs backend '${name}' to re-activate, got setBackend() = false`);
  }
}

// ---------------------------------------------------------------------------------------------- webgpu

let webgpuState: { device: GPUDevice; adapter: TfGpuAdapter } | undefined;

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software/i;

async function probeWebgpu(options: SelectTfBackendOptions): Promise<Probe> {
  if (webgpuState) {
    await activate('webgpu');
    return { ok: true, detail: adapterLabel(webgpuState.adapter), adapter: webgpuState.adapter };
  }
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (error) {
    return { ok: false, detail: `optional package 'webgpu' is not loadable (${firstLine(error)})` };
  }
  // Dawn keeps the process alive while the instance returned by create() is referenced, so it only
  // becomes global once an adapter was found and accepted.
  const flags = [...(options.dawnFlags ?? readDawnFlags())];
  const useGl = flags.some((flag) => /^backend=opengl(es)?$/.test(flag));
  // Headless GL (Mesa llvmpipe) needs EGL's surfaceless platform; it must be set before Dawn loads EGL.
  if (useGl) process.env['EGL_PLATFORM'] ??= 'surfaceless';
  const gpu = dawn.create(flags);
  // Dawn's GL backends only offer 'compatibility' adapters.
  const featureLevel = useGl ? 'compatibility' : 'core';
  const timeoutMs = options.webgpuProbeTimeoutMs ?? 10_000;
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel }), timeoutMs);
  if (adapter === 'timeout') return { ok: false, detail: `requestAdapter() did not answer within ${timeoutMs} ms` };
  if (!adapter) {
    const hint = useGl ? `for Dawn flags ${flags.join(' ')}` : '(Dawn needs libvulkan1 plus a hardware Vulkan driver, e.g. the NVIDIA ICD)';
    return { ok: false, detail: `no GPU adapter ${hint}` };
  }
  const summary = summarizeAdapter(adapter.info);
  if (summary.software && !options.allowSoftwareGpu) {
    return { ok: false, detail: `only a software adapter (${adapterLabel(summary)}), slower than wasm` };
  }
  // tfjs-webgpu compiles kernels with workgroups up to 256 wide; WebGPU's default limits are lower and
  // produce all-zero results, so ask for what the adapter can do.
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupSizeZ: limits.maxComputeWorkgroupSizeZ,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      // Kernels with many inputs (addN, concat) bind one storage buffer each; the default allows 8.
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  Object.assign(globalThis, dawn.globals);
  setNavigatorGpu(gpu);
  try {
    // The package registers its own factory only when navigator.gpu exists at import; it is replaced
    // below so tfjs uses this device. Its kernels are registered under 'webgpu', hence the same name.
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  } catch (error) {
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    device.destroy();
    setNavigatorGpu(undefined);
    return { ok: false, detail: `adapter ${adapterLabel(summary)} found but the backend failed: ${firstLine(error)}` };
  }
  webgpuState = { device, adapter: summary };
  return { ok: true, detail: adapterLabel(summary), adapter: summary };
}

function summarizeAdapter(info: GPUAdapterInfo): TfGpuAdapter {
  const fields = { vendor: info.vendor, device: info.device, driver: info.description, architecture: info.architecture };
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { ...fields, software: fallback || SOFTWARE_ADAPTER.test(Object.values(fields).join(' ')) };
}

function adapterLabel(adapter: TfGpuAdapter): string {
  return `${adapter.vendor || '?'} ${adapter.device || adapter.architecture || '?'}, driver ${adapter.driver || '?'}${adapter.software ? ', software' : ''}`;
}

function setNavigatorGpu(gpu: GPU | undefined): void {
  const holder = globalThis as { navigator?: { gpu?: GPU } };
  if (gpu === undefined) {
    if (holder.navigator) delete holder.navigator.gpu;
    return;
  }
  // Node 21+ defines a read-only global navigator; Node 20 has none.
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/**
 * Frees the webgpu device and drops Dawn's instance (which otherwise keeps Node from exiting), and
 * forgets cached selections. Call it at shutdown; a later `selectTfBackend` probes again.
 * @public
 */
export function disposeTfBackends(): void {
  selections.clear();
  if (!webgpuState) return;
  const { device } = webgpuState;
  webgpuState = undefined;
  try {
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  } finally {
    device.destroy();
    setNavigatorGpu(undefined);
  }
}

// ------------------------------------------------------------------------------------ tfjs-node, wasm, cpu

const TFJS_NODE = '@tensorflow/tfjs-node';

async function probeTfjsNode(): Promise<Probe> {
  let loaded: { version?: { tfjs?: string } } | undefined;
  let lastError: unknown;
  // Under pnpm the user's install lives next to their app, not next to core: try both places.
  for (const from of [undefined, join(process.cwd(), 'package.json')]) {
    try {
      const specifier = from ? pathToFileURL(createRequire(from).resolve(TFJS_NODE)).href : TFJS_NODE;
      loaded = (await import(specifier)) as { version?: { tfjs?: string } };
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (!loaded) {
    return isModuleNotFound(lastError)
      ? { ok: false, detail: `${TFJS_NODE} is not installed` }
      : { ok: false, detail: `${TFJS_NODE} is installed but failed to load: ${firstLine(lastError)}` };
  }
  if (!tf.findBackendFactory('tensorflow')) {
    return {
      ok: false,
      detail: `${TFJS_NODE} loaded but registered into another tfjs-core (its ${loaded.version?.tfjs ?? '?'}, ours ${tf.version.tfjs}); install ${TFJS_NODE}@${tf.version.tfjs}`,
    };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, detail: `${TFJS_NODE} loaded but its backend failed to initialise` };
  return { ok: true, detail: `libtensorflow via ${TFJS_NODE}` };
}

let wasmPathsSet = false;

async function probeWasm(): Promise<Probe> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    try {
      wasm.setWasmPaths(dist);
    } catch {
      // Throws only when the wasm backend was already initialised elsewhere, with paths that worked.
    }
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) return { ok: false, detail: 'the wasm backend failed to initialise (see the tfjs warning above)' };
  // tfjs turns threads off under Node (its worker uses a blob: URL Node cannot load); SIMD works.
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { ok: true, detail: `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'single-threaded'}`, wasm: { simd, threads } };
}

async function probeCpu(): Promise<Probe> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, detail: 'the cpu backend failed to initialise' };
  // The cpu backend's first op prints an "install tfjs-node" banner; the choice here is deliberate.
  const backend = tf.backend() as { firstUse?: boolean };
  if ('firstUse' in backend) backend.firstUse = false;
  return { ok: true, detail: 'pure JavaScript kernels' };
}

// ------------------------------------------------------------------------------------------------ utils

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Emscripten errors embed the whole minified module source; keep the report to one short line.
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(firstLine(error));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
