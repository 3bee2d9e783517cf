import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../../src/util/backoff.js';
import { S16Decoder } from '../../../src/audio/s16-decoder.js';

test('S16Decoder: one byte at a time equals one chunk; stereo is averaged', () => {
  const pcm = Buffer.alloc(8);
  [1000, -2000, 32767, -32768].forEach((v, i) => pcm.writeInt16LE(v, i * 2));
  const whole = new S16Decoder(1).push(pcm);
  const d = new S16Decoder(1);
  const parts: number[] = [];
  for (const b of pcm) parts.push(...d.push(Buffer.from([b])));
  assert.deepEqual(parts, Array.from(whole));
  assert.deepEqual(Array.from(whole), [1000 / 32768, -2000 / 32768, 32767 / 32768, -1]);
  const st = new S16Decoder(2);
  assert.deepEqual(Array.from(st.push(pcm.subarray(0, 5))), [(1000 - 2000) / 65536]);
  assert.equal(st.pendingBytes, 1);
  st.reset();
  assert.equal(st.pendingBytes, 0);
  assert.throws(() => new S16Decoder(0), RangeError);
});

test('backoffDelayMs: doubles per attempt, capped, equal jitter in [d/2, d]', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, 500, 4000, () => 1)), [500, 1000, 2000, 4000, 4000]);
  assert.deepEqual([1, 2, 3].map((a) => backoffDelayMs(a, 500, 4000, () => 0)), [250, 500, 1000]);
  assert.equal(backoffDelayMs(1000, 500, 30000, () => 1), 30000, 'huge attempt counts do not overflow');
});
