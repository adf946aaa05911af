/**
 * Row ids: UUIDv7 (RFC 9562), time-ordered and monotonic within this process. Lists sort by (created_at, id), and
 * rows written in the same clock tick — or in one transaction, where `now()` is the same for every row — share
 * created_at; a random v4 id then orders them arbitrarily, so "oldest first" could disagree with the order they
 * were written in. Here the 12-bit `rand_a` field is a counter within the millisecond (RFC 9562 §6.2, method 1),
 * so ids made later in this process always sort later; the remaining 62 bits stay random, so ids from different
 * processes still never collide.
 * @public
 */
import { randomBytes } from 'node:crypto';

const COUNTER_MAX = 0xfff;
let lastMs = -1;
let counter = 0;

/** A new UUIDv7 that sorts after every id this process made before (`now` is injectable for tests). */
export function newId(now: number = Date.now()): string {
  // A clock that steps back, or a counter that runs out within one millisecond, borrows from the next
  // millisecond rather than ever sorting before an earlier id.
  let ms = Math.max(Math.floor(now), lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > COUNTER_MAX) {
      ms += 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const random = randomBytes(8);
  random[0] = ((random[0] as number) & 0x3f) | 0x80; // variant 10
  const time = ms.toString(16).padStart(12, '0');
  const tail = random.toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}
