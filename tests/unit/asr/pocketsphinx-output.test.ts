import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSphinxOutput } from '../../../src/asr/pocketsphinx-output.js';
import { AppError } from '../../../src/util/errors.js';

const SAMPLE = `and then our
<s> 0.000 0.040 0.998900
and 0.050 0.160 0.032758
then 0.170 0.670 0.213530
our(3) 0.680 0.980 0.207841
</s> 2.310 2.440 1.000000
and not
<s> 3.170 3.280 1.000300
and(2) 3.290 3.730 0.985603
<sil> 3.740 3.980 0.828680
[NOISE] 3.980 3.990 0.5
not 3.990 4.300 0.817730
</s> 4.310 4.760 1.000000
`;

test('dictation output: text joined, fillers dropped, alternate pronunciations stripped', () => {
  const r = parseSphinxOutput(SAMPLE);
  assert.equal(r.text, 'and then our and not');
  assert.equal(r.utterances.length, 2);
  assert.deepEqual(r.words.map((w) => w.word), ['and', 'then', 'our', 'and', 'not']);
  assert.deepEqual(r.words[2], { word: 'our', startMs: 680, endMs: 980, confidence: 0.207841 });
  const mean = (0.032758 + 0.21353 + 0.207841 + 0.985603 + 0.81773) / 5;
  assert.ok(Math.abs(r.confidence! - mean) < 1e-9);
});

test('keyphrase output: a multi-word phrase is one word entry', () => {
  const r = parseSphinxOutput('your country \nyour country  5.570 6.430 0.853749\n');
  assert.equal(r.text, 'your country');
  assert.deepEqual(r.words, [{ word: 'your country', startMs: 5570, endMs: 6430, confidence: 0.853749 }]);
});

test('grammar output: (NULL) segments are skipped', () => {
  const r = parseSphinxOutput('can do for you\ncan(2) 0.000 0.260 1.000000\n(NULL) 0.260 0.260 1.000000\nfor(2) 1.250 1.310 1.000000\n');
  assert.equal(r.text, 'can do for you');
  assert.deepEqual(r.words.map((w) => w.word), ['can', 'for']);
});

test('empty output is no speech; posteriors above 1 are clamped', () => {
  const e = parseSphinxOutput('\n\n');
  assert.equal(e.text, '');
  assert.equal(e.confidence, null);
  assert.equal(parseSphinxOutput('yes\nyes 0.1 0.2 1.0003\n').words[0]!.confidence, 1);
});

test('malformed output is a typed ASR_ENGINE error', () => {
  const bad = [
    'and 0.050 0.160 0.03\n', // timing before any hypothesis
    'hello\nand 0.050\n', // truncated timing line
    'hello\nand 0.500 0.100 0.5\n', // end before start
    'hello\nand 0.1 0.2 -0.5\n', // negative posterior
    'hel\u0000lo\n', // binary garbage
    'hello\nand 0.1 0.2 0.5 0.7\n', // extra column
  ];
  for (const s of bad) {
    assert.throws(() => parseSphinxOutput(s), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE', JSON.stringify(s));
  }
});
