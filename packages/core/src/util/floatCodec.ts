/**
 * Float32 arrays as base64 text, for JSON checkpoint files (policy weights, optimizer moments).
 * @internal
 */

/** Encodes little-endian float32 bytes (every platform Node runs on here) as base64. */
export function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Decodes `encodeFloats` output. */
export function decodeFloats(data: string): Float32Array {
  const bytes = Buffer.from(data, 'base64');
  // Copy into a fresh buffer: a Buffer view may start at an offset that is not 4-byte aligned.
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
