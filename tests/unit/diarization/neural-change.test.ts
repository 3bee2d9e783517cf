import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickPeaks } from '../../../src/diarization/change-points.js';
import { activityCuts, similarityCuts } from '../../../src/diarization/neural-change.js';

const g = { shift: 270, size: 991 };

/** Activity matrix (frames x 3 speakers) from a per-frame list of active speakers. */
function activity(perFrame: number[][]): Uint8Array {
  const a = new Uint8Array(perFrame.length * 3);
  perFrame.forEach((on, t) => {
    for (const s of on) a[t * 3 + s] = 1;
  });
  return a;
}
const rep = (n: number, on: number[]): number[][] => Array.from({ length: n }, () => on);

test('activityCuts: one cut at the first frame of the new speaker; silence and overlap keep the previous label', () => {
  // 100 frames of speaker 0, 10 silent, 20 overlapped (0+1), 100 frames of speaker 1
  const frames = [...rep(100, [0]), ...rep(10, []), ...rep(20, [0, 1]), ...rep(100, [1])];
  const cuts = activityCuts(activity(frames), frames.length, 3, g, 16000, 230 * 270 + 991);
  assert.deepEqual(cuts, [Math.round(130 * 270 + 991 / 2)]);
});

test('activityCuts: a blip shorter than the minimum piece is absorbed; leading silence belongs to the first voice', () => {
  const frames = [...rep(30, []), ...rep(100, [2]), ...rep(20, [1]), ...rep(100, [2])];
  assert.deepEqual(activityCuts(activity(frames), frames.length, 3, g, 16000, 250 * 270 + 991), []);
  assert.deepEqual(activityCuts(activity(rep(50, [])), 50, 3, g, 16000, 50 * 270), [], 'nobody speaks: no cuts');
  // the same blip becomes a piece of its own when the minimum allows it
  const cuts = activityCuts(activity(frames), frames.length, 3, g, 20 * 270, 250 * 270 + 991);
  assert.equal(cuts.length, 2);
});

test('activityCuts: cuts too close to the window edges are dropped', () => {
  const frames = [...rep(20, [0]), ...rep(200, [1])];
  assert.deepEqual(activityCuts(activity(frames), frames.length, 3, g, 16000, 220 * 270 + 991), [], 'first piece would be shorter than 1 s');
});

test('similarityCuts: the boundary where the window before and the window after disagree', () => {
  const a = Float64Array.from([1, 0]);
  const b = Float64Array.from([0, 1]);
  // windows 2 s long every 0.5 s (lag 4): voice a for windows 0..7, then b
  const units = [...Array.from({ length: 8 }, () => a), ...Array.from({ length: 12 }, () => b)];
  const cuts = similarityCuts(units, 8000, 32000, 0.5, 16000, 20 * 8000 + 32000);
  // candidate at window k+4 compares window k (ends at the boundary) and k+4; all of [4..8) x b windows peak with the same score; the first peak wins
  assert.equal(cuts.length, 1);
  assert.ok(cuts[0] >= 8 * 8000 && cuts[0] <= 11 * 8000, String(cuts));
  assert.deepEqual(similarityCuts(units.map(() => a), 8000, 32000, 0.5, 16000, 20 * 8000 + 32000), [], 'one voice: no cuts');
  assert.deepEqual(similarityCuts([], 8000, 32000, 0.5, 16000, 0), []);
});

test('pickPeaks keeps the strongest local maxima at least minSpacing apart and from the ends', () => {
  const c = [0.1, 0.9, 0.2, 0.8, 0.85, 0.1, 0.95].map((score, i) => ({ t: (i + 1) * 10, score }));
  // peaks: 20 (0.9), 50 (0.85), 70 (0.95); 40 (0.8) is not a local maximum
  assert.deepEqual(pickPeaks(c, 0.5, 15, 100), [20, 50, 70]);
  // 70 first; 20 is closer than 25 to the start, 50 closer than 25 to 70
  assert.deepEqual(pickPeaks(c, 0.5, 25, 100), [70]);
  assert.deepEqual(pickPeaks(c, 0.5, 25, 90), [50], 'in a 90-long span 70 is too close to the end, so 50 is free');
  assert.deepEqual(pickPeaks(c, 0.99, 5, 100), []);
});
