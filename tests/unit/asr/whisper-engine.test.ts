/**
 * Reference-differential test of the Whisper runner: the tiny same-architecture export
 * (scripts/gen-whisper-fixtures.py) must reproduce the PyTorch greedy decodes exactly,
 * fp32 and int8 each against their own reference.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WhisperModel } from '../../../src/asr/whisper-engine.js';
import { AppError } from '../../../src/util/errors.js';
import { jfk, REPO_ROOT } from '../../helpers/asr-eval.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'whisper');

interface RefResult { tokens: number[]; language: string; no_speech_prob: number; sum_logprob: number }
interface RefCase { name: string; start: number; end: number; language: string; task: 'transcribe' | 'translate'; fp32: RefResult; int8: RefResult }
const ref = JSON.parse(readFileSync(join(DIR, 'tiny-reference.json'), 'utf8')) as { cases: RefCase[] };

export function whisperFixtureFiles(precision: 'fp32' | 'int8'): { encoder: string; decoder: string; tokens: string } {
  const sfx = precision === 'int8' ? '.int8' : '';
  return { encoder: join(DIR, `tiny-encoder${sfx}.onnx`), decoder: join(DIR, `tiny-decoder${sfx}.onnx`), tokens: join(DIR, 'tiny-tokens.txt') };
}

for (const precision of ['fp32', 'int8'] as const) {
  test(`tiny Whisper ${precision}: token sequences equal the PyTorch reference`, async () => {
    const model = await WhisperModel.load(whisperFixtureFiles(precision), 1);
    try {
      assert.equal(model.meta.nTextLayer, 2);
      assert.deepEqual([...model.meta.languages.keys()], ['en', 'de']);
      const audio = jfk().samples;
      for (const c of ref.cases) {
        const want = c[precision];
        const got = await model.recognize(audio.subarray(c.start, c.end), { language: c.language, task: c.task, maxTokensPerSecond: 6, maxNewTokens: 224 });
        assert.deepEqual(got.tokens, want.tokens, `${c.name} ${precision}`);
        assert.equal(got.language, want.language, c.name);
        // int8: a 1e-6 float difference can flip one activation's quantization step, so probabilities
        // agree to a few percent while the argmax tokens stay identical.
        const tol = precision === 'fp32' ? 1e-4 : 0.1 * want.no_speech_prob;
        assert.ok(Math.abs(got.noSpeechProb - want.no_speech_prob) < tol, `${c.name} no-speech ${got.noSpeechProb} vs ${want.no_speech_prob}`);
        assert.ok(Math.abs(got.avgLogProb * got.tokens.length - want.sum_logprob) < 0.05 * Math.max(1, Math.abs(want.sum_logprob)), c.name);
        assert.equal(got.text, model.tokens.decode(want.tokens).trim());
        assert.equal(got.hitTokenCap, want.tokens.length === 18, c.name);
      }
    } finally {
      await model.dispose();
    }
  });
}

test('token cap (item 3 of issue 16): a decode of exactly the cap tokens followed by eot is kept, one short of eot is a runaway', async () => {
  const model = await WhisperModel.load(whisperFixtureFiles('fp32'), 1);
  try {
    const c = ref.cases.find((x) => x.fp32.tokens.length < 18)!;
    const n = c.fp32.tokens.length;
    const run = (maxNewTokens: number) => model.recognize(jfk().samples.subarray(c.start, c.end), { language: c.language, task: c.task, maxTokensPerSecond: 6, maxNewTokens });
    const exact = await run(n);
    assert.deepEqual(exact.tokens, c.fp32.tokens);
    assert.equal(exact.hitTokenCap, false, 'sherpa-onnx keeps a decode that ends right at the cap');
    assert.ok(exact.eotLogProb !== null && exact.eotLogProb < 0);
    const short = await run(n - 1);
    assert.deepEqual(short.tokens, c.fp32.tokens.slice(0, n - 1));
    assert.equal(short.hitTokenCap, true);
    assert.equal(short.eotLogProb, null);
    const free = await run(224);
    assert.equal(free.eotLogProb !== null && Math.abs(free.eotLogProb - exact.eotLogProb!) < 1e-6, true);
  } finally {
    await model.dispose();
  }
});

test('an unknown language is a typed error; the int8 and fp32 exports differ in their ops', async () => {
  const model = await WhisperModel.load(whisperFixtureFiles('fp32'), 1);
  try {
    await assert.rejects(model.recognize(jfk().samples.subarray(0, 16000), { language: 'xx', task: 'transcribe', maxTokensPerSecond: 6, maxNewTokens: 10 }),
      (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE');
  } finally {
    await model.dispose();
  }
  const int8 = readFileSync(whisperFixtureFiles('int8').decoder);
  assert.ok(int8.includes('MatMulInteger') && int8.includes('DynamicQuantizeLinear'));
  assert.ok(!readFileSync(whisperFixtureFiles('fp32').decoder).includes('MatMulInteger'));
});
