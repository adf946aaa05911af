/**
 * Recognises PostgreSQL constraint violations (SQLSTATE codes) under drizzle's error wrapping, for both
 * drivers, and turns the expected ones into AppErrors that a client can act on.
 * @internal
 */
import { AppError } from '../../errors.ts';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE of a database error, looking through `cause` chains (drizzle wraps driver errors). @internal */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** True for a unique / primary key violation. @internal */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === UNIQUE_VIOLATION;
}

/** True for a foreign key violation (a referenced row does not exist). @internal */
export function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === FOREIGN_KEY_VIOLATION;
}

/**
 * Runs `write`, mapping a unique violation to CONFLICT and a foreign key violation to NOT_FOUND with the given
 * messages; other errors pass through unchanged. The driver's message (which embeds the SQL and its
 * parameters) stays in `cause` only.
 * @internal
 */
export async function mapConstraintErrors<T>(
  write: () => Promise<T>,
  messages: { conflict?: string; notFound?: string },
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // Already classified further down (its cause is the driver error): keep the more precise message.
    if (error instanceof AppError) throw error;
    if (messages.conflict !== undefined && isUniqueViolation(error)) {
      throw new AppError('CONFLICT', messages.conflict, { cause: error });
    }
    if (messages.notFound !== undefined && isForeignKeyViolation(error)) {
      throw new AppError('NOT_FOUND', messages.notFound, { cause: error });
    }
    throw error;
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a syntactically valid uuid. Ids come from clients: a malformed one would make PostgreSQL fail the
 * cast (an internal error), whereas it simply names no row.
 * @internal
 */
export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** Throws NOT_FOUND for an id that cannot name any row. @internal */
export function assertUuid(id: string, what: string): void {
  if (!isUuid(id)) throw new AppError('NOT_FOUND', `expected an existing ${what}, got id '${id.slice(0, 64)}'`);
}

/** Throws NOT_FOUND when any given (non-null) reference is not a uuid; keys name the references. @internal */
export function assertUuids(references: Record<string, string | null | undefined>): void {
  for (const [what, id] of Object.entries(references)) if (id !== undefined && id !== null) assertUuid(id, what);
}
