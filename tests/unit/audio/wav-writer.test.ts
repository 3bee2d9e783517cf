import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16, floatToS16, writeWavFile } from '../../../src/audio/wav-writer.js';
import { decodeWav, readWavFile } from '../../../src/audio/wav-reader.js';

test('encodeWav16 round-trips through decodeWav within one LSB', () => {
  const x = new Float32Array(1000);
  for (let i = 0; i < x.length; i++) x[i] = 0.9 * Math.sin(i / 7);
  const bytes = encodeWav16(x, 16000);
  assert.equal(bytes.length, 44 + 2000);
  const w = decodeWav(bytes);
  assert.equal(w.sampleRateHz, 16000);
  assert.equal(w.channels, 1);
  assert.equal(w.bitsPerSample, 16);
  assert.deepEqual(w.notes, []);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(w.channelData[0]![i]! - x[i]!) <= 1 / 32768);
});

test('clamping and NaN', () => {
  assert.equal(floatToS16(2), 32767);
  assert.equal(floatToS16(-2), -32768);
  assert.equal(floatToS16(Number.NaN), 0);
  assert.equal(floatToS16(0.5), 16384);
  assert.throws(() => encodeWav16(new Float32Array(1), 0), RangeError);
});

test('writeWavFile writes atomically and the file reads back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wavw-'));
  const p = join(dir, 'out.wav');
  writeWavFile(p, new Float32Array([0, 0.25, -0.25]), 8000);
  assert.equal(existsSync(`${p}.tmp`), false);
  assert.equal(readFileSync(p).length, 50);
  const w = await readWavFile(p);
  assert.equal(w.sampleRateHz, 8000);
  assert.deepEqual(Array.from(w.channelData[0]!), [0, 0.25, -0.25]);
});
