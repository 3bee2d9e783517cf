import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { kaldiFbank, NEMO_FBANK, OnlineFbank, SHERPA_TRANSDUCER_FBANK, type FbankOptions } from '../../../src/frontend/kaldi-fbank.js';
import { jfkSamples, readF32, REPO_ROOT } from '../../helpers/asr-transducer-audio.js';

const FIX = path.join(REPO_ROOT, 'tests', 'fixtures', 'frontend');
interface RefCase { name: string; scale: number; kwargs: { high_freq?: number; snip_edges?: boolean; nemo?: boolean }; file: string; frames: number; bins: number }
const index = JSON.parse(readFileSync(path.join(FIX, 'fbank-reference.json'), 'utf8')) as { numSamples: number; cases: RefCase[] };

/**
 * Error metric: per element |a - b| / max(|b|, 1) over the log-mel values (relative error with an
 * absolute floor of 1 in log units, so values near log(1)=0 are judged absolutely). Bound 1e-4.
 */
function maxRelErr(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1));
  return m;
}

function optsFor(c: RefCase): FbankOptions {
  if (c.kwargs.nemo) return NEMO_FBANK;
  return { numBins: 80, scaleTo32768: c.scale === 32768, highFreq: c.kwargs.high_freq ?? 0, snipEdges: c.kwargs.snip_edges ?? true };
}

const audio = jfkSamples(3);

test('reference fixture matches the recording length', () => {
  assert.equal(audio.length, index.numSamples);
  assert.equal(index.cases.length, 4);
});

for (const c of index.cases) {
  test(`one-shot fbank matches torchaudio on real speech: ${c.name} (≤ 1e-4 rel)`, (t) => {
    const ref = readF32(path.join(FIX, c.file));
    const got = kaldiFbank(audio, optsFor(c));
    assert.equal(got.frames, c.frames);
    assert.equal(got.bins, c.bins);
    const err = maxRelErr(got.data, ref);
    t.diagnostic(`max rel err ${err.toExponential(2)}`);
    assert.ok(err <= 1e-4, `max rel err ${err}`);
  });

  test(`OnlineFbank in odd chunks equals the one-shot result: ${c.name}`, () => {
    const whole = kaldiFbank(audio, optsFor(c));
    const on = new OnlineFbank(optsFor(c));
    const parts: Float32Array[] = [];
    let pos = 0;
    const sizes = [1, 7, 160, 399, 401, 513, 1000, 3];
    for (let k = 0; pos < audio.length; k++) {
      const n = Math.min(sizes[k % sizes.length], audio.length - pos);
      parts.push(on.accept(audio.subarray(pos, pos + n)).data);
      pos += n;
    }
    parts.push(on.finish().data);
    const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { joined.set(p, o); o += p.length; }
    assert.equal(joined.length, whole.data.length);
    assert.deepEqual(joined, whole.data);
  });
}

test('sherpa preset names the transducer settings', () => {
  assert.equal(SHERPA_TRANSDUCER_FBANK.snipEdges, false);
  assert.equal(SHERPA_TRANSDUCER_FBANK.highFreq, -400);
  assert.equal(SHERPA_TRANSDUCER_FBANK.scaleTo32768, false);
});

test('short and empty inputs', () => {
  assert.equal(kaldiFbank(new Float32Array(0)).frames, 0);
  assert.equal(kaldiFbank(new Float32Array(399)).frames, 0);
  assert.equal(kaldiFbank(new Float32Array(400)).frames, 1);
  const s = kaldiFbank(new Float32Array(100).fill(0.1), { snipEdges: false });
  assert.equal(s.frames, 1);
  assert.ok(s.data.every((v) => Number.isFinite(v)));
  const on = new OnlineFbank({ snipEdges: false });
  assert.equal(on.finish().frames, 0);
  assert.throws(() => on.accept(new Float32Array(1)), /after finish/);
});

test('useEnergy prepends raw log energy', () => {
  const r = kaldiFbank(audio.subarray(0, 16000), { useEnergy: true });
  assert.equal(r.bins, 81);
  const plain = kaldiFbank(audio.subarray(0, 16000));
  assert.equal(r.data[81 + 1], plain.data[80]);
});

test('invalid options are rejected', () => {
  assert.throws(() => kaldiFbank(audio, { dither: 1 as 0 }), /dither/);
  assert.throws(() => kaldiFbank(audio, { numBins: 2 }), /numBins/);
  assert.throws(() => kaldiFbank(audio, { lowFreq: 9000 }), /lowFreq/);
  assert.throws(() => kaldiFbank(audio, { preemph: 2 }), /preemph/);
});

test('RealFft power spectrum equals a naive DFT; bad sizes are rejected', async () => {
  const { RealFft } = await import('../../../src/frontend/real-fft.js');
  for (const n of [8, 512]) {
    const x = Array.from({ length: n - 3 }, (_, i) => Math.sin(i * 0.37) + 0.1 * i);
    const out = new Float64Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, out);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      x.forEach((v, t) => { re += v * Math.cos((2 * Math.PI * k * t) / n); im -= v * Math.sin((2 * Math.PI * k * t) / n); });
      assert.ok(Math.abs(out[k] - (re * re + im * im)) <= 1e-9 * Math.max(1, re * re + im * im), `n=${n} k=${k}`);
    }
  }
  assert.throws(() => new RealFft(100), /power of two/);
});
