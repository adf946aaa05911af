/**
 * Keyset (cursor) pagination shared by every list: `{ first, after }` in, `{ items, hasNextPage, endCursor }`
 * out. A cursor is opaque to clients: base64url of JSON `[list tag, ...sort key]`, where the sort key ends with
 * the row id so ties never make a page skip or repeat a row. The tag stops a cursor of one list (or one sort
 * order) from being replayed against another.
 * @public
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { AppError } from '../../errors.ts';

/** Page request: at most `first` items after the row the `after` cursor points at. @public */
export interface PageArgs {
  /** @default 20; 0 to 100. */
  first?: number | null;
  after?: string | null;
}

/** One page of a list, in the Relay connection's terms. @public */
export interface Page<T> {
  items: T[];
  /** Cursor of each item (same order): resuming after any of them continues right behind it. */
  cursors: string[];
  hasNextPage: boolean;
  /** Cursor of the last item; null on an empty page. */
  endCursor: string | null;
}

/** Page size when `first` is omitted. @public */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest allowed `first`. @public */
export const MAX_PAGE_SIZE = 100;

/** Validates `first`; throws BAD_USER_INPUT outside 0..MAX_PAGE_SIZE. @internal */
export function pageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `expected first to be an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return first;
}

/** Encodes a sort key (last element: the id) under a list tag. @internal */
export function encodeCursor(tag: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([tag, ...key]), 'utf8').toString('base64url');
}

/** What each position of a decoded key must look like, so a forged cursor fails as bad input, not in SQL. @internal */
export type CursorPart = 'timestamp' | 'uuid' | 'text' | 'int';

const PART_PATTERNS: Record<Exclude<CursorPart, 'int' | 'text'>, RegExp> = {
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/** Decodes a cursor made by {@link encodeCursor} for `tag`; throws BAD_USER_INPUT on anything else. @internal */
export function decodeCursor<const P extends readonly CursorPart[]>(
  tag: string,
  cursor: string,
  parts: P,
): { [K in keyof P]: P[K] extends 'int' ? number : string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const valid =
    Array.isArray(decoded) &&
    decoded.length === parts.length + 1 &&
    decoded[0] === tag &&
    parts.every((part, i) => matchesPart(part, decoded[i + 1]));
  if (!valid) {
    throw new AppError('BAD_USER_INPUT', `expected a cursor returned by this list (${tag}), got '${cursor.slice(0, 80)}'`);
  }
  return (decoded as unknown[]).slice(1) as { [K in keyof P]: P[K] extends 'int' ? number : string };
}

function matchesPart(part: CursorPart, value: unknown): boolean {
  if (part === 'int') return Number.isSafeInteger(value);
  if (typeof value !== 'string') return false;
  return part === 'text' ? true : PART_PATTERNS[part].test(value);
}

/**
 * A timestamptz as UTC text with all six fractional digits. Cursors must carry this, not a JS Date:
 * PostgreSQL keeps microseconds and a Date keeps milliseconds, so a Date-based cursor would skip or repeat
 * rows created within the same millisecond.
 * @internal
 */
export function timestampKey(column: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Row-value comparison `(a, b) < (x, y)` (desc) or `>` (asc): one index range scan on a matching index. @internal */
export function afterKey(direction: 'asc' | 'desc', columns: readonly [SQLWrapper, SQLWrapper], values: readonly [SQL, SQL]): SQL {
  return direction === 'desc'
    ? sql`(${columns[0]}, ${columns[1]}) < (${values[0]}, ${values[1]})`
    : sql`(${columns[0]}, ${columns[1]}) > (${values[0]}, ${values[1]})`;
}

/**
 * Builds a page from rows fetched with `limit(size + 1)`: the extra row only says whether there is a next page.
 * @internal
 */
export function toPage<R, T = R>(rows: R[], size: number, cursorOf: (row: R) => string, map?: (row: R) => T): Page<T> {
  const kept = rows.slice(0, size);
  const last = kept.at(-1);
  return {
    items: map ? kept.map(map) : (kept as unknown as T[]),
    cursors: kept.map(cursorOf),
    hasNextPage: rows.length > size,
    endCursor: last === undefined ? null : cursorOf(last),
  };
}
