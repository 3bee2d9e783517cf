import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { fetchBundle } from '../../../src/models/fetch.js';
import { resolveBundle } from '../../../src/models/model-store.js';
import { checkGolden, goldenInput } from '../../../src/vad/golden.js';
import { createSileroEngine, SileroVadModel } from '../../../src/vad/silero-engine.js';
import { readFileSync } from 'node:fs';
import { installedVad } from '../../helpers/vad-env.js';
import { tempModels } from '../../helpers/models-fixture.js';

const NOT_SILERO = fileURLToPath(new URL('../../fixtures/vad/not-silero.onnx', import.meta.url));
const input = goldenInput('synthetic-voiced-v1');

for (const name of ['silero-vad-v6.2', 'silero-vad-v5']) {
  test(`${name}: v5/v6 I/O detected, golden reproduced, state carried across calls`, async () => {
    const b = await installedVad(name);
    const m = await SileroVadModel.load({ modelPath: Object.values(b.files)[0], sampleRateHz: 16000 }, 1);
    try {
      assert.equal(m.info.io, 'v5');
      assert.equal(m.info.contextSamples, 64);
      assert.equal(m.info.windowSamples, 512);
      const whole = await m.probs(input);
      assert.ok(checkGolden(m.modelPath, b.golden!, whole).maxAbsDiff < 1e-5);
      // The same audio in uneven pieces gives the same probabilities: state and context carry over.
      m.reset();
      const parts = [await m.probs(input.subarray(0, 512)), await m.probs(input.subarray(512, 512 * 7)), await m.probs(input.subarray(512 * 7))];
      const joined = Float32Array.from(parts.flatMap((p) => Array.from(p)));
      assert.deepEqual(joined, whole);
      // Without reset the state continues: the next result differs from a fresh start.
      const cont = await m.probs(input.subarray(0, 512 * 4));
      m.reset();
      const fresh = await m.probs(input.subarray(0, 512 * 4));
      assert.notDeepEqual(cont, fresh);
      assert.deepEqual(fresh, whole.subarray(0, 4));
      await assert.rejects(m.probs(new Float32Array(500)), /multiple of 512 samples, got 500/);
      assert.deepEqual(await m.probs(new Float32Array(0)), new Float32Array(0));
    } finally {
      await m.dispose();
    }
  });
}

test('the context window matters: dropping it changes the output (guards the 64-sample context)', async () => {
  const b = await installedVad();
  const m = await SileroVadModel.load({ modelPath: Object.values(b.files)[0], sampleRateHz: 16000 }, 1);
  const withCtx = await m.probs(input);
  // Feed each window after a reset: context is zeros and the state is fresh each time.
  let maxDiff = 0;
  for (let i = 20; i < 40; i++) {
    m.reset();
    const p = (await m.probs(input.subarray(i * 512, (i + 1) * 512)))[0];
    maxDiff = Math.max(maxDiff, Math.abs(p - withCtx[i]));
  }
  assert.ok(maxDiff > 0.01, `stateless windows should differ from streaming (max diff ${maxDiff})`);
  await m.dispose();
});

test('legacy v4 I/O (h/c states) is detected and supported', { timeout: 120_000 }, async () => {
  const real = JSON.parse(readFileSync(fileURLToPath(new URL('../../../models/manifest.json', import.meta.url)), 'utf8'));
  const t = tempModels({ 'silero-vad-v4': real.bundles['silero-vad-v4'] });
  await fetchBundle(t.cfg, 'silero-vad-v4');
  const b = await resolveBundle(t.cfg, 'silero-vad-v4');
  const m = await SileroVadModel.load({ modelPath: b.files['silero_vad_legacy.onnx'], sampleRateHz: 16000 }, 1);
  assert.equal(m.info.io, 'v4');
  assert.equal(m.info.contextSamples, 0);
  checkGolden(m.modelPath, b.golden!, await m.probs(input));
  await m.dispose();
});

test('a valid ONNX model that is not Silero, a missing file and a bad rate are refused with typed errors', async () => {
  await assert.rejects(SileroVadModel.load({ modelPath: NOT_SILERO, sampleRateHz: 16000 }), (e: Error & { code?: string }) =>
    e.code === 'MODEL_LOAD' && /not a Silero VAD model \(inputs x; outputs y\)/.test(e.message));
  await assert.rejects(SileroVadModel.load({ modelPath: '/nonexistent/x.onnx', sampleRateHz: 16000 }), (e: Error & { code?: string }) => e.code === 'MODEL_MISSING');
  await assert.rejects(SileroVadModel.load({ modelPath: NOT_SILERO, sampleRateHz: 44100 as 16000 }), /16000 or 8000 Hz/);
  await assert.rejects(createSileroEngine({}, { threads: 1 }), /needs options\.modelPath/);
});

test('engine factory runs the golden check at load when given one', async () => {
  const b = await installedVad();
  const modelPath = Object.values(b.files)[0];
  const ok = await createSileroEngine({ modelPath, sampleRateHz: 16000, golden: b.golden }, { threads: 1 });
  const info = (await ok.call('info', [])) as { golden: { maxAbsDiff: number } };
  assert.ok(info.golden.maxAbsDiff < 1e-5);
  // State was reset after the check: the first probs equal a fresh model's.
  const first = (await ok.call('probs', [input.subarray(0, 1024)])) as Float32Array;
  assert.ok(Math.abs(first[0] - b.golden!.expected[0]) < 1e-5 && Math.abs(first[1] - b.golden!.expected[1]) < 1e-5);
  await ok.dispose?.();
  const wrong = { ...b.golden!, expected: b.golden!.expected.map((v) => 1 - v) };
  await assert.rejects(createSileroEngine({ modelPath, sampleRateHz: 16000, golden: wrong }, { threads: 1 }), (e: Error & { code?: string }) =>
    e.code === 'MODEL_INTEGRITY' && /golden-output check failed/.test(e.message));
});

test('engine factory answers probs/reset/info and rejects unknown methods', async () => {
  const b = await installedVad();
  const e = await createSileroEngine({ modelPath: Object.values(b.files)[0], sampleRateHz: 16000 }, { threads: 1 });
  const p = (await e.call('probs', [input])) as Float32Array;
  assert.equal(p.length, 62);
  assert.equal(await e.call('reset', []), true);
  assert.equal(((await e.call('info', [])) as { io: string }).io, 'v5');
  await assert.rejects(async () => e.call('nope', []), /no method nope/);
  await e.dispose?.();
});

test('golden check: exact pass, tolerance, NaN and length mismatch', () => {
  const spec = { input: 'synthetic-voiced-v1', expected: [0.1, 0.9], tolerance: 0.01 };
  assert.ok(checkGolden('f', spec, [0.105, 0.9]).maxAbsDiff <= 0.0051);
  assert.throws(() => checkGolden('f', spec, [0.1, 0.8]), (e: Error & { code?: string }) => e.code === 'MODEL_INTEGRITY' && /window 1 gave 0\.8, expected 0\.9/.test(e.message));
  assert.throws(() => checkGolden('f', spec, [Number.NaN, 0.9]), /golden-output check failed: window 0 gave NaN/);
  assert.throws(() => checkGolden('f', spec, [0.1]), /produced 1 values, expected 2/);
  assert.throws(() => goldenInput('nope'), /unknown golden input "nope"/);
  assert.deepEqual(goldenInput('synthetic-voiced-v1'), input, 'deterministic');
});
