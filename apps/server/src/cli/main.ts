/**
 * The `flowsteer` CLI entry: dispatches sub-commands and turns errors into messages and exit codes.
 * @public
 */
import { isCoreError } from '@flowsteer/core';
import { isAppError } from '../errors.ts';
import { BENCH_HELP, benchCommand } from './benchCommand.ts';
import { DB_HELP, dbCommand } from './dbCommand.ts';
import { EVAL_HELP, evalCommand } from './evalCommand.ts';
import { RUN_HELP, runCommand } from './runCommand.ts';
import { SERVE_HELP, serveCommand } from './serveCommand.ts';
import { TRAIN_HELP, trainCommand } from './trainCommand.ts';

const HELP = `flowsteer — train and steer agents that design agentic workflows

Commands:
  serve  the GraphQL API with live subscriptions and training jobs (flowsteer serve --help)
  db     database maintenance: flowsteer db migrate
  eval   evaluate a workflow or a policy on dataset slices (flowsteer eval --help)
  run    run a workflow on one question and show its trace (flowsteer run --help)
  train  train the Flow-Director policy with CWRPO         (flowsteer train --help)
  bench  a policy or workflow on the paper's suites, beside its numbers (flowsteer bench --help)

Results produced with --backend sim come from the SIMULATED executor, not from an LLM.
`;

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  serve: serveCommand,
  db: dbCommand,
  eval: evalCommand,
  run: runCommand,
  train: trainCommand,
  bench: benchCommand,
};
const HELPS: Record<string, string> = { serve: SERVE_HELP, db: DB_HELP, eval: EVAL_HELP, run: RUN_HELP, train: TRAIN_HELP, bench: BENCH_HELP };

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write((command === 'help' && rest[0] !== undefined ? HELPS[rest[0]] : undefined) ?? HELP);
    return 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`flowsteer: unknown command '${command}'; expected one of ${Object.keys(COMMANDS).join(', ')}\n\n${HELP}`);
    return 2;
  }
  try {
    return await handler(rest);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`flowsteer ${command}: ${message}\n`);
    return isCoreError(error) || isAppError(error, 'BAD_USER_INPUT') || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}
