import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_DEFAULTS, loadEnv, loadLlmEnv } from './env.ts';

describe('loadEnv', () => {
  it('applies defaults: loopback, port 4000, PGlite under the working directory', () => {
    const env = loadEnv({}, '/srv/app');
    expect(env).toEqual({
      databaseUrl: undefined,
      databaseDir: resolve('/srv/app', '.flowsteer/data'),
      datasetsDir: undefined,
      host: '127.0.0.1',
      port: 4000,
      maxQueryDepth: ENV_DEFAULTS.maxQueryDepth,
      maxComplexity: ENV_DEFAULTS.maxComplexity,
      maxBodyBytes: ENV_DEFAULTS.maxBodyBytes,
      llm: [],
    });
  });

  it('reads every variable', () => {
    const env = loadEnv(
      {
        DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
        FLOWSTEER_DB_DIR: 'db',
        FLOWSTEER_DATA_DIR: '/data',
        FLOWSTEER_HOST: '0.0.0.0',
        FLOWSTEER_PORT: '0',
        FLOWSTEER_MAX_QUERY_DEPTH: '8',
        FLOWSTEER_MAX_COMPLEXITY: '500',
        FLOWSTEER_MAX_BODY_BYTES: '2048',
      },
      '/srv',
    );
    expect(env).toMatchObject({ databaseUrl: 'postgres://u@127.0.0.1:5432/db', databaseDir: resolve('/srv/db'), datasetsDir: '/data', host: '0.0.0.0', port: 0, maxQueryDepth: 8, maxComplexity: 500, maxBodyBytes: 2048 });
  });

  it('reports every invalid variable at once with expected vs got, without echoing passwords', () => {
    let message = '';
    try {
      loadEnv({ FLOWSTEER_PORT: 'http', FLOWSTEER_MAX_QUERY_DEPTH: '0', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/FLOWSTEER_PORT: expected an integer in 0\.\.65535, got "http"/);
    expect(message).toMatch(/FLOWSTEER_MAX_QUERY_DEPTH: expected an integer in 1\.\.1000, got "0"/);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(message).not.toMatch(/hunter2/);
  });

  it('reads the OpenAI-compatible executor and director settings', () => {
    const env = loadEnv({
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      OPENAI_API_KEY: 'sk-local',
      FLOWSTEER_LLM_MODEL: 'qwen2.5-7b',
      FLOWSTEER_LLM_TEMPERATURE: '0',
      FLOWSTEER_LLM_MAX_TOKENS: '512',
      FLOWSTEER_LLM_CONCURRENCY: '8',
      FLOWSTEER_DIRECTOR_MODEL: 'flowsteer-8b',
    });
    expect(env.llm).toMatchObject([
      { name: 'executor', baseURL: 'http://127.0.0.1:8000/v1', apiKey: 'sk-local', model: 'qwen2.5-7b', temperature: 0, maxTokens: 512, concurrency: 8 },
      { name: 'director', baseURL: 'http://127.0.0.1:8000/v1', model: 'flowsteer-8b' },
    ]);
  });

  it('reports bad LLM settings with the others, expected vs got', () => {
    expect(() => loadEnv({ FLOWSTEER_PORT: 'x', OPENAI_BASE_URL: 'http://h/v1', FLOWSTEER_LLM_MODEL: 'm', FLOWSTEER_LLM_CONCURRENCY: 'many' })).toThrow(
      /FLOWSTEER_PORT: expected an integer.*FLOWSTEER_LLM_CONCURRENCY: expected an integer in 1\.\.10000, got "many"/,
    );
    expect(() => loadLlmEnv({}, { OPENAI_BASE_URL: 'http://h/v1' })).toThrow(/FLOWSTEER_LLM_MODEL: expected the name of a model served at http:\/\/h\/v1/);
    expect(loadLlmEnv({}, {})).toEqual([]);
    expect(loadLlmEnv({ FLOWSTEER_LLM_MODEL: 'cli-model', OPENAI_BASE_URL: undefined }, { OPENAI_BASE_URL: 'http://h/v1', FLOWSTEER_LLM_MODEL: 'env-model' })).toMatchObject([
      { baseURL: 'http://h/v1', model: 'cli-model' },
    ]);
  });
});
