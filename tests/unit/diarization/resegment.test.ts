import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absorbShortRuns, toRuns, viterbiPath } from '../../../src/diarization/resegment.js';

const scores = (rows: number[][]): Float64Array[] => rows.map((r) => Float64Array.from(r));

test('viterbiPath: follows the best label when switching is free, smooths a blip when it is not', () => {
  // label 1 is better for one step only (by 0.3)
  const s = scores([[1, 0], [1, 0], [0.2, 0.5], [1, 0], [1, 0]]);
  assert.deepEqual(viterbiPath(s, 0), [0, 0, 1, 0, 0]);
  assert.deepEqual(viterbiPath(s, 0.2), [0, 0, 0, 0, 0], 'two switches cost 0.4 > 0.3 gained');
  assert.deepEqual(viterbiPath(s, 0.1), [0, 0, 1, 0, 0], 'two switches cost 0.2 < 0.3 gained');
});

test('viterbiPath: a sustained change switches once, at the right step, whatever the penalty', () => {
  const s = scores([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.1, 0.9], [0.2, 0.8], [0.1, 0.9]]);
  for (const p of [0, 0.5, 1]) assert.deepEqual(viterbiPath(s, p), [0, 0, 0, 1, 1, 1], `penalty ${p}`);
  // totals: label 0 = 2.8, label 1 = 3.2
  assert.deepEqual(viterbiPath(s, 5), [1, 1, 1, 1, 1, 1], 'a penalty above the gain of switching keeps the label with the larger total');
  assert.deepEqual(viterbiPath([], 1), []);
  assert.deepEqual(viterbiPath(scores([[0.1, 0.4, 0.2]]), 1), [1]);
});

test('toRuns and absorbShortRuns: short runs join their longer neighbour, equal neighbours fuse', () => {
  assert.deepEqual(toRuns([0, 0, 1, 1, 1, 0]), [
    { label: 0, first: 0, last: 1 }, { label: 1, first: 2, last: 4 }, { label: 0, first: 5, last: 5 },
  ]);
  // run of label 2 (1 step) between 0 (3 steps) and 1 (2 steps): joins 0
  const r = absorbShortRuns(toRuns([0, 0, 0, 2, 1, 1]), 10, 20);
  assert.deepEqual(r, [{ label: 0, first: 0, last: 3 }, { label: 1, first: 4, last: 5 }]);
  // a short run between two runs of the same label disappears and they fuse
  assert.deepEqual(absorbShortRuns(toRuns([0, 0, 0, 1, 0, 0, 0]), 10, 20), [{ label: 0, first: 0, last: 6 }]);
  // nothing is shorter than the minimum: unchanged; a single run is never absorbed
  assert.deepEqual(absorbShortRuns(toRuns([0, 0, 1, 1]), 10, 20).length, 2);
  assert.deepEqual(absorbShortRuns(toRuns([3]), 10, 100), [{ label: 3, first: 0, last: 0 }]);
});
