import { describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId (UUIDv7)', () => {
  it('is a version-7, variant-10 uuid whose first 48 bits are the millisecond', () => {
    const ms = Date.UTC(2031, 0, 2, 3, 4, 5, 678);
    const id = newId(ms);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
  });

  it('sorts in the order the ids were made, within one millisecond, across a counter overflow and a clock step back', () => {
    const ms = Date.UTC(2032, 5, 6);
    const ids = [
      ...Array.from({ length: 5000 }, () => newId(ms)), // more than the 4096 counter values of one millisecond
      ...Array.from({ length: 10 }, () => newId(ms - 60_000)), // the clock stepped back a minute
      newId(ms + 10),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
