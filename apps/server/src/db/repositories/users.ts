/**
 * Users and their API tokens. A token is `fs_` + 32 random bytes (base64url), shown once at creation; only
 * its SHA-256 (hex) is stored, plus a short prefix so a user can tell tokens apart in a list.
 * @public
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { AppDb } from '../client.ts';
import { apiTokens, users, type UserRole } from '../schema.ts';
import { assertUuid, isUuid, mapConstraintErrors } from './dbErrors.ts';

/** A user row. @public */
export type User = typeof users.$inferSelect;

/** A token as listed: everything but the hash. @public */
export type ApiTokenRecord = Omit<typeof apiTokens.$inferSelect, 'tokenHash'>;

/** The user a bearer token belongs to, with the token's id (to re-check revocation on long-lived sockets). @public */
export type TokenUser = User & { tokenId: string };

/** Prefix every token starts with, so leaked tokens are recognisable by secret scanners. @public */
export const TOKEN_PREFIX = 'fs_';

const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;

// Writing last_used_at on every request would turn each read into a write; minute precision is enough to
// tell a used token from a forgotten one.
const LAST_USED_RESOLUTION_MS = 60_000;

const tokenRecordColumns = {
  id: apiTokens.id,
  userId: apiTokens.userId,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** SHA-256 hex of a plaintext token: what is stored and looked up. @public */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates a user; CONFLICT when the name is taken. @public */
export async function createUser(db: AppDb, input: { name: string; role: UserRole }): Promise<User> {
  const [user] = await mapConstraintErrors(() => db.insert(users).values(input).returning(), {
    conflict: `expected a new user name, got '${input.name}' which already exists`,
  });
  return user!;
}

/** @public */
export async function getUser(db: AppDb, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}

/** @public */
export async function findUserByName(db: AppDb, name: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.name, name));
  return user;
}

/** Number of users; 0 means a first run (the server then creates the admin). @public */
export async function countUsers(db: AppDb): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/**
 * Creates an API token for a user. The plaintext `token` is returned here and never again.
 * NOT_FOUND when the user does not exist.
 * @public
 */
export async function createApiToken(
  db: AppDb,
  userId: string,
  name: string,
): Promise<{ token: string; record: ApiTokenRecord }> {
  assertUuid(userId, 'user');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [record] = await mapConstraintErrors(
    () =>
      db
        .insert(apiTokens)
        .values({ userId, name, tokenHash: hashToken(token), prefix: token.slice(0, SHOWN_PREFIX_LENGTH) })
        .returning(tokenRecordColumns),
    { notFound: `expected an existing user, got id ${userId}` },
  );
  return { token, record: record! };
}

/**
 * The user owning an active (not revoked) token, or undefined. Compares hashes only, and refreshes
 * `last_used_at` at most once a minute so authentication stays a single read on the hot path.
 * @public
 */
export async function findUserByToken(db: AppDb, token: string): Promise<TokenUser | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const [row] = await db
    .select({ user: users, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.tokenId));
  }
  return { ...row.user, tokenId: row.tokenId };
}

/** Revokes a token; returns the record, or undefined when no such token exists. Revoking twice keeps the first time. @public */
export async function revokeApiToken(db: AppDb, id: string): Promise<ApiTokenRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const [revoked] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning(tokenRecordColumns);
  if (revoked) return revoked;
  const [existing] = await db.select(tokenRecordColumns).from(apiTokens).where(eq(apiTokens.id, id));
  return existing;
}

/** True while the token exists and is not revoked (open subscriptions poll this). @public */
export async function isTokenActive(db: AppDb, tokenId: string): Promise<boolean> {
  if (!isUuid(tokenId)) return false;
  const [row] = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)));
  return row !== undefined;
}

/** A user's tokens, revoked ones included, oldest first. @public */
export async function listTokens(db: AppDb, userId: string): Promise<ApiTokenRecord[]> {
  if (!isUuid(userId)) return [];
  return db.select(tokenRecordColumns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Changes a user's role; NOT_FOUND when the user does not exist. @public */
export async function updateUserRole(db: AppDb, id: string, role: UserRole): Promise<User> {
  assertUuid(id, 'user');
  const [user] = await db.update(users).set({ role }).where(eq(users.id, id)).returning();
  if (!user) throw new AppError('NOT_FOUND', `expected an existing user, got id ${id}`);
  return user;
}
