/**
 * PocketSphinx on real speech (jfk.wav and the LibriVox utterances of Debian's
 * pocketsphinx-testdata) through the real decoder binary.
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PocketsphinxRecognizer } from '../../../src/asr/pocketsphinx-recognizer.js';
import { corpusWordErrorRate, wordErrorRate } from '../../../src/asr/wer.js';
import { AppError } from '../../../src/util/errors.js';
import { asrConfig } from '../../helpers/asr-config.js';
import { jfk, librivoxSet, readWavMono16 } from '../../helpers/asr-eval.js';

const ps = asrConfig().pocketsphinx;

test('jfk.wav: dictation WER <= 55% with word times and confidence', async () => {
  const rec = await PocketsphinxRecognizer.create(ps);
  try {
    const { samples, reference } = jfk();
    const r = await rec.recognize(samples);
    assert.ok(r, 'expected text');
    const w = wordErrorRate(reference, r.text);
    console.log(`# jfk WER ${(w.wer * 100).toFixed(1)}% (${w.errors}/${w.referenceWords})`);
    assert.ok(w.wer <= 0.55, `WER ${w.wer}`);
    assert.equal(r.engine, 'pocketsphinx');
    assert.ok(r.words.length >= 10);
    for (let i = 1; i < r.words.length; i++) assert.ok(r.words[i]!.startMs >= r.words[i - 1]!.endMs - 1);
    assert.ok(r.words.at(-1)!.endMs <= 11100);
    assert.ok(r.confidence !== null && r.confidence > 0 && r.confidence <= 1);
  } finally {
    await rec.close();
  }
});

test('jfk.wav cut into its phrases (as the VAD delivers it): CMN carried across segments keeps WER <= 55%', async () => {
  const rec = await PocketsphinxRecognizer.create(ps);
  try {
    const { samples, reference } = jfk();
    assert.equal(rec.cmnInit, null);
    const cuts = [0, 2.7, 5.0, 8.0, 11.1];
    const texts: string[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const r = await rec.recognize(samples.subarray(Math.round(cuts[i]! * 16000), Math.round(cuts[i + 1]! * 16000)));
      texts.push(r?.text ?? '');
      assert.match(rec.cmnInit ?? '', /^-?\d+\.\d\d(,-?\d+\.\d\d){12}$/);
    }
    const w = wordErrorRate(reference, texts.join(' '));
    console.log(`# jfk in 4 segments WER ${(w.wer * 100).toFixed(1)}% (${w.errors}/${w.referenceWords})`);
    assert.ok(w.wer <= 0.55, `WER ${w.wer}: ${texts.join(' | ')}`);
  } finally {
    await rec.close();
  }
});

test('LibriVox (pocketsphinx-testdata): overall WER <= 40%', async () => {
  const rec = await PocketsphinxRecognizer.create(ps);
  try {
    const pairs = [];
    for (const u of librivoxSet()) {
      const r = await rec.recognize(readWavMono16(u.wav).samples);
      pairs.push({ reference: u.reference, hypothesis: r?.text ?? '' });
    }
    assert.equal(pairs.length, 5);
    const w = corpusWordErrorRate(pairs);
    console.log(`# LibriVox WER ${(w.wer * 100).toFixed(1)}% (${w.errors}/${w.referenceWords})`);
    assert.ok(w.wer <= 0.4, `WER ${w.wer}`);
  } finally {
    await rec.close();
  }
});

test('keyphrase mode spots a configured phrase in jfk.wav and nothing else', async () => {
  const rec = await PocketsphinxRecognizer.create({ ...ps, mode: 'keyphrase', keyphrases: ['your country', 'turn on the light'], keyphrase_threshold: 1e-15 });
  try {
    const r = await rec.recognize(jfk().samples);
    assert.ok(r);
    assert.ok(r.text.includes('your country'), r.text);
    assert.ok(!r.text.includes('light'), r.text);
    assert.ok(r.words.every((w) => w.word === 'your country'));
  } finally {
    await rec.close();
  }
});

test('grammar mode constrains the output to the JSGF vocabulary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-jsgf-'));
  try {
    const gram = join(dir, 'cmd.gram');
    writeFileSync(gram, '#JSGF V1.0;\ngrammar cmd;\npublic <cmd> = (ask | what | your | country | can | do | for | you | not | and | so | my)+;\n');
    const rec = await PocketsphinxRecognizer.create({ ...ps, mode: 'grammar', grammar_file: gram });
    try {
      const r = await rec.recognize(jfk().samples);
      assert.ok(r);
      const vocab = new Set(['ask', 'what', 'your', 'country', 'can', 'do', 'for', 'you', 'not', 'and', 'so', 'my']);
      for (const w of r.text.split(' ')) assert.ok(vocab.has(w), w);
      assert.ok(r.text.includes('your country'));
    } finally {
      await rec.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing binary, model, grammar or keyphrases are typed errors with the fix', async () => {
  const isAsr = (e: unknown): boolean => e instanceof AppError && e.code === 'ASR_ENGINE' && /apt-get install pocketsphinx/.test(e.hint ?? '');
  await assert.rejects(PocketsphinxRecognizer.create({ ...ps, binary: 'pocketsphinx_nonexistent_xyz' }), isAsr);
  await assert.rejects(PocketsphinxRecognizer.create({ ...ps, model_dir: '/nonexistent/en-us' }),
    (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING' && /apt-get install/.test(e.hint ?? ''));
  await assert.rejects(PocketsphinxRecognizer.create({ ...ps, mode: 'grammar' }), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE');
  await assert.rejects(PocketsphinxRecognizer.create({ ...ps, mode: 'grammar', grammar_file: '/nonexistent.gram' }), (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING');
  await assert.rejects(PocketsphinxRecognizer.create({ ...ps, mode: 'keyphrase' }), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE');
});

test('a decoder that fails at run time (corrupt grammar) is a typed error, and abort kills it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-jsgf-'));
  try {
    const gram = join(dir, 'bad.gram');
    writeFileSync(gram, 'this is not JSGF {{{');
    const rec = await PocketsphinxRecognizer.create({ ...ps, mode: 'grammar', grammar_file: gram });
    await assert.rejects(rec.recognize(jfk().samples.subarray(0, 16000)), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE');
    await rec.close();
    const ok = await PocketsphinxRecognizer.create(ps);
    const ac = new AbortController();
    const p = ok.recognize(jfk().samples, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === 'ABORTED');
    await ok.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
