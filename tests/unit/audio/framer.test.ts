import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer } from '../../../src/audio/framer.js';
import { FrameQueue, framesForMs } from '../../../src/audio/frame-queue.js';
import type { AudioFrame, AudioGap } from '../../../src/audio/types.js';

function ramp(from: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (from + i) / 100000);
}

test('arbitrary chunk sizes become contiguous 512-sample frames with exact content', () => {
  const f = new Framer();
  const frames: AudioFrame[] = [];
  let pos = 0;
  for (const len of [1, 511, 0, 1000, 37, 2000, 3]) {
    frames.push(...f.push(ramp(pos, len)));
    pos += len;
  }
  assert.equal(frames.length, Math.floor(pos / 512));
  frames.forEach((fr, k) => {
    assert.equal(fr.startSample, k * 512);
    assert.equal(fr.samples.length, 512);
    assert.equal(fr.samples[0], Math.fround((k * 512) / 100000));
    assert.equal(fr.samples[511], Math.fround((k * 512 + 511) / 100000));
  });
  assert.equal(f.clockSamples, pos);
  const last = f.flush();
  assert.equal(last.length, 1);
  assert.equal(last[0]!.startSample, frames.length * 512);
  assert.equal(last[0]!.samples[(pos % 512) - 1], Math.fround((pos - 1) / 100000));
  assert.equal(last[0]!.samples[511], 0);
  assert.deepEqual(f.flush(), []);
});

test('frames are independent buffers (not overwritten by later pushes)', () => {
  const f = new Framer();
  const a = f.push(new Float32Array(512).fill(1))[0]!;
  f.push(new Float32Array(512).fill(2));
  assert.equal(a.samples[0], 1);
});

test('gap inside a partial frame zero-fills it and advances the clock by the rest', () => {
  const f = new Framer();
  f.push(new Float32Array(100).fill(0.5));
  const out = f.gap(1000); // 412 zeros complete the frame, then 588 samples skipped
  assert.equal(out.length, 1);
  assert.equal(out[0]!.startSample, 0);
  assert.equal(out[0]!.samples[99], 0.5);
  assert.equal(out[0]!.samples[100], 0);
  assert.equal(f.clockSamples, 1100);
  const next = f.push(new Float32Array(512).fill(0.25));
  assert.equal(next[0]!.startSample, 1100);
});

test('short gap stays inside the partial frame; gap on a frame boundary just moves the clock', () => {
  const f = new Framer();
  f.push(new Float32Array(100));
  assert.deepEqual(f.gap(50), []);
  assert.equal(f.clockSamples, 150);
  assert.equal(f.push(new Float32Array(362))[0]!.startSample, 0);
  assert.deepEqual(f.gap(16000), []);
  assert.equal(f.clockSamples, 512 + 16000);
  assert.equal(f.push(new Float32Array(512))[0]!.startSample, 16512);
});

test('framesForMs', () => {
  assert.equal(framesForMs(32), 1);
  assert.equal(framesForMs(30000), 938);
  assert.equal(framesForMs(0), 1);
});

test('queue drops the oldest frames when full, counts them and reports one gap per run', async () => {
  const gaps: AudioGap[] = [];
  const q = new FrameQueue(3, (g) => gaps.push(g));
  for (let k = 0; k < 10; k++) q.push({ samples: new Float32Array(512), startSample: k * 512 });
  assert.equal(q.length, 3);
  assert.equal(q.dropped, 7);
  q.end();
  const got: number[] = [];
  for await (const fr of q.drain(new AbortController().signal)) got.push(fr.startSample);
  assert.deepEqual(got, [7 * 512, 8 * 512, 9 * 512]);
  assert.deepEqual(gaps, [{ startSample: 0, durationMs: 7 * 32, reason: 'buffer-overflow' }]);
});

test('drain waits for frames, ends on end(), throws on fail(), returns on abort', async () => {
  const q = new FrameQueue(10);
  const seen: number[] = [];
  const done = (async () => {
    for await (const fr of q.drain(new AbortController().signal)) seen.push(fr.startSample);
  })();
  q.push({ samples: new Float32Array(512), startSample: 0 });
  await new Promise((r) => setTimeout(r, 5));
  q.push({ samples: new Float32Array(512), startSample: 512 });
  q.end();
  await done;
  assert.deepEqual(seen, [0, 512]);

  const q2 = new FrameQueue(10);
  q2.fail(new Error('boom'));
  await assert.rejects(async () => {
    for await (const _ of q2.drain(new AbortController().signal)) void _;
  }, /boom/);

  const q3 = new FrameQueue(10);
  const ac = new AbortController();
  const p = (async () => {
    let n = 0;
    for await (const _ of q3.drain(ac.signal)) n++;
    return n;
  })();
  setTimeout(() => ac.abort(), 10);
  assert.equal(await p, 0);
});
