import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeWav } from '../../../src/audio/wav-reader.js';
import { WavFormatError } from '../../../src/util/errors.js';
import { chunk, fmtBody, pcm16Body, riff } from '../../helpers/audio-wav-builder.js';

function check(bytes: Uint8Array): void {
  try {
    const w = decodeWav(bytes);
    const stored = w.channelData.reduce((s, ch) => s + ch.length, 0) * (w.bitsPerSample / 8);
    assert.ok(stored <= bytes.length, 'decoded more sample bytes than the file holds');
    for (const ch of w.channelData) assert.equal(ch.length, w.frameCount);
  } catch (e) {
    if (!(e instanceof WavFormatError)) throw e;
  }
}

test('arbitrary bytes: a result or WavFormatError, never another error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => check(b)), { numRuns: 3000 });
});

test('arbitrary bytes after a valid RIFF/WAVE prefix', () => {
  const prefix = Buffer.from('RIFF\x24\x00\x00\x00WAVE', 'latin1');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => check(Buffer.concat([prefix, b]))), { numRuns: 3000 });
});

test('mutations of a valid WAV (byte overwrites and truncation)', () => {
  const valid = riff([chunk('LIST', Buffer.alloc(9)), chunk('fmt ', fmtBody({ extensibleSubTag: 1, channels: 2 })), chunk('data', pcm16Body(Array.from({ length: 40 }, (_, i) => i * 300)))]);
  const mutation = fc.record({
    edits: fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    cut: fc.nat(valid.length),
  });
  fc.assert(
    fc.property(mutation, ({ edits, cut }) => {
      const b = Buffer.from(valid);
      for (const [i, v] of edits) b[i] = v;
      check(b.subarray(0, cut));
    }),
    { numRuns: 3000 },
  );
});
