import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioGate, compressionRatio, GuardedRecognizer, maxRepeatedNgram, rmsDbfs, spectralFlatness, textGate } from '../../../src/asr/guards.js';
import type { OfflineRecognizer, RecognitionResult } from '../../../src/asr/recognizer.js';
import { silentLogger } from '../../../src/util/logger.js';
import { asrConfig } from '../../helpers/asr-config.js';
import { jfk, librivoxSet, readWavMono16, silence, whiteNoise } from '../../helpers/asr-eval.js';

const g = asrConfig().guards;

test('RMS level: silence is -Infinity dBFS, a full-scale square wave 0 dBFS', () => {
  assert.equal(rmsDbfs(silence(1)), -Infinity);
  assert.equal(rmsDbfs(new Float32Array(0)), -Infinity);
  assert.ok(Math.abs(rmsDbfs(new Float32Array(100).fill(1))) < 1e-9);
});

test('spectral flatness separates real speech from white noise', () => {
  const speech = [jfk().samples, ...librivoxSet().map((u) => readWavMono16(u.wav).samples)];
  for (const s of speech) assert.ok(spectralFlatness(s) < 0.1, `speech flatness ${spectralFlatness(s)}`);
  for (const amp of [0.3, 0.01, 0.001]) {
    const f = spectralFlatness(whiteNoise(2, amp));
    assert.ok(f > 0.45 && f < 0.7, `white noise flatness ${f}`);
  }
  assert.equal(spectralFlatness(new Float32Array(100)), 0);
});

test('audio gate: silence and white noise rejected, real speech passes; disabled passes everything', () => {
  assert.deepEqual(audioGate(silence(2), g).ok, false);
  const quiet = audioGate(whiteNoise(2, 0.001), g);
  assert.ok(!quiet.ok && quiet.reason === 'silence');
  const loud = audioGate(whiteNoise(2, 0.3), g);
  assert.ok(!loud.ok && loud.reason === 'noise');
  assert.ok(audioGate(jfk().samples, g).ok);
  assert.ok(audioGate(silence(2), { ...g, enabled: false }).ok);
});

test('compression ratio equals Python zlib on sentences and loops, and flags loops', () => {
  // CPython 3.11 len(s) / len(zlib.compress(s)); Node's zlib (Chromium fork) differs by a few
  // bytes only on very short strings (22/30 vs 22/27 for 'the cat sat on the mat').
  assert.ok(Math.abs(compressionRatio('thank you for watching. '.repeat(10)) - 6.857142857142857) < 1e-12);
  const jfkRef = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country';
  assert.ok(Math.abs(compressionRatio(jfkRef) - 1.4246575342465753) < 1e-12);
  assert.equal(compressionRatio(''), 0);
  assert.ok(compressionRatio('thank you for watching. '.repeat(10)) > 2.4);
});

test('repeated n-grams are counted back to back', () => {
  assert.equal(maxRepeatedNgram([]), 0);
  assert.equal(maxRepeatedNgram('a b c'.split(' ')), 1);
  assert.equal(maxRepeatedNgram('no no no'.split(' ')), 3);
  assert.equal(maxRepeatedNgram('x go to sleep go to sleep go to sleep y'.split(' ')), 3);
});

test('text gate: loops, too many words per second and repetitions are rejected', () => {
  assert.ok(textGate('and so my fellow americans ask not what your country can do for you', 11000, g).ok);
  const loop = textGate('thank you for watching. '.repeat(10), 20000, g);
  assert.ok(!loop.ok && loop.reason === 'compression_ratio');
  const fast = textGate('one two three four five six seven eight nine ten eleven', 1000, g);
  assert.ok(!fast.ok && fast.reason === 'tokens_per_second');
  // short segments are measured over at least 1 s: three words in 0.3 s pass
  assert.ok(textGate('turn it on', 300, g).ok);
  const rep = textGate('no no no no no no', 5000, g);
  assert.ok(!rep.ok && rep.reason === 'repetition', JSON.stringify(rep));
  assert.ok(textGate('no no no no no no', 5000, { ...g, enabled: false }).ok);
  // engine-specific token counts and limits
  assert.ok(!textGate('hello', 1000, g, 30, 20).ok);
});

/** A scripted inner recognizer: stands in for an engine's hallucination on this path only. */
function scripted(text: string): OfflineRecognizer & { calls: number } {
  return {
    engine: 'scripted', model: 'm', calls: 0,
    async recognize(): Promise<RecognitionResult> {
      this.calls++;
      return { text, confidence: 0.9, words: [], engine: 'scripted', model: 'm' };
    },
    async close() { /* nothing */ },
  };
}

test('GuardedRecognizer: never decodes silence/noise and drops hallucinated text', async () => {
  const inner = scripted('thank you. thank you. thank you. thank you. thank you. thank you.');
  const rec = new GuardedRecognizer(inner, g, silentLogger().root);
  assert.equal(rec.engine, 'scripted');
  assert.equal(await rec.recognize(silence(1)), null);
  assert.equal(await rec.recognize(whiteNoise(1)), null);
  assert.equal(inner.calls, 0);
  assert.equal(await rec.recognize(jfk().samples), null);
  assert.equal(inner.calls, 1);
  const ok = new GuardedRecognizer(scripted('ask not what your country can do for you'), g, silentLogger().root);
  assert.equal((await ok.recognize(jfk().samples))?.text, 'ask not what your country can do for you');
});
