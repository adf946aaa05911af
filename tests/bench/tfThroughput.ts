/**
 * Benchmark: forward and training-step time of the policy-sized networks on every available tfjs
 * backend (cpu, wasm, tfjs-node when installed, webgpu when a GPU adapter exists), and each backend's
 * speed relative to wasm in the same run. Models: an MLP policy (256 → 256 → 256 → 64 actions) and a
 * 2-layer pre-LN transformer encoder (d 96, 4 heads, FFN 192, seq 32, vocab 512, mean-pool → 64),
 * trained with Adam on a policy-gradient loss. Prints tables; asserts nothing.
 *
 * Run: pnpm exec tsx tests/bench/tfThroughput.ts [--backends cpu,wasm,webgpu] [--batches 32,256,1024] [--wasm-max-batch N]
 * (`--wasm-max-batch` skips wasm above N, e.g. on a GPU machine whose host CPU is slow: scripts/gpu/run-gpu-check.sh.)
 * A software GPU (Mesa llvmpipe) can stand in for webgpu: FLOWSTEER_DAWN_FLAGS=backend=opengles.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fixed, renderTable } from '@flowsteer/server';
import { denseLayer, disposeTfBackends, embed, fastMatMul, formatTfBackendInfo, selectTfBackend, tf, type TfBackendInfo, type TfBackendName } from '@flowsteer/core';
// Deep imports until the core barrel exports the tf helpers (the tests package cannot resolve tfjs itself).




const IN_DIM = 256;
const HIDDEN = 256;
const ACTIONS = 64;
const D_MODEL = 96;
const HEADS = 4;
const FFN = 192;
const SEQ = 32;
const VOCAB = 512;
/** cpu (pure JS) takes seconds per transformer step at batch 256; larger batches add nothing but waiting. */
const CPU_MAX_BATCH = 256;
const MIN_MEASURE_MS = 1500;
const MAX_REPS = 20;
const SLOW_CALL_MS = 5000;

interface Model {
  readonly name: string;
  readonly variables: tf.Variable[];
  makeInput(batch: number): tf.Tensor;
  forward(input: tf.Tensor): tf.Tensor2D;
}

type Params = Record<string, tf.Variable>;

function param(params: Params, name: string, shape: number[], scale: number, seed: number): tf.Variable {
  const value = scale === 0 ? tf.zeros(shape) : tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale);
  params[name] = tf.variable(value, true, `${name}_${seed}`);
  value.dispose();
  return params[name];
}

function ones(params: Params, name: string, dim: number): tf.Variable {
  params[name] = tf.variable(tf.ones([dim]), true, name);
  return params[name];
}

function createMlp(): Model {
  const p: Params = {};
  const w1 = param(p, 'w1', [IN_DIM, HIDDEN], Math.sqrt(2 / IN_DIM), 1);
  const b1 = param(p, 'b1', [HIDDEN], 0, 2);
  const w2 = param(p, 'w2', [HIDDEN, HIDDEN], Math.sqrt(2 / HIDDEN), 3);
  const b2 = param(p, 'b2', [HIDDEN], 0, 4);
  const w3 = param(p, 'w3', [HIDDEN, ACTIONS], 0.01, 5);
  const b3 = param(p, 'b3', [ACTIONS], 0, 6);
  return {
    name: `mlp ${IN_DIM}→${HIDDEN}→${HIDDEN}→${ACTIONS}`,
    variables: Object.values(p),
    makeInput: (batch) => tf.randomNormal([batch, IN_DIM], 0, 1, 'float32', 7),
    forward: (x) => denseLayer(denseLayer(denseLayer(x, w1, b1, 'relu'), w2, b2, 'relu'), w3, b3) as tf.Tensor2D,
  };
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 2, 1]);
}

/** [B, S, D] → [B·H, S, D/H]. */
function splitHeads(x: tf.Tensor, batch: number): tf.Tensor {
  const headDim = D_MODEL / HEADS;
  return tf.reshape(tf.transpose(tf.reshape(x, [batch, SEQ, HEADS, headDim]), [0, 2, 1, 3]), [batch * HEADS, SEQ, headDim]);
}

function createTransformer(layers = 2): Model {
  const p: Params = {};
  const tokens = param(p, 'tok', [VOCAB, D_MODEL], 0.02, 10);
  const positions = param(p, 'pos', [SEQ, D_MODEL], 0.02, 11);
  const blocks = Array.from({ length: layers }, (_, l) => {
    const s = 100 * (l + 1);
    const scale = Math.sqrt(1 / D_MODEL);
    return {
      ln1g: ones(p, `ln1g${l}`, D_MODEL),
      ln1b: param(p, `ln1b${l}`, [D_MODEL], 0, s),
      wqkv: param(p, `wqkv${l}`, [D_MODEL, 3 * D_MODEL], scale, s + 1),
      wo: param(p, `wo${l}`, [D_MODEL, D_MODEL], scale, s + 2),
      ln2g: ones(p, `ln2g${l}`, D_MODEL),
      ln2b: param(p, `ln2b${l}`, [D_MODEL], 0, s + 3),
      w1: param(p, `f1${l}`, [D_MODEL, FFN], scale, s + 4),
      b1: param(p, `fb1${l}`, [FFN], 0, s + 5),
      w2: param(p, `f2${l}`, [FFN, D_MODEL], Math.sqrt(1 / FFN), s + 6),
      b2: param(p, `fb2${l}`, [D_MODEL], 0, s + 7),
    };
  });
  const lnFg = ones(p, 'lnFg', D_MODEL);
  const lnFb = param(p, 'lnFb', [D_MODEL], 0, 12);
  const head = param(p, 'head', [D_MODEL, ACTIONS], 0.01, 13);
  const headB = param(p, 'headB', [ACTIONS], 0, 14);
  return {
    name: `transformer ${layers}×(d${D_MODEL}, ${HEADS} heads, ffn ${FFN}), seq ${SEQ}`,
    variables: Object.values(p),
    makeInput: (batch) => tf.randomUniform([batch, SEQ], 0, VOCAB, 'int32', 15),
    forward: (ids) => {
      const batch = ids.shape[0] as number;
      let h = tf.add(embed(ids, tokens), positions);
      for (const block of blocks) {
        const [q, k, v] = tf.split(denseLayer(layerNorm(h, block.ln1g, block.ln1b), block.wqkv), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        // Explicit transpose + plain matMul: matMul's transpose flags are 12–19× slower on wasm.
        const scores = tf.mul(fastMatMul(splitHeads(q, batch), swapLastTwo(splitHeads(k, batch))), 1 / Math.sqrt(D_MODEL / HEADS));
        const context = fastMatMul(tf.softmax(scores), splitHeads(v, batch));
        const merged = tf.reshape(tf.transpose(tf.reshape(context, [batch, HEADS, SEQ, D_MODEL / HEADS]), [0, 2, 1, 3]), [batch, SEQ, D_MODEL]);
        h = tf.add(h, denseLayer(merged, block.wo));
        const ffn = denseLayer(denseLayer(layerNorm(h, block.ln2g, block.ln2b), block.w1, block.b1, 'relu'), block.w2, block.b2);
        h = tf.add(h, ffn);
      }
      return denseLayer(tf.mean(layerNorm(h, lnFg, lnFb), 1), head, headB) as tf.Tensor2D;
    },
  };
}

/** Policy-gradient loss: −mean(advantage · log π(action)), the shape of the trainer's update. */
function policyLoss(logits: tf.Tensor2D, actions: tf.Tensor1D, advantages: tf.Tensor1D): tf.Scalar {
  const logProbs = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(actions, ACTIONS)), -1);
  return tf.neg(tf.mean(tf.mul(logProbs, advantages))) as tf.Scalar;
}

/** Median ms per call after `warmup` calls; a call slower than SLOW_CALL_MS (pure-JS cpu) is measured once. */
async function timeIt(run: () => Promise<void>, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i += 1) {
    const t = performance.now();
    await run();
    const ms = performance.now() - t;
    // cpu compiles nothing, so its first call is representative; repeating a 40 s call adds only waiting.
    if (ms > SLOW_CALL_MS) return ms;
  }
  const times: number[] = [];
  const started = performance.now();
  while (times.length < 2 || (performance.now() - started < MIN_MEASURE_MS && times.length < MAX_REPS)) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

interface Row {
  backend: TfBackendName;
  model: string;
  batch: number;
  forwardMs: number;
  trainMs: number;
}

async function measure(backend: TfBackendName, model: Model, batch: number): Promise<Row> {
  const input = model.makeInput(batch);
  const actions = tf.randomUniform([batch], 0, ACTIONS, 'int32', 16) as tf.Tensor1D;
  const advantages = tf.randomNormal([batch], 0, 1, 'float32', 17) as tf.Tensor1D;
  const optimizer = tf.train.adam(1e-3);
  // webgpu compiles a shader per new kernel shape on first use, so it gets a second warm-up call.
  const warmup = backend === 'webgpu' ? 2 : 1;
  // Reads are async: webgpu under Node cannot read synchronously (dataSync needs OffscreenCanvas).
  const forwardMs = await timeIt(async () => {
    const logits = tf.tidy(() => model.forward(input));
    await logits.data();
    logits.dispose();
  }, warmup);
  const trainMs = await timeIt(async () => {
    const loss = optimizer.minimize(() => policyLoss(model.forward(input), actions, advantages), true, model.variables);
    await loss?.data();
    loss?.dispose();
  }, warmup);
  optimizer.dispose();
  tf.dispose([input, actions, advantages]);
  return { backend, model: model.name, batch, forwardMs, trainMs };
}

async function availableBackends(requested: readonly TfBackendName[]): Promise<TfBackendInfo[]> {
  const infos: TfBackendInfo[] = [];
  for (const backend of requested) {
    try {
      infos.push(await selectTfBackend(backend));
    } catch (error) {
      process.stdout.write(`skipped ${backend}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return infos;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string', default: 'cpu,wasm,tensorflow,webgpu' },
      batches: { type: 'string', default: '32,256,1024' },
      'wasm-max-batch': { type: 'string', default: String(Number.POSITIVE_INFINITY) },
    },
  });
  const requested = values.backends.split(',').map((b) => b.trim()) as TfBackendName[];
  const batches = values.batches.split(',').map(Number);
  const wasmMaxBatch = Number(values['wasm-max-batch']);
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus[0]?.model ?? '?'} × ${cpus.length} cores (${process.env['FLOWSTEER_BENCH_CPUS'] ?? 'unpinned'}), ` +
      `${os.platform()} ${os.release()}, node ${process.version}\n`,
  );
  await selectTfBackend('auto', { log: (line) => process.stdout.write(`auto → ${line}\n`) });
  const infos = await availableBackends(requested);
  for (const info of infos) process.stdout.write(`${formatTfBackendInfo(info)}\n`);

  const rows: Row[] = [];
  for (const info of infos) {
    await selectTfBackend(info.name);
    for (const create of [createMlp, createTransformer]) {
      const model = create();
      for (const batch of batches) {
        if (info.name === 'cpu' && batch > CPU_MAX_BATCH) continue;
        if (info.name === 'wasm' && batch > wasmMaxBatch) continue;
        const row = await measure(info.name, model, batch);
        rows.push(row);
        // A line per measurement, so a run killed by a time limit (a GPU machine's budget) still reports something.
        process.stdout.write(`measured ${row.backend} ${row.model} batch ${row.batch}: forward ${fixed(row.forwardMs, 1)} ms, train step ${fixed(row.trainMs, 1)} ms\n`);
      }
      tf.dispose(model.variables);
    }
  }

  const wasmOf = (row: Row) => rows.find((r) => r.backend === 'wasm' && r.model === row.model && r.batch === row.batch);
  for (const modelName of [...new Set(rows.map((r) => r.model))]) {
    const modelRows = rows.filter((r) => r.model === modelName);
    process.stdout.write(
      '\n' +
        renderTable({
          title: `${modelName}: ms per call (median), and speed vs wasm = wasm ms / this ms (>1 is faster)`,
          columns: ['backend', 'batch', 'forward ms', 'train step ms', 'samples/s (train)', 'forward vs wasm', 'train vs wasm'],
          rows: modelRows.map((row) => {
            const wasm = wasmOf(row);
            return [
              row.backend,
              row.batch,
              fixed(row.forwardMs, 1),
              fixed(row.trainMs, 1),
              fixed((row.batch / row.trainMs) * 1000, 0),
              wasm ? `${fixed(wasm.forwardMs / row.forwardMs, 2)}×` : '—',
              wasm ? `${fixed(wasm.trainMs / row.trainMs, 2)}×` : '—',
            ];
          }),
        }) +
        '\n',
    );
  }
  disposeTfBackends();
}

await main();
// Dawn's instance can keep the event loop alive after a webgpu run; the tables are printed.
process.exit(0);
