/**
 * The server's configuration from environment variables. This is the only module that reads `process.env`;
 * everything else receives an {@link Env} (or the few fields it needs), so tests never mutate the environment.
 * @public
 */
import { resolve } from 'node:path';
import { parseBackendConfigs, type OpenAiBackendConfig } from '@flowsteer/operators';
import { AppError } from './errors.ts';

/** Typed, validated server configuration. @public */
export interface Env {
  /** `DATABASE_URL`: PostgreSQL connection string; unset means embedded PGlite in {@link Env.databaseDir}. */
  readonly databaseUrl: string | undefined;
  /**
   * `FLOWSTEER_DB_DIR`: the PGlite data folder (absolute). Not `FLOWSTEER_DATA_DIR`: core and the CLI already
   * read that variable as the *datasets* folder, and a database cluster must not land among JSONL files.
   * @default `<cwd>/.flowsteer/data`
   */
  readonly databaseDir: string;
  /** `FLOWSTEER_DATA_DIR`: folder searched first for dataset JSONL files (core's resolution order). */
  readonly datasetsDir: string | undefined;
  /** `FLOWSTEER_HOST`: interface to listen on; loopback unless told otherwise. @default `127.0.0.1` */
  readonly host: string;
  /** `FLOWSTEER_PORT`: 0 picks a free port. @default 4000 */
  readonly port: number;
  /** `FLOWSTEER_MAX_QUERY_DEPTH`: deepest selection nesting accepted. @default 12 */
  readonly maxQueryDepth: number;
  /** `FLOWSTEER_MAX_COMPLEXITY`: largest estimated query cost accepted (see `graphql/limits.ts`). @default 20000 */
  readonly maxComplexity: number;
  /** `FLOWSTEER_MAX_BODY_BYTES`: largest HTTP request body accepted. @default 1048576 */
  readonly maxBodyBytes: number;
  /**
   * OpenAI-compatible backends by role (`executor`, and `director` when `FLOWSTEER_DIRECTOR_MODEL` is set), from
   * `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `FLOWSTEER_LLM_MODEL`, `FLOWSTEER_LLM_TEMPERATURE`, `FLOWSTEER_LLM_MAX_TOKENS`,
   * `FLOWSTEER_LLM_CONCURRENCY`, `FLOWSTEER_LLM_TIMEOUT_MS`, `FLOWSTEER_LLM_MAX_RETRIES`, `FLOWSTEER_LLM_PRICES`
   * (the full table is in `@flowsteer/operators` backendRegistry.ts). Empty when neither `OPENAI_BASE_URL` nor
   * `OPENAI_API_KEY` is set: only the simulator can run then.
   */
  readonly llm: readonly OpenAiBackendConfig[];
}

/** Defaults of the numeric and host settings, shared with `createFlowsteerServer`. @public */
export const ENV_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 4000,
  maxQueryDepth: 12,
  maxComplexity: 20_000,
  maxBodyBytes: 1_048_576,
});

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the configuration. Every problem is collected, then one BAD_USER_INPUT error lists them
 * all ("FLOWSTEER_PORT: expected an integer in 0..65535, got \"abc\""), so a misconfigured server fails at start.
 * @param source environment to read @default process.env
 * @param cwd base of relative folders @default process.cwd()
 * @public
 */
export function loadEnv(source: Source = process.env, cwd: string = process.cwd()): Env {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = nonEmpty(source[name]);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const databaseUrl = nonEmpty(source['DATABASE_URL']);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected a postgres:// or postgresql:// URL, got ${JSON.stringify(redactUrl(databaseUrl))}`);
  }
  const host = nonEmpty(source['FLOWSTEER_HOST']) ?? ENV_DEFAULTS.host;
  if (/\s|\//.test(host)) problems.push(`FLOWSTEER_HOST: expected a host name or IP address, got ${JSON.stringify(host)}`);

  const env: Env = {
    databaseUrl,
    databaseDir: resolve(cwd, nonEmpty(source['FLOWSTEER_DB_DIR']) ?? '.flowsteer/data'),
    datasetsDir: mapDefined(nonEmpty(source['FLOWSTEER_DATA_DIR']), (dir) => resolve(cwd, dir)),
    host,
    port: int('FLOWSTEER_PORT', ENV_DEFAULTS.port, 0, 65_535),
    maxQueryDepth: int('FLOWSTEER_MAX_QUERY_DEPTH', ENV_DEFAULTS.maxQueryDepth, 1, 1_000),
    maxComplexity: int('FLOWSTEER_MAX_COMPLEXITY', ENV_DEFAULTS.maxComplexity, 1, 100_000_000),
    maxBodyBytes: int('FLOWSTEER_MAX_BODY_BYTES', ENV_DEFAULTS.maxBodyBytes, 1_024, 1_073_741_824),
    llm: llmConfigs(source, problems),
  };
  if (problems.length > 0) {
    throw new AppError('BAD_USER_INPUT', `invalid environment — ${problems.join('; ')}`);
  }
  return Object.freeze(env);
}

/**
 * Only the LLM backend settings of {@link Env.llm}, for commands that need nothing else (`flowsteer eval`);
 * throws BAD_USER_INPUT naming every bad variable.
 * @param overrides variables that win over `source` (command-line flags such as `--model`)
 * @param source environment to read @default process.env
 * @public
 */
export function loadLlmEnv(overrides: Source = {}, source: Source = process.env): readonly OpenAiBackendConfig[] {
  const problems: string[] = [];
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const configs = llmConfigs({ ...source, ...defined }, problems);
  if (problems.length > 0) throw new AppError('BAD_USER_INPUT', `invalid environment — ${problems.join('; ')}`);
  return configs;
}

function llmConfigs(source: Source, problems: string[]): readonly OpenAiBackendConfig[] {
  try {
    return Object.freeze(parseBackendConfigs(source));
  } catch (error) {
    problems.push(error instanceof Error ? error.message.replace(/^\[operators\] invalid LLM backend settings — /, '') : String(error));
    return [];
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function mapDefined<T, U>(value: T | undefined, fn: (value: T) => U): U | undefined {
  return value === undefined ? undefined : fn(value);
}

// Passwords in a bad URL must not end up in logs.
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
