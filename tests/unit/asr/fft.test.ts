import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fft } from '../../../src/asr/fft.js';

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      re[k] += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
      im[k] -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
    }
  }
  return { re, im };
}

test('matches a naive DFT for sizes 1, 2, 8, 12, 400, 512', () => {
  for (const n of [1, 2, 8, 12, 400, 512]) {
    const x = new Float64Array(n).map((_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.9) + (i % 7) * 0.01);
    const fft = new Fft(n);
    const got = fft.transform(x, new Float64Array(n));
    const want = naiveDft(x);
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(got.re[k]! - want.re[k]!) < 1e-9 * n, `n=${n} re[${k}]`);
      assert.ok(Math.abs(got.im[k]! - want.im[k]!) < 1e-9 * n, `n=${n} im[${k}]`);
    }
    const ps = fft.powerSpectrum(x, new Float64Array(Math.floor(n / 2) + 1));
    assert.ok(Math.abs(ps[0]! - want.re[0]! ** 2) < 1e-6 * n * n);
  }
});

test('rejects sizes with prime factors above 5', () => {
  assert.throws(() => new Fft(7), RangeError);
  assert.throws(() => new Fft(0), RangeError);
});
