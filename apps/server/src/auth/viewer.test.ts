import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { hasRole, requireRole, tokenFromAuthorizationHeader, tokenFromConnectionParams, type Viewer } from './viewer.ts';

const viewer = (role: Viewer['role']): Viewer => ({ id: 'u', name: 'ann', role, createdAt: new Date(), tokenId: 't' });

describe('token extraction', () => {
  it('reads Bearer tokens and explains other schemes', () => {
    expect(tokenFromAuthorizationHeader('Bearer fs_abc')).toEqual({ token: 'fs_abc' });
    expect(tokenFromAuthorizationHeader('bearer   fs_abc ')).toEqual({ token: 'fs_abc' });
    expect(tokenFromAuthorizationHeader(undefined)).toEqual({});
    expect(tokenFromAuthorizationHeader('Basic dXNlcg==').failure).toMatch(/expected .*'Bearer <token>', got scheme 'Basic'/);
  });

  it('reads connectionParams.authToken, tolerating a Bearer prefix', () => {
    expect(tokenFromConnectionParams({ authToken: 'fs_x' })).toEqual({ token: 'fs_x' });
    expect(tokenFromConnectionParams({ authToken: 'Bearer fs_x' })).toEqual({ token: 'fs_x' });
    expect(tokenFromConnectionParams(undefined)).toEqual({});
    expect(tokenFromConnectionParams({ authToken: 42 }).failure).toMatch(/expected connectionParams.authToken to be a string, got number/);
  });
});

describe('roles', () => {
  it('orders viewer < editor < admin', () => {
    expect(hasRole('admin', 'editor')).toBe(true);
    expect(hasRole('editor', 'editor')).toBe(true);
    expect(hasRole('viewer', 'editor')).toBe(false);
  });

  it('throws UNAUTHENTICATED without a viewer and FORBIDDEN below the role', () => {
    const anonymous = () => requireRole({ auth: { viewer: null } }, 'viewer');
    expect(anonymous).toThrow(/authentication required/);
    try {
      requireRole({ auth: { viewer: viewer('viewer') } }, 'editor');
    } catch (error) {
      expect(isAppError(error, 'FORBIDDEN')).toBe(true);
      expect((error as Error).message).toMatch(/expected role editor or higher, got viewer/);
    }
    expect(requireRole({ auth: { viewer: viewer('admin') } }, 'editor').name).toBe('ann');
  });
});
