import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import {
  countUsers,
  createApiToken,
  createUser,
  findUserByName,
  findUserByToken,
  getUser,
  hashToken,
  isTokenActive,
  listTokens,
  revokeApiToken,
  updateUserRole,
} from '../../src/db/repositories/index.ts';
import { apiTokens } from '../../src/db/schema.ts';
import { forEachDatabase } from './databases.ts';

forEachDatabase('users and tokens', (ctx) => {
  it('creates users, finds them by name and counts them', async () => {
    expect(await countUsers(ctx.db)).toBe(0);
    const ada = await createUser(ctx.db, { name: 'ada', role: 'admin' });
    await createUser(ctx.db, { name: 'bob', role: 'viewer' });
    expect(await countUsers(ctx.db)).toBe(2);
    expect(await findUserByName(ctx.db, 'ada')).toEqual(ada);
    expect(await findUserByName(ctx.db, 'nobody')).toBeUndefined();
    expect(await getUser(ctx.db, ada.id)).toEqual(ada);
    expect(await getUser(ctx.db, 'not-a-uuid')).toBeUndefined();
    expect((await updateUserRole(ctx.db, ada.id, 'editor')).role).toBe('editor');
  });

  it('rejects a duplicate user name with CONFLICT', async () => {
    await createUser(ctx.db, { name: 'ada', role: 'admin' });
    await expect(createUser(ctx.db, { name: 'ada', role: 'viewer' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('stores only the SHA-256 of a token, never the plaintext', async () => {
    const user = await createUser(ctx.db, { name: 'ada', role: 'admin' });
    const { token, record } = await createApiToken(ctx.db, user.id, 'laptop');
    expect(token).toMatch(/^fs_[A-Za-z0-9_-]{43}$/);
    expect(record).not.toHaveProperty('tokenHash');
    expect(token.startsWith(record.prefix)).toBe(true);

    const [stored] = await ctx.db.select().from(apiTokens).where(eq(apiTokens.id, record.id));
    expect(stored!.tokenHash).toBe(hashToken(token));
    expect(stored!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    // The plaintext appears in no column of any token row.
    const dump = await ctx.db.execute(sql`select row_to_json(t)::text as row from api_tokens t`);
    expect(JSON.stringify(dump)).not.toContain(token.slice(3));
  });

  it('authenticates a token to its user and records the use', async () => {
    const user = await createUser(ctx.db, { name: 'ada', role: 'editor' });
    const { token, record } = await createApiToken(ctx.db, user.id, 'ci');
    expect(record.lastUsedAt).toBeNull();
    const found = await findUserByToken(ctx.db, token);
    expect(found).toMatchObject({ id: user.id, name: 'ada', role: 'editor', tokenId: record.id });
    const [listed] = await listTokens(ctx.db, user.id);
    expect(listed!.lastUsedAt).toBeInstanceOf(Date);
    expect(await findUserByToken(ctx.db, `${token}x`)).toBeUndefined();
    expect(await findUserByToken(ctx.db, 'Bearer nonsense')).toBeUndefined();
  });

  it('ignores revoked tokens and reports them inactive', async () => {
    const user = await createUser(ctx.db, { name: 'ada', role: 'admin' });
    const kept = await createApiToken(ctx.db, user.id, 'kept');
    const revoked = await createApiToken(ctx.db, user.id, 'revoked');
    expect(await isTokenActive(ctx.db, revoked.record.id)).toBe(true);

    const result = await revokeApiToken(ctx.db, revoked.record.id);
    expect(result?.revokedAt).toBeInstanceOf(Date);
    expect(await isTokenActive(ctx.db, revoked.record.id)).toBe(false);
    expect(await findUserByToken(ctx.db, revoked.token)).toBeUndefined();
    expect(await findUserByToken(ctx.db, kept.token)).toMatchObject({ id: user.id });
    // Revoking again keeps the first revocation time; unknown ids give undefined.
    expect((await revokeApiToken(ctx.db, revoked.record.id))?.revokedAt).toEqual(result?.revokedAt);
    expect(await revokeApiToken(ctx.db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect((await listTokens(ctx.db, user.id)).map((t) => t.name)).toEqual(['kept', 'revoked']);
  });

  it('refuses a token for an unknown user with NOT_FOUND', async () => {
    await expect(createApiToken(ctx.db, '00000000-0000-4000-8000-000000000000', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
