/**
 * Who is calling: the bearer token from an HTTP header or graphql-ws `connectionParams`, resolved to a user
 * through the repositories, plus the role checks resolvers use. Roles are ordered viewer < editor < admin.
 * @public
 */
import type { AppDb } from '../db/client.ts';
import { findUserByToken, type TokenUser } from '../db/repositories/index.ts';
import type { UserRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** An authenticated caller: the user and the id of the token it used (to watch for revocation). @public */
export type Viewer = TokenUser;

/** What authentication produced for one request or socket. @public */
export interface Authentication {
  /** The caller, or null when anonymous or the token was not accepted. */
  readonly viewer: Viewer | null;
  /** Why a token that was sent was not accepted; undefined when none was sent or it was accepted. */
  readonly failure?: string;
}

const ROLE_RANK: Readonly<Record<UserRole, number>> = { viewer: 0, editor: 1, admin: 2 };

/**
 * Extracts the token of an `Authorization` header. Undefined when the header is absent; a header in another
 * scheme yields a failure message instead of being ignored, so a misconfigured client learns why.
 * @public
 */
export function tokenFromAuthorizationHeader(header: string | undefined): { token?: string; failure?: string } {
  if (header === undefined || header.trim() === '') return {};
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!match?.[1]) {
    const scheme = header.trim().split(/\s+/)[0] ?? '';
    return { failure: `expected an Authorization header of the form 'Bearer <token>', got scheme '${scheme.slice(0, 20)}'` };
  }
  return { token: match[1] };
}

/**
 * Extracts the token of graphql-ws `connectionParams` (`{ authToken }`; a `Bearer ` prefix is tolerated).
 * @public
 */
export function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): { token?: string; failure?: string } {
  const value = params?.['authToken'];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') {
    return { failure: `expected connectionParams.authToken to be a string, got ${typeof value}` };
  }
  return { token: value.replace(/^Bearer\s+/i, '').trim() };
}

/** Resolves a token to its user; an unknown or revoked token gives a failure message, never an exception. @public */
export async function authenticate(db: AppDb, extracted: { token?: string; failure?: string }): Promise<Authentication> {
  if (extracted.failure) return { viewer: null, failure: extracted.failure };
  if (!extracted.token) return { viewer: null };
  const viewer = await findUserByToken(db, extracted.token);
  return viewer ? { viewer } : { viewer: null, failure: 'the API token is unknown or has been revoked' };
}

/** True when `role` is at least `minimum`. @public */
export function hasRole(role: UserRole, minimum: UserRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** Anything carrying the authentication result (the GraphQL context does). @public */
export interface HasAuthentication {
  readonly auth: Authentication;
}

/** The viewer, or UNAUTHENTICATED saying what to send. @public */
export function requireViewer(ctx: HasAuthentication): Viewer {
  if (ctx.auth.viewer) return ctx.auth.viewer;
  const why = ctx.auth.failure ?? 'no API token was sent';
  throw new AppError(
    'UNAUTHENTICATED',
    `authentication required: ${why}; expected 'Authorization: Bearer <token>' (HTTP) or connectionParams.authToken (WebSocket)`,
  );
}

/** The viewer if their role is at least `minimum`; UNAUTHENTICATED or FORBIDDEN otherwise. @public */
export function requireRole(ctx: HasAuthentication, minimum: UserRole): Viewer {
  const viewer = requireViewer(ctx);
  if (!hasRole(viewer.role, minimum)) {
    throw new AppError('FORBIDDEN', `expected role ${minimum} or higher, got ${viewer.role} (user '${viewer.name}')`);
  }
  return viewer;
}
