import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { judgeGolden, readGoldenWav, type GoldenResult } from '../../../src/ota/golden.js';
import type { GoldenCase } from '../../../src/ota/manifest.js';
import { ManifestError } from '../../../src/util/errors.js';
import { GOLDEN_WAV } from '../../helpers/ota-bundles.js';

function wav(o: { format?: number; channels?: number; rate?: number; bits?: number; dataSize?: number; samples?: number; fmtSize?: number } = {}): Buffer {
  const n = o.samples ?? 4;
  const fmt = Buffer.alloc(8 + (o.fmtSize ?? 16));
  fmt.write('fmt ', 0);
  fmt.writeUInt32LE(o.fmtSize ?? 16, 4);
  if ((o.fmtSize ?? 16) >= 16) {
    fmt.writeUInt16LE(o.format ?? 1, 8);
    fmt.writeUInt16LE(o.channels ?? 1, 10);
    fmt.writeUInt32LE(o.rate ?? 16000, 12);
    fmt.writeUInt16LE(o.bits ?? 16, 22);
  }
  const data = Buffer.alloc(8 + 2 * n);
  data.write('data', 0);
  data.writeUInt32LE(o.dataSize ?? 2 * n, 4);
  for (let i = 0; i < n; i++) data.writeInt16LE(i * 1000, 8 + 2 * i);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0);
  head.writeUInt32LE(4 + fmt.length + data.length, 4);
  head.write('WAVE', 8);
  return Buffer.concat([head, fmt, data]);
}
const malformed = (re: RegExp) => (e: unknown) => e instanceof ManifestError && e.reason === 'malformed' && re.test(e.message);

test('golden WAV reader: the committed fixture and a minimal file decode', () => {
  assert.equal(readGoldenWav(readFileSync(GOLDEN_WAV), 'g').length, 64000);
  assert.deepEqual(Array.from(readGoldenWav(wav(), 'x')).map((v) => Math.round(v * 32768)), [0, 1000, 2000, 3000]);
  // A data size larger than the file (streamed WAV) reads what is there.
  assert.equal(readGoldenWav(wav({ dataSize: 0x7fffffff }), 'x').length, 4);
});

test('golden WAV reader: malformed inputs are ManifestError(malformed) naming the field', () => {
  assert.throws(() => readGoldenWav(Buffer.from('nope'), 'x'), malformed(/not a RIFF/));
  assert.throws(() => readGoldenWav(wav({ channels: 2 }), 'x'), malformed(/2 ch/));
  assert.throws(() => readGoldenWav(wav({ rate: 8000 }), 'x'), malformed(/8000 Hz/));
  assert.throws(() => readGoldenWav(wav({ bits: 24 }), 'x'), malformed(/24 bit/));
  assert.throws(() => readGoldenWav(wav({ format: 3 }), 'x'), malformed(/format 3/));
  assert.throws(() => readGoldenWav(wav({ fmtSize: 4 }), 'x'), malformed(/short fmt/));
  const noData = wav().subarray(0, 12 + 24);
  assert.throws(() => readGoldenWav(noData, 'x'), malformed(/no data chunk/));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    try {
      readGoldenWav(Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE'), Buffer.from(b)]), 'fuzz');
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
    }
  }));
});

test('judging: tolerance, length, latency and RSS budgets each name the case and the margin', () => {
  const g: GoldenCase = { name: 'c1', role: 'vad', audio: 'a.wav', expected: { probabilities: [0.1, 0.5, 0.9] }, tolerance: 0.01, budgets: { latency_ms: 100, rss_mb: 200 } };
  const r: GoldenResult = { name: 'c1', role: 'vad', probabilities: [0.1, 0.505, 0.9], latencyMs: 50, rssMb: 150 };
  assert.equal(judgeGolden(g, r).maxAbsDiff! < 0.006, true);
  assert.throws(() => judgeGolden(g, { ...r, probabilities: [0.1, 0.5, 0.2] }), /case c1: output 2 differs by 0\.7000 \(tolerance 0\.01\)/);
  assert.throws(() => judgeGolden(g, { ...r, probabilities: [0.1] }), /case c1: 1 outputs, expected 3/);
  assert.throws(() => judgeGolden(g, { ...r, probabilities: [0.1, Number.NaN, 0.9] }), /case c1: output 1 is NaN/);
  assert.throws(() => judgeGolden(g, { ...r, latencyMs: 150 }), /latency 150 ms over budget 100 ms/);
  assert.throws(() => judgeGolden(g, { ...r, rssMb: 300 }), /RSS 300 MB over budget 200 MB/);
});
