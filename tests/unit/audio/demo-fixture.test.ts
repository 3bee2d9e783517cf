import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readWavFile } from '../../../src/audio/wav-reader.js';

const demo = fileURLToPath(new URL('../../fixtures/audio/demo.wav', import.meta.url));

test('demo.wav: 16 kHz mono 16-bit, 4-6 s, two sentences around a ~1 s pause', async () => {
  const w = await readWavFile(demo);
  assert.equal(w.sampleRateHz, 16000);
  assert.equal(w.channels, 1);
  assert.equal(w.bitsPerSample, 16);
  assert.deepEqual(w.notes, []);
  const x = w.channelData[0]!;
  const durationS = x.length / 16000;
  assert.ok(durationS >= 4 && durationS <= 6, `duration ${durationS}`);
  // Longest run of exact digital silence in the middle: the 1 s pause.
  let best = 0;
  let run = 0;
  for (let i = 8000; i < x.length - 8000; i++) {
    run = x[i] === 0 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  assert.ok(best >= 0.95 * 16000 && best <= 1.1 * 16000, `pause ${best / 16000} s`);
});
