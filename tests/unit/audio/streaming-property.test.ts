/** Property: the capture chain (s16 decode -> resample -> frame) does not depend on how input is chunked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Framer } from '../../../src/audio/framer.js';
import { StreamingResampler } from '../../../src/audio/resampler.js';
import { S16Decoder } from '../../../src/audio/s16-decoder.js';

function chain(pcm: Buffer, cuts: number[], rateHz: number, channels: number): { starts: number[]; samples: number[] } {
  const dec = new S16Decoder(channels);
  const rs = rateHz === 16000 ? undefined : new StreamingResampler(rateHz, 16000);
  const fr = new Framer();
  const frames = [];
  let prev = 0;
  for (const c of [...cuts, pcm.length]) {
    const mono = dec.push(pcm.subarray(prev, c));
    frames.push(...fr.push(rs ? rs.process(mono) : mono));
    prev = c;
  }
  if (rs) frames.push(...fr.push(rs.flush()));
  frames.push(...fr.flush());
  return { starts: frames.map((f) => f.startSample), samples: frames.flatMap((f) => Array.from(f.samples)) };
}

test('any chunking of the byte stream gives identical frames (rates 8k/16k/44.1k/48k, 1-2 channels)', () => {
  const arb = fc.record({
    rateHz: fc.constantFrom(8000, 16000, 44100, 48000),
    channels: fc.constantFrom(1, 2),
    seconds: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
    cutsRaw: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 25 }),
  });
  fc.assert(
    fc.property(arb, ({ rateHz, channels, seconds, cutsRaw }) => {
      const frames = Math.round(rateHz * seconds);
      const pcm = Buffer.alloc(frames * channels * 2);
      for (let i = 0; i < frames * channels; i++) pcm.writeInt16LE(Math.round(12000 * Math.sin(i * 0.013) + 3000 * Math.sin(i * 0.41)), i * 2);
      const cuts = cutsRaw.map((u) => Math.floor(u * pcm.length)).sort((a, b) => a - b);
      const whole = chain(pcm, [], rateHz, channels);
      const parts = chain(pcm, cuts, rateHz, channels);
      assert.deepEqual(parts.starts, whole.starts);
      assert.equal(parts.samples.length, whole.samples.length);
      for (let i = 0; i < whole.samples.length; i++) if (Math.abs(parts.samples[i]! - whole.samples[i]!) > 1e-6) assert.fail(`sample ${i}`);
      assert.equal(whole.starts.length, Math.ceil(Math.ceil((frames * 16000) / rateHz) / 512));
    }),
    { numRuns: 150 },
  );
});
