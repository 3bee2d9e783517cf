import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDer, turnsFromSegments } from '../../../src/diarization/der.js';
import { maxWeightAssignment } from '../../../src/diarization/hungarian.js';
import { parseRttm, RttmFormatError, writeRttm, type Turn } from '../../../src/diarization/rttm.js';

const T = (startS: number, durationS: number, speaker: string): Turn => ({ file: 'f', startS, durationS, speaker });
const near = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('perfect hypothesis with renamed speakers scores 0', () => {
  const ref = [T(0, 2, 'a'), T(2, 3, 'b'), T(5, 1, 'a')];
  const hyp = [T(0, 2, 'x'), T(2, 3, 'y'), T(5, 1, 'x')];
  const r = computeDer(ref, hyp);
  assert.equal(r.der, 0);
  assert.deepEqual(r.mapping, { a: 'x', b: 'y' });
});

test('missed, false alarm and confusion are computed per speaker with overlap', () => {
  // ref: a 0-4, b 2-6 (overlap 2-4). hyp: x 0-5 only.
  const r = computeDer([T(0, 4, 'a'), T(2, 4, 'b')], [T(0, 5, 'x')]);
  near(r.scoredSpeakerS, 8);
  near(r.missedS, 2 + 1); // 2-4 one speaker missing, 5-6 b missed
  near(r.falseAlarmS, 0);
  near(r.confusionS, 1); // 4-5 b talks, hyp says x (mapped to a)
  near(r.der, 4 / 8);
});

test('false alarm outside reference speech inside the evaluation range', () => {
  const r = computeDer([T(0, 1, 'a'), T(3, 1, 'a')], [T(0, 4, 'x')]);
  near(r.falseAlarmS, 2);
  near(r.der, 1);
});

test('optimal mapping is one-to-one (Hungarian beats greedy)', () => {
  // greedy would map a->x (3) then b->? ; optimal a->y (2), b->x (2.5) total 4.5 > 3 + 0
  const ref = [T(0, 3, 'a'), T(3, 2, 'a'), T(5, 2.5, 'b')];
  const hyp = [T(0, 3, 'x'), T(3, 2, 'y'), T(5, 2.5, 'x')];
  const r = computeDer(ref, hyp);
  assert.deepEqual(r.mapping, { a: 'y', b: 'x' });
  const m = maxWeightAssignment([[3, 2], [2.5, 0]]);
  assert.deepEqual(m, [1, 0]);
});

test('collar removes +/- collar around every reference boundary', () => {
  const ref = [T(0, 2, 'a'), T(2, 2, 'b')];
  const hyp = [T(0, 2.2, 'x'), T(2.2, 1.8, 'y')];
  near(computeDer(ref, hyp).confusionS, 0.2);
  near(computeDer(ref, hyp, { collarS: 0.25 }).der, 0);
  near(computeDer(ref, hyp, { collarS: 0.25 }).scoredSpeakerS, 4 - 0.25 - 0.5 - 0.25);
});

test('skipOverlap scores single-speaker regions only', () => {
  const r = computeDer([T(0, 4, 'a'), T(2, 4, 'b')], [T(0, 6, 'x')], { skipOverlap: true });
  near(r.scoredSpeakerS, 4);
});

test('hungarian handles more columns than rows and zero gain', () => {
  assert.deepEqual(maxWeightAssignment([[0, 5, 1]]), [1]);
  assert.deepEqual(maxWeightAssignment([[0, 0]]), [-1]);
  assert.deepEqual(maxWeightAssignment([]), []);
});

test('RTTM round trip and skipping of other record types and comments', () => {
  const text = ';; comment\nSPKR-INFO f 1 <NA> <NA> <NA> unknown a <NA>\nSPEAKER f 1 0.500 1.250 <NA> <NA> a <NA> <NA>\n\nSPEAKER f 1 2 1 <NA> <NA> b <NA>\n';
  const t = parseRttm(text);
  assert.deepEqual(t, [T(0.5, 1.25, 'a'), T(2, 1, 'b')]);
  assert.deepEqual(parseRttm(writeRttm(t)), t);
});

test('malformed RTTM lines are typed errors with the line number', () => {
  const bad = [
    'SPEAKER f 1 0.5',
    'SPEAKER f 1 abc 1 <NA> <NA> a <NA> <NA>',
    'SPEAKER f 1 -1 1 <NA> <NA> a <NA> <NA>',
    'SPEAKER f 1 1 -2 <NA> <NA> a <NA> <NA>',
    'SPEAKER f 1 1 NaN <NA> <NA> a <NA> <NA>',
    'SPEAKER f 1 1 1 <NA> <NA> <NA> <NA> <NA>',
    'speaker f 1 1 1 <NA> <NA> a',
    '\u0000\u0001garbage',
  ];
  for (const line of bad) {
    assert.throws(() => parseRttm(`;; ok\n${line}\n`), (e: unknown) => e instanceof RttmFormatError && e.line === 2 && e.code === 'DIARIZATION', line);
  }
});

test('turnsFromSegments merges touching same-speaker segments', () => {
  const t = turnsFromSegments('s', [{ startMs: 1000, endMs: 2000, speaker: 'a' }, { startMs: 0, endMs: 1000, speaker: 'a' }, { startMs: 2500, endMs: 3000, speaker: 'b' }]);
  assert.deepEqual(t, [{ file: 's', startS: 0, durationS: 2, speaker: 'a' }, { file: 's', startS: 2.5, durationS: 0.5, speaker: 'b' }]);
});
