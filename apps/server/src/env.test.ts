import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_DEFAULTS, loadEnv } from './env.ts';

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
});
