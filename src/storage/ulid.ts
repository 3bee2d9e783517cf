/**
 * Monotonic ULID generator (https://github.com/ulid/spec): 48-bit ms timestamp +
 * 80 bits of randomness, Crockford base32, 26 chars, lexicographically sortable.
 * Within one millisecond (or if the wall clock steps back) the previous random part
 * is incremented, so ids from one generator strictly increase.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_MAX = 2 ** 48 - 1;

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** 80 random bits kept as 16 base-32 digits (5 bits each) so incrementing is digit-wise. */
function randomDigits(): number[] {
  const bytes = randomBytes(16);
  return Array.from(bytes, (b) => b & 31);
}

function encodeDigits(d: readonly number[]): string {
  return d.map((x) => ALPHABET[x]).join('');
}

export interface UlidGenerator {
  (): string;
}

/** Create a generator; `nowMs` is injectable for tests. */
export function monotonicUlid(nowMs: () => number = Date.now): UlidGenerator {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return () => {
    let t = Math.max(0, Math.min(TIME_MAX, Math.floor(nowMs())));
    if (t <= lastTime) {
      t = lastTime;
      const next = lastRandom.slice();
      let i = next.length - 1;
      while (i >= 0) {
        if (next[i] < 31) {
          next[i]++;
          break;
        }
        next[i] = 0;
        i--;
      }
      if (i < 0) {
        // 80-bit overflow within one ms (2^80 ids): move to the next ms rather than repeat.
        t = lastTime + 1;
        lastRandom = randomDigits();
      } else {
        lastRandom = next;
      }
    } else {
      lastRandom = randomDigits();
    }
    lastTime = t;
    return encodeTime(t) + encodeDigits(lastRandom);
  };
}

/** Process-wide generator used by the repositories. */
export const ulid: UlidGenerator = monotonicUlid();

/** Decode the millisecond timestamp of a ULID (for tests and diagnostics). */
export function ulidTimeMs(id: string): number {
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}
