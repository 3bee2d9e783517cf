/**
 * Whisper log-mel front end against the PyTorch reference (scripts/gen-whisper-fixtures.py
 * mel) on real speech: jfk.wav, first 3 s, 80 and 128 bins, with and without the 30 s padding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalizeLogMel, slaneyMelFilters, whisperLogMel30s, whisperLogMelSherpa, whisperMelPower } from '../../../src/frontend/whisper-mel.js';
import { jfk, REPO_ROOT } from '../../helpers/asr-eval.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'whisper');

function f32(name: string): Float32Array {
  const b = readFileSync(join(DIR, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** max |a-b| / max(1, |b|) elementwise. */
function maxRelErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

const clip = (): Float32Array => jfk().samples.subarray(0, 48000);

for (const nMels of [80, 128] as const) {
  test(`log-mel ${nMels} bins matches torch.stft + slaney mel on jfk.wav within 1e-4`, () => {
    const ref = f32(`mel${nMels}-jfk3s.f32`);
    const { data, frames } = whisperMelPower(clip(), nMels);
    assert.equal(frames, 300);
    const got = normalizeLogMel(data);
    const err = maxRelErr(got, ref);
    console.log(`# ${nMels} bins: max relative error ${err.toExponential(2)}`);
    assert.ok(err <= 1e-4, `error ${err}`);
    const sherpa = whisperLogMelSherpa(clip(), nMels, 0);
    assert.equal(sherpa.frames, 300);
    assert.ok(maxRelErr(sherpa.data, ref) <= 1e-4);
  });
}

test('30 s padding behaviour of transcribe(): first window equals the reference', () => {
  const ref = f32('mel80-jfk3s-pad30s-first400.f32');
  const got = whisperLogMel30s(clip(), 80);
  assert.equal(got.frames, 3000);
  const first400 = new Float32Array(80 * 400);
  for (let m = 0; m < 80; m++) first400.set(got.data.subarray(m * 3000, m * 3000 + 400), m * 400);
  assert.ok(maxRelErr(first400, ref) <= 1e-4);
});

test('slaney filters: triangles with area normalization, 201 bins', () => {
  const w = slaneyMelFilters(80);
  assert.equal(w.length, 80 * 201);
  // filter 0 starts at 0 Hz: bin 0 weight 0, one positive bin nearby
  assert.equal(w[0], 0);
  for (let m = 0; m < 80; m++) {
    let nonzero = 0;
    for (let k = 0; k < 201; k++) if (w[m * 201 + k]! > 0) nonzero++;
    assert.ok(nonzero >= 1, `filter ${m} is empty`);
  }
  assert.equal(slaneyMelFilters(80), w, 'cached');
});

test('short and silent input: padding, tail frames and the 29.5 s cut', () => {
  const tiny = whisperMelPower(new Float32Array(10), 80);
  assert.equal(tiny.frames, 1);
  const silent = normalizeLogMel(whisperMelPower(new Float32Array(1600), 80).data);
  for (const v of silent) assert.equal(v, (-10 + 4) / 4);
  const padded = whisperLogMelSherpa(clip(), 80, 1000);
  assert.equal(padded.frames, 1300);
  assert.equal(padded.data[299], padded.data[299]);
  assert.equal(padded.data[300], 0);
  const long = whisperLogMelSherpa(new Float32Array(16000 * 40).fill(0.01), 80, 1000);
  assert.equal(long.frames, 3000);
});
