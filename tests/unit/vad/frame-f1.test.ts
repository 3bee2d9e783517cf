import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRttm } from '../../../src/diarization/rttm.js';
import { frameF1, rasterise, turnIntervals } from '../../../src/vad/frame-f1.js';

test('rasterise uses frame centres on a 10 ms grid', () => {
  const m = rasterise([{ start: 0.02, end: 0.05 }], 0.1);
  assert.deepEqual(Array.from(m), [0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(rasterise([{ start: 0.014, end: 0.016 }], 0.05)), [0, 1, 0, 0, 0], 'centre 0.015 is inside');
  assert.deepEqual(Array.from(rasterise([{ start: 0.016, end: 0.02 }], 0.05)), [0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(rasterise([{ start: -1, end: 9 }], 0.03)), [1, 1, 1], 'clamped to the duration');
});

test('frameF1 counts hits, misses and false alarms; overlapping refs form a union', () => {
  const ref = [{ start: 0, end: 0.5 }, { start: 0.3, end: 1.0 }];
  const perfect = frameF1(ref, [{ start: 0, end: 1.0 }], 2);
  assert.equal(perfect.f1, 1);
  const s = frameF1(ref, [{ start: 0.5, end: 1.5 }], 2);
  assert.equal(s.truePositive, 50);
  assert.equal(s.falsePositive, 50);
  assert.equal(s.falseNegative, 50);
  assert.equal(s.precision, 0.5);
  assert.equal(s.recall, 0.5);
  assert.equal(s.f1, 0.5);
  assert.equal(frameF1(ref, [], 2).f1, 0);
  assert.equal(frameF1([], [], 2).f1, 1);
  assert.equal(frameF1([], [{ start: 0, end: 1 }], 2).f1, 0);
});

test('bad intervals and grids are rejected', () => {
  assert.throws(() => rasterise([{ start: 2, end: 1 }], 3), /end 1 before start 2/);
  assert.throws(() => rasterise([], 3, 0), /frameS must be > 0/);
});

test('turnIntervals turns parsed RTTM turns into speech intervals', () => {
  const r = turnIntervals(parseRttm('SPEAKER sample 1 6.690 0.430 <NA> <NA> speaker90 <NA> <NA>\n\n;; c\nSPEAKER sample 1 7.550 0.800 <NA> <NA> speaker91 <NA> <NA>\n'));
  assert.equal(r.length, 2);
  assert.equal(r[1].speaker, 'speaker91');
  assert.ok(Math.abs(r[0].end - 7.12) < 1e-9);
  assert.deepEqual(turnIntervals([]), []);
});
