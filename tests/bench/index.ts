/**
 * Runs every benchmark script and prints their tables (`npm run bench`). Each script runs in its own
 * process pinned to one core with `taskset -c 0` when available, so numbers from a 2-core machine are
 * comparable across runs; pass `--unpinned` to skip pinning, or script names to run a subset. The learning
 * benchmark is never pinned: it trains its algorithms in parallel processes and its budget is the whole machine's.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHMARKS: Record<string, string> = {
  envThroughput: 'envThroughput.ts',
  learning: 'learning.ts',
  simCalibration: 'simCalibration.ts',
  policyThroughput: 'policyThroughput.ts',
  tfThroughput: 'tfThroughput.ts',
  dbQuery: 'dbQuery.ts',
  subscriptionFanout: 'subscriptionFanout.ts',
};

const args = process.argv.slice(2);
const unpinned = args.includes('--unpinned');
const selected = args.filter((arg) => !arg.startsWith('--'));
const names = selected.length > 0 ? selected : Object.keys(BENCHMARKS);
const canPin = !unpinned && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const WHOLE_MACHINE = new Set(['learning']);

let failed = 0;
for (const name of names) {
  const file = BENCHMARKS[name];
  if (!file) {
    process.stderr.write(`unknown benchmark '${name}'; expected one of ${Object.keys(BENCHMARKS).join(', ')}\n`);
    failed += 1;
    continue;
  }
  const pin = canPin && !WHOLE_MACHINE.has(name);
  process.stdout.write(`\n=== ${name} ${pin ? '(pinned to cpu 0)' : '(unpinned)'} ===\n`);
  const command = [process.execPath, '--import', 'tsx', join(here, file)];
  const result = pin
    ? spawnSync('taskset', ['-c', '0', ...command], { stdio: 'inherit', env: { ...process.env, FLOWSTEER_BENCH_CPUS: 'pinned to cpu 0' } })
    : spawnSync(command[0] as string, command.slice(1), { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed > 0 ? 1 : 0;
