import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Segmenter, type SegmenterConfig, type VadEvent, type Window } from '../../../src/vad/segmenter.js';

const W = 512;
const CFG: SegmenterConfig = { threshold: 0.5, negThreshold: 0.35, minSpeechMs: 250, minSilenceMs: 300, speechPadMs: 64, maxSegmentMs: 30000, sampleRateHz: 16000 };

/** Windows whose sample values equal their absolute sample index (checks audio placement). */
function windows(fromWindow: number, n: number, offset = 0): Window[] {
  return Array.from({ length: n }, (_, k) => {
    const startSample = (fromWindow + k) * W + offset;
    return { startSample, samples: Float32Array.from({ length: W }, (_, j) => startSample + j) };
  });
}

function run(probs: number[], cfg: Partial<SegmenterConfig> = {}, flush = true): VadEvent[] {
  const s = new Segmenter({ ...CFG, ...cfg }, () => 42);
  const ev = s.push(windows(0, probs.length), probs);
  return flush ? [...ev, ...s.flush()] : ev;
}

const seq = (...parts: [number, number][]): number[] => parts.flatMap(([p, n]) => Array(n).fill(p));
const ends = (ev: VadEvent[]) => ev.filter((e): e is Extract<VadEvent, { type: 'speech_end' }> => e.type === 'speech_end').map((e) => e.segment);

function assertAudio(seg: { startSample: number; endSample: number; samples: Float32Array }): void {
  assert.equal(seg.samples.length, seg.endSample - seg.startSample);
  for (let i = 0; i < seg.samples.length; i += 97) assert.equal(seg.samples[i], seg.startSample + i);
}

test('silence only gives no events', () => {
  assert.deepEqual(run(seq([0.1, 100])), []);
});

test('one utterance: start after min_speech, end after the min_silence hangover, padded both sides', () => {
  const s = new Segmenter(CFG, () => 42);
  const probs = seq([0.05, 10], [0.9, 20], [0.05, 30]);
  const w = windows(0, probs.length);
  const events: [number, VadEvent][] = [];
  for (let i = 0; i < w.length; i++) for (const e of s.push([w[i]], [probs[i]])) events.push([i, e]);
  assert.equal(events.length, 2);
  const [[iStart, start], [iEnd, end]] = events;
  assert.deepEqual(start, { type: 'speech_start', startSample: 10 * W - 1024 });
  assert.equal(iStart, 17, 'confirmed once 250 ms (8 windows) of speech were seen');
  assert.equal(iEnd, 39, 'closed once the silence since window 30 reached 300 ms');
  assert.equal(end.type, 'speech_end');
  const seg = (end as Extract<VadEvent, { type: 'speech_end' }>).segment;
  assert.equal(seg.startSample, 10 * W - 1024);
  assert.equal(seg.endSample, 30 * W + 1024);
  assert.equal(seg.closeReason, 'silence');
  assert.equal(seg.closedAtMonoMs, 42);
  assertAudio(seg);
  assert.deepEqual(s.flush(), []);
});

test('bursts shorter than min_speech are discarded without any event', () => {
  assert.deepEqual(run(seq([0.1, 10], [0.9, 5], [0.1, 30], [0.9, 3], [0.1, 30])), []);
  assert.deepEqual(run(seq([0.1, 10], [0.9, 5])), [], 'also at end of input');
});

test('hysteresis: values between neg_threshold and threshold neither start nor end speech', () => {
  assert.deepEqual(run(seq([0.45, 50])), []);
  const ev = run(seq([0.1, 5], [0.9, 10], [0.45, 40], [0.1, 20]));
  const segs = ends(ev);
  assert.equal(segs.length, 1);
  assert.equal(segs[0].endSample, 55 * W + 1024, 'speech continued through the 0.45 windows');
});

test('a pause shorter than min_silence does not split; a longer one does', () => {
  const one = ends(run(seq([0.1, 5], [0.9, 10], [0.1, 8], [0.9, 10], [0.1, 20])));
  assert.equal(one.length, 1);
  const two = ends(run(seq([0.1, 5], [0.9, 10], [0.1, 12], [0.9, 10], [0.1, 20])));
  assert.equal(two.length, 2);
  assert.ok(two[1].startSample >= two[0].endSample, 'pre-roll never reaches into the previous segment');
  assert.equal(two[1].startSample, 27 * W - 1024);
  two.forEach(assertAudio);
  // Padding longer than the pause: the second pre-roll stops at the first segment's end.
  const close = ends(run(seq([0.1, 5], [0.9, 10], [0.1, 5], [0.9, 10], [0.1, 20]), { minSilenceMs: 100, speechPadMs: 200 }));
  assert.equal(close.length, 2);
  assert.equal(close[0].endSample, 15 * W + 4 * W, 'post padding clamped to the audio received at close time');
  assert.equal(close[1].startSample, close[0].endSample);
  close.forEach(assertAudio);
});

test('max_segment_ms splits at the lowest-probability window of the second half', () => {
  const probs = seq([0.1, 5], [0.95, 40], [0.1, 15]);
  probs[5 + 20] = 0.6; // first half: not eligible
  probs[5 + 27] = 0.52; // lowest in the second half
  const ev = run(probs, { maxSegmentMs: 1000 });
  assert.deepEqual(ev.map((e) => e.type), ['speech_start', 'speech_end', 'speech_start', 'speech_end']);
  const [a, b] = ends(ev);
  assert.equal(a.closeReason, 'max_length');
  assert.equal(a.startSample, 5 * W - 1024);
  assert.equal(a.endSample, 32 * W);
  assert.ok(a.endSample - a.startSample <= 16000);
  assert.equal(b.startSample, 32 * W);
  assert.equal(b.closeReason, 'silence');
  assertAudio(a);
  assertAudio(b);
});

test('a gap in the sample clock closes the open segment and clears the pre-roll', () => {
  const s = new Segmenter(CFG, () => 1);
  const ev = s.push(windows(0, 20), seq([0.1, 5], [0.9, 15]));
  const after = s.push(windows(100, 20), seq([0.9, 20]));
  const segs = ends([...ev, ...after]);
  assert.equal(segs.length, 1);
  assert.equal(segs[0].closeReason, 'end_of_input');
  assert.equal(segs[0].endSample, 20 * W);
  const rest = ends(s.flush());
  assert.equal(rest[0].startSample, 100 * W, 'no pre-roll across the gap');
  assertAudio(rest[0]);
});

test('flush closes an open confirmed segment at the end of the input', () => {
  const segs = ends(run(seq([0.1, 5], [0.9, 20])));
  assert.equal(segs.length, 1);
  assert.equal(segs[0].closeReason, 'end_of_input');
  assert.equal(segs[0].endSample, 25 * W);
});

test('zero padding and zero min_speech work', () => {
  const segs = ends(run(seq([0.1, 5], [0.9, 1], [0.1, 20]), { speechPadMs: 0, minSpeechMs: 0 }));
  assert.equal(segs.length, 1);
  assert.deepEqual([segs[0].startSample, segs[0].endSample], [5 * W, 6 * W]);
});

test('bad input is rejected', () => {
  assert.throws(() => new Segmenter({ ...CFG, negThreshold: 0.6 }), /negThreshold must be below threshold/);
  assert.throws(() => new Segmenter(CFG).push(windows(0, 2), [0.1]), /2 windows but 1 probabilities/);
});

test('property: events alternate, segments are ordered, bounded, non-overlapping and carry their audio', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.constant(0.02), fc.constant(0.4), fc.constant(0.97), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 400 }),
    fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1000, max: 3000 }),
    fc.integer({ min: 1, max: 7 }),
    (probs, minSpeechMs, minSilenceMs, speechPadMs, maxSegmentMs, batch) => {
      const s = new Segmenter({ ...CFG, minSpeechMs, minSilenceMs, speechPadMs, maxSegmentMs }, () => 0);
      const w = windows(0, probs.length);
      const ev: VadEvent[] = [];
      for (let i = 0; i < w.length; i += batch) ev.push(...s.push(w.slice(i, i + batch), probs.slice(i, i + batch)));
      ev.push(...s.flush());
      let open: number | undefined;
      let lastEnd = 0;
      for (const e of ev) {
        if (e.type === 'speech_start') {
          assert.equal(open, undefined);
          open = e.startSample;
        } else {
          assert.equal(e.segment.startSample, open);
          open = undefined;
          assert.ok(e.segment.startSample >= lastEnd);
          assert.ok(e.segment.endSample > e.segment.startSample);
          assert.ok(e.segment.endSample - e.segment.startSample <= Math.round(maxSegmentMs * 16));
          assert.ok(e.segment.endSample <= probs.length * W);
          assertAudio(e.segment);
          lastEnd = e.segment.endSample;
        }
      }
      assert.equal(open, undefined);
    },
  ), { numRuns: 300 });
});

test('a forced split confirms a not-yet-confirmed segment (min_speech longer than max_segment)', () => {
  const s = new Segmenter({ ...CFG, minSpeechMs: 5000, maxSegmentMs: 1000 }, () => 0);
  assert.equal(s.active, false);
  const ev = s.push(windows(0, 40), seq([0.1, 2], [0.9, 38]));
  assert.equal(s.active, true);
  assert.deepEqual(ev.map((e) => e.type), ['speech_start', 'speech_end', 'speech_start']);
  assert.equal(ends(ev)[0].closeReason, 'max_length');
  const rest = ends(s.flush());
  assert.equal(rest.length, 1);
  assert.equal(rest[0].endSample, 40 * W);
  assert.equal(s.active, false);
});
