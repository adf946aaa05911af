/**
 * Identity domain: `viewer`, users and API tokens. Token self-service (create / revoke your own tokens) is open to
 * every role, because a viewer whose token leaked must be able to revoke it; managing other users' tokens and
 * creating users is for admins. Revoking publishes on `token:<id>`, which ends that token's open subscriptions.
 * @public
 */
import { hasRole, requireRole, requireViewer } from '../auth/viewer.ts';
import {
  createApiToken,
  createUser,
  getUser,
  listTokens,
  revokeApiToken,
  type ApiTokenRecord,
  type User,
} from '../db/repositories/index.ts';
import type { UserRole } from '../db/schema.ts';
import { tokenTopic, type TokenRevokedEvent } from '../events/pubSub.ts';
import { AppError } from '../errors.ts';
import { builder } from './builder.ts';
import type { GraphqlContext } from './context.ts';
import { RoleEnum } from './enums.ts';

/** @public */
export const ApiTokenRef = builder.objectRef<ApiTokenRecord>('ApiToken').implement({
  description: 'An API token as listed: its secret is shown once, at creation, and never stored in plain text.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'First characters of the token, to tell tokens apart.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

/** @public */
export const UserRef = builder.objectRef<User>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: RoleEnum, resolve: (user) => user.role }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    tokens: t.field({
      type: [ApiTokenRef],
      description: 'The user’s tokens, revoked ones included. Visible to the user and to admins.',
      resolve: (user, _args, ctx) => {
        assertSelfOrAdmin(ctx, user.id);
        return listTokens(ctx.db, user.id);
      },
    }),
  }),
});

const CreatedToken = builder.objectRef<{ token: string; record: ApiTokenRecord }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret. Shown this once; store it now.' }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (created) => created.record }),
  }),
});

const CreatedUser = builder.objectRef<{ user: User; token: string }>('CreatedUser').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (created) => created.user }),
    token: t.exposeString('token', { description: 'A first API token for the user. Shown this once.' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The caller, or null without a valid token.',
    resolve: (_root, _args, ctx) => ctx.auth.viewer,
  }),
);

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreatedUser,
    description: 'Admins only. Creates a user and a first API token.',
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: async (_root, args, ctx) => {
      requireRole(ctx, 'admin');
      const name = args.name.trim();
      if (!/^[\w.@-]{1,64}$/.test(name)) {
        throw new AppError('BAD_USER_INPUT', `name: expected 1–64 letters, digits or . _ @ -, got ${JSON.stringify(args.name)}`);
      }
      return ctx.db.transaction(async (tx) => {
        const user = await createUser(tx, { name, role: args.role as UserRole });
        const { token } = await createApiToken(tx, user.id, 'initial token');
        return { user, token };
      });
    },
  }),
  createApiToken: t.field({
    type: CreatedToken,
    description: 'Creates a token for yourself, or (admins) for `userId`.',
    args: {
      name: t.arg.string({ required: true }),
      userId: t.arg.id(),
    },
    resolve: async (_root, args, ctx) => {
      const viewer = requireViewer(ctx);
      const userId = args.userId ?? viewer.id;
      assertSelfOrAdmin(ctx, userId);
      const name = args.name.trim();
      if (name.length === 0 || name.length > 100) {
        throw new AppError('BAD_USER_INPUT', `name: expected 1–100 characters, got ${name.length}`);
      }
      if (!(await getUser(ctx.db, userId))) throw new AppError('NOT_FOUND', `expected an existing user, got id ${userId}`);
      return createApiToken(ctx.db, userId, name);
    },
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    description: 'Revokes one of your tokens, or (admins) anyone’s. Open subscriptions using it end with UNAUTHENTICATED.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireViewer(ctx);
      // Look before revoking: a non-admin must not learn whether someone else's token id exists.
      const own = (await listTokens(ctx.db, viewer.id)).some((token) => token.id === args.id);
      if (!own && !hasRole(viewer.role, 'admin')) {
        throw new AppError('NOT_FOUND', `expected the id of one of your API tokens, got ${args.id}`);
      }
      const revoked = await revokeApiToken(ctx.db, args.id);
      if (!revoked) throw new AppError('NOT_FOUND', `expected an existing API token, got id ${args.id}`);
      const event: TokenRevokedEvent = { tokenId: revoked.id };
      await ctx.pubSub.publish(tokenTopic(revoked.id), event);
      return revoked;
    },
  }),
}));

function assertSelfOrAdmin(ctx: GraphqlContext, userId: string): void {
  const viewer = requireViewer(ctx);
  if (viewer.id !== userId && !hasRole(viewer.role, 'admin')) {
    throw new AppError('FORBIDDEN', `expected your own user or the admin role, got user ${userId} as ${viewer.role}`);
  }
}
