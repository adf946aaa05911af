/**
 * Relay connections over the repositories' keyset pages. Lists are forward-only (`first`, `after`): the
 * repositories page on an index in one direction, and a UI that needs "previous" keeps the cursors it saw.
 * @public
 */
import type { Page, PageArgs } from '../db/repositories/index.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../db/repositories/index.ts';
import { AppError } from '../errors.ts';

/** The connection value Pothos' Relay plugin resolves. @internal */
export interface ConnectionValue<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Turns a repository page into a connection: every edge carries the repository's cursor of its row. @public */
export function connectionFromPage<T>(page: Page<T>): ConnectionValue<T> {
  const edges = page.items.map((node, i) => ({ node, cursor: page.cursors[i] as string }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
    },
  };
}

/** The repository's page arguments from GraphQL's `first` / `after`. @public */
export function pageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  return { first: args.first ?? null, after: args.after ?? null };
}

/**
 * Pages an in-memory list (catalogue tasks) with an opaque offset cursor bound to `tag`, so a cursor from one
 * dataset's list cannot be replayed against another's.
 * @public
 */
export function connectionFromArray<T>(items: readonly T[], args: { first?: number | null; after?: string | null }, tag: string): ConnectionValue<T> {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `expected first to be an integer from 0 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
  const start = args.after ? decodeOffset(tag, args.after) + 1 : 0;
  const slice = items.slice(start, start + size);
  const edges = slice.map((node, i) => ({ node, cursor: encodeOffset(tag, start + i) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function encodeOffset(tag: string, offset: number): string {
  return Buffer.from(JSON.stringify([tag, offset]), 'utf8').toString('base64url');
}

function decodeOffset(tag: string, cursor: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2 && decoded[0] === tag && Number.isSafeInteger(decoded[1]) && decoded[1] >= 0) {
    return decoded[1] as number;
  }
  throw new AppError('BAD_USER_INPUT', `expected a cursor returned by this list (${tag}), got '${cursor.slice(0, 80)}'`);
}
