/**
 * Fast non-cryptographic string hashing shared by seeded code (splits, the simulated executor): 32-bit
 * FNV-1a with a murmur3 finaliser. Pure JS, deterministic across platforms.
 * @public
 */

/** 32-bit FNV-1a over the UTF-16 code units of `text` (offset basis xor `seed`), finished with `avalanche`. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return avalanche(h);
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
export function avalanche(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
