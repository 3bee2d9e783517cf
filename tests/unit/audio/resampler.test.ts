import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingResampler, resample } from '../../../src/audio/resampler.js';

function sine(n: number, freqHz: number, rateHz: number, amp = 0.5): Float32Array {
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = amp * Math.sin((2 * Math.PI * freqHz * i) / rateHz);
  return s;
}

/** Amplitude of the component at freqHz (least-squares fit of sin+cos over the window). */
function toneAmplitude(x: Float32Array, freqHz: number, rateHz: number, from: number, to: number): number {
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    const ph = (2 * Math.PI * freqHz * i) / rateHz;
    re += x[i]! * Math.cos(ph);
    im += x[i]! * Math.sin(ph);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

for (const fromHz of [8000, 22050, 44100, 48000, 11025, 32000]) {
  test(`${fromHz} Hz -> 16 kHz keeps a 1 kHz sine's amplitude and frequency`, () => {
    const n = fromHz; // 1 s
    const out = resample(sine(n, 1000, fromHz), fromHz, 16000);
    assert.equal(out.length, Math.ceil((n * 16000) / fromHz));
    // Skip the edges (zero padding before/after the signal).
    const a = toneAmplitude(out, 1000, 16000, 800, 15200);
    assert.ok(Math.abs(a - 0.5) < 0.005, `amplitude ${a}`);
    // Residual after removing the 1 kHz component is tiny: the frequency is preserved.
    const ref = sine(out.length, 1000, 16000);
    const err = new Float32Array(out.length);
    for (let i = 0; i < out.length; i++) err[i] = out[i]! - ref[i]!;
    assert.ok(rms(err, 800, 15200) < 0.003, `residual rms ${rms(err, 800, 15200)}`);
  });
}

test('48 kHz -> 16 kHz: a 12 kHz tone (above the new Nyquist) is suppressed, not aliased to 4 kHz', () => {
  const out = resample(sine(48000, 12000, 48000), 48000, 16000);
  const alias = toneAmplitude(out, 4000, 16000, 800, 15200);
  assert.ok(alias < 0.5 * 1e-3, `alias amplitude ${alias}`);
});

test('DC gain is exactly 1 for table and non-table ratios', () => {
  for (const fromHz of [48000, 44101]) {
    const out = resample(new Float32Array(fromHz).fill(0.25), fromHz, 16000);
    for (let i = 1000; i < 15000; i += 997) assert.ok(Math.abs(out[i]! - 0.25) < 1e-5, `${fromHz}: ${out[i]}`);
  }
});

test('chunked processing equals one-shot exactly (random chunk sizes)', () => {
  for (const fromHz of [44100, 48000, 8000, 22050, 44101]) {
    const x = sine(fromHz / 2, 440, fromHz);
    for (let i = 0; i < x.length; i++) x[i]! += 0.1 * Math.sin(i * 0.37);
    const whole = resample(x, fromHz, 16000);
    const r = new StreamingResampler(fromHz, 16000);
    const parts: Float32Array[] = [];
    let seed = 12345;
    for (let off = 0; off < x.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const len = 1 + (seed % 3000);
      parts.push(r.process(x.subarray(off, off + len)));
      off += len;
    }
    parts.push(r.flush());
    const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    assert.equal(joined.length, whole.length, `${fromHz} length`);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(joined[i]! - whole[i]!));
    assert.ok(maxDiff < 1e-6, `${fromHz}: max diff ${maxDiff}`);
  }
});

test('identity rate passes samples through; empty input gives empty output', () => {
  const x = new Float32Array([0.1, -0.2, 0.3]);
  assert.deepEqual(Array.from(resample(x, 16000, 16000)), Array.from(x));
  assert.equal(resample(new Float32Array(0), 48000, 16000).length, 0);
});

test('no time shift: an impulse at input t lands at output t * 16000/fromHz', () => {
  const x = new Float32Array(4800);
  x[2400] = 1;
  const out = resample(x, 48000, 16000);
  let best = 0;
  for (let i = 0; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[best]!)) best = i;
  assert.equal(best, 800);
});

test('reset() and invalid rates', () => {
  const r = new StreamingResampler(48000, 16000);
  r.process(new Float32Array(1000).fill(1));
  r.flush();
  assert.throws(() => r.process(new Float32Array(1)), /flushed/);
  r.reset();
  const a = r.process(new Float32Array(3000));
  assert.ok(a.length > 0);
  assert.throws(() => new StreamingResampler(0, 16000), RangeError);
  assert.throws(() => new StreamingResampler(44100.5, 16000), RangeError);
});
