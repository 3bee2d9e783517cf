import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignWords, corpusWordErrorRate, normalizeWords, wordErrorRate } from '../../../src/asr/wer.js';
import { scoreTexts } from '../../../scripts/wer.js';

test('normalization lower-cases, strips punctuation and keeps in-word apostrophes', () => {
  assert.deepEqual(normalizeWords('And so, my fellow Americans: "ask" not\u2014what\'s YOURS?'), ['and', 'so', 'my', 'fellow', 'americans', 'ask', 'not', 'what\'s', 'yours']);
  assert.deepEqual(normalizeWords("  'quoted'  "), ['quoted']);
  assert.deepEqual(normalizeWords(''), []);
});

test('WER counts substitutions, deletions and insertions', () => {
  const r = wordErrorRate('a b c d', 'a x c d e');
  assert.equal(r.substitutions, 1);
  assert.equal(r.insertions, 1);
  assert.equal(r.deletions, 0);
  assert.equal(r.errors, 2);
  assert.equal(r.wer, 0.5);
  assert.deepEqual(alignWords(['a', 'b', 'c'], ['a']), { errors: 2, substitutions: 0, deletions: 2, insertions: 0 });
  assert.equal(wordErrorRate('Hello, world!', 'hello world').wer, 0);
});

test('WER edge cases: empty reference and empty hypothesis', () => {
  assert.equal(wordErrorRate('', '').wer, 0);
  assert.equal(wordErrorRate('', 'x y').errors, 2);
  assert.equal(wordErrorRate('a b', '').wer, 1);
});

test('the jfk example scored by hand', () => {
  const ref = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
  const hyp = 'and then our my ah i and not like your brain and you are you and when you can you buy your country';
  const r = wordErrorRate(ref, hyp);
  assert.equal(r.referenceWords, 22);
  assert.equal(r.errors, 14);
});

test('corpus WER sums errors over reference words', () => {
  const r = corpusWordErrorRate([{ reference: 'a b', hypothesis: 'a' }, { reference: 'c d e f', hypothesis: 'c d e f' }]);
  assert.equal(r.errors, 1);
  assert.equal(r.referenceWords, 6);
  assert.ok(Math.abs(r.wer - 1 / 6) < 1e-12);
});

test('scripts/wer pairs sphinx-style id lines and falls back to plain text', () => {
  const ref = '<s> he was not </s> (u1)\n<s> a b </s> (u2)\n';
  const hyp = 'a c (u2)\nhe was not (u1)\n';
  const r = scoreTexts(ref, hyp);
  assert.equal(r.errors, 1);
  assert.equal(r.referenceWords, 5);
  assert.equal(scoreTexts('x y', 'x').errors, 1);
  // a hypothesis file missing an utterance counts all its words as deleted
  assert.equal(scoreTexts(ref, 'he was not (u1)\n').deletions, 2);
});
