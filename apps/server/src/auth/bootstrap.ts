/**
 * First-run bootstrap: a fresh database has no users, so nobody could authenticate to create one. The server
 * creates an `admin` user and prints a one-time token (its plaintext is never stored and never shown again).
 * @public
 */
import type { AppDb } from '../db/client.ts';
import { countUsers, createApiToken, createUser, type User } from '../db/repositories/index.ts';
import { isAppError } from '../errors.ts';

/** Name of the user created on first run. @public */
export const BOOTSTRAP_ADMIN_NAME = 'admin';

/** The admin created by {@link ensureAdmin} and its one-time plaintext token. @public */
export interface BootstrapAdmin {
  readonly user: User;
  readonly token: string;
}

/**
 * Creates user `admin` (role admin) with an API token when the database has no users, and returns the token
 * once; returns null when users already exist. User and token are written in one transaction, so a crash never
 * leaves an admin nobody can log in as. Two servers starting together on one database create one admin: the
 * loser's unique-name CONFLICT is read as "someone else bootstrapped".
 * @public
 */
export async function ensureAdmin(db: AppDb): Promise<BootstrapAdmin | null> {
  if ((await countUsers(db)) > 0) return null;
  try {
    return await db.transaction(async (tx) => {
      const user = await createUser(tx, { name: BOOTSTRAP_ADMIN_NAME, role: 'admin' });
      const { token } = await createApiToken(tx, user.id, 'first-run admin token');
      return { user, token };
    });
  } catch (error) {
    if (isAppError(error, 'CONFLICT')) return null;
    throw error;
  }
}
