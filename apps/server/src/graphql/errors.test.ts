import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createErrorFormatter, formatSocketError } from './errors.ts';

const resolverError = (original: unknown) =>
  new GraphQLError(original instanceof Error ? original.message : String(original), { path: ['field'], originalError: original as Error });

describe('createErrorFormatter', () => {
  const logged: unknown[] = [];
  const format = createErrorFormatter((_message, error) => logged.push(error));

  it('maps AppError codes to extensions.code and keeps their message', () => {
    const error = resolverError(new AppError('FORBIDDEN', 'expected role editor, got viewer'));
    expect(format(error.toJSON(), error)).toEqual({ message: '[server] expected role editor, got viewer', path: ['field'], extensions: { code: 'FORBIDDEN' } });
  });

  it('turns core input errors into BAD_USER_INPUT', () => {
    const core = Object.assign(new Error('[core] DSL error at 1:1'), { name: 'CoreError', code: 'DSL_PARSE' });
    const error = resolverError(core);
    expect(format(error.toJSON(), error).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('masks unknown errors and AppError INTERNAL, logging the original', () => {
    for (const original of [new Error('password=hunter2'), new AppError('INTERNAL', 'pool exhausted')]) {
      const error = resolverError(original);
      expect(format(error.toJSON(), error)).toEqual({ message: 'Internal server error', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(logged.at(-1)).toBe(original);
    }
  });

  it('keeps request error codes such as GRAPHQL_VALIDATION_FAILED', () => {
    const error = new GraphQLError('Cannot query field "x"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format(error.toJSON(), error)).toEqual({ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('classifies pathless graphql-js errors on sockets (variables) as BAD_USER_INPUT', () => {
    const error = new GraphQLError('Variable "$n" got invalid value "x"');
    expect(formatSocketError(format, error).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });
});
