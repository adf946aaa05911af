/**
 * `flowsteer run`: executes a workflow on one question (typed, or a dataset task) and prints the per-node trace.
 * @public
 */
import { parseArgs } from 'node:util';
import { executeWorkflow, parseDsl, printDsl, scoreExecution, toTaskView, type Task, type TaskKind } from '@flowsteer/core';
import { createRuntime, loadDatasets } from './runtime.ts';
import { fixed, renderTable } from './table.ts';

export const RUN_HELP = `Usage: flowsteer run (--question "…" | --task DATASET/ID) --workflow "<DSL>" [options]

Executes a workflow once and prints the per-node trace (inputs, outputs, tokens, latency, cost, errors).

Options:
  --question, -q  a typed question
  --kind          kind of a typed question: math | qa                               (default math)
  --gold          gold answer of a typed question (lets the simulated executor and the scorer judge it)
  --task          a dataset task id, e.g. gsm8k/test/0 (its dataset is loaded to find it)
  --workflow, -w  workflow DSL                                                       (required)
  --backend       sim (the simulated executor) or openai (OpenAI-compatible endpoint) (default sim)
  --model         openai: the executor model                  (default FLOWSTEER_LLM_MODEL)
  --base-url      openai: the endpoint, e.g. http://127.0.0.1:8000/v1 (default OPENAI_BASE_URL)
  --profile       sim profile                                                        (default sim-4o-mini)
  --seed          sim seed                                                           (default 0)
  --data-dir      folder with dataset .jsonl files
  --json          print the execution result as JSON instead of tables
`;

async function findTask(id: string, dataDir: string | undefined): Promise<Task> {
  const dataset = id.split('/')[0] ?? id;
  const { tasks } = await loadDatasets([dataset], dataDir ? { dataDir } : {});
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new Error(`no task '${id}' in dataset '${dataset}' (${tasks.length} tasks loaded; ids look like ${tasks[0]?.id ?? '—'})`);
  return task;
}

function typedTask(question: string, kind: string, gold: string | undefined): Task {
  if (kind !== 'math' && kind !== 'qa') throw new Error(`--kind: expected math or qa, got '${kind}'`);
  const base = { id: 'typed/1', dataset: 'typed', problem: question, meta: {} };
  return (kind as TaskKind) === 'math' ? { ...base, kind: 'math', answer: gold ?? '' } : { ...base, kind: 'qa', answer: gold ?? '', answers: gold ? [gold] : [] };
}

export async function runCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      question: { type: 'string', short: 'q' },
      kind: { type: 'string', default: 'math' },
      gold: { type: 'string' },
      task: { type: 'string' },
      workflow: { type: 'string', short: 'w' },
      backend: { type: 'string', default: 'sim' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (!values.workflow || (!values.question && !values.task)) {
    process.stderr.write(`flowsteer run: --workflow and one of --question / --task are required\n\n${RUN_HELP}`);
    return 2;
  }
  const canvas = parseDsl(values.workflow);
  const task = values.task ? await findTask(values.task, values['data-dir']) : typedTask(values.question as string, values.kind, values.gold);
  const runtime = createRuntime({
    backend: values.backend,
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    seed: Number.parseInt(values.seed, 10),
    tasks: [task],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const execution = await executeWorkflow(canvas, toTaskView(task), { registry: runtime.registry, backend: runtime.backend, sandbox: runtime.sandbox });
  const hasGold = task.kind === 'code' || task.answer !== '';
  const score = hasGold ? await scoreExecution(task, execution, runtime.sandbox) : undefined;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ label: runtime.label, workflow: printDsl(canvas), taskId: task.id, execution, score }, null, 2)}\n`);
    return 0;
  }
  const out = process.stdout;
  out.write(`${runtime.label}\nworkflow: ${printDsl(canvas)}\ntask: ${task.id}\n\n`);
  out.write(
    `${renderTable({
      columns: ['node', 'operator', 'iter', 'role', 'passed', 'tokens', 'latency ms', 'cost $', 'cached', 'output / error'],
      rows: execution.trace.map((node) => [
        node.nodeId,
        node.operator,
        node.iteration,
        node.role,
        node.passed === undefined ? '—' : String(node.passed),
        node.tokens.total,
        fixed(node.latencyMs, 0),
        node.costUsd.toFixed(5),
        node.cached ? 'yes' : 'no',
        (node.error ?? node.output).replace(/\s+/g, ' ').slice(0, 80),
      ]),
    })}\n\n`,
  );
  for (const node of execution.trace) {
    out.write(`── ${node.nodeId} ${node.operator}${node.iteration ? ` (iteration ${node.iteration})` : ''}\n`);
    for (const [key, value] of Object.entries(node.inputs)) if (key !== 'problem' && value) out.write(`   in.${key}: ${value.replace(/\s+/g, ' ').slice(0, 160)}\n`);
    out.write(`   out: ${(node.error ?? node.output).replace(/\s+/g, ' ').slice(0, 300)}\n`);
  }
  out.write(
    `\nanswer: ${execution.answer.replace(/\s+/g, ' ').slice(0, 300)}\nok: ${execution.ok}${execution.error ? ` (${execution.error.code}: ${execution.error.message})` : ''}\n` +
      `tokens: ${execution.tokens.total}  cost: $${execution.costUsd.toFixed(5)}  latency (critical path): ${fixed(execution.latencyMs, 0)} ms\n`,
  );
  if (score) out.write(`score: ${score.score.toFixed(3)} (correct: ${score.correct}${score.detail ? `, ${score.detail}` : ''})\n`);
  else out.write('score: — (no gold answer; pass --gold to score a typed question)\n');
  for (const line of runtime.usageLines()) out.write(`${line}\n`);
  return 0;
}
