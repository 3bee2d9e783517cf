// Corrupt-model matrix: truncated, 0-byte, junk, missing and bit-flipped Silero files.
// Each must give the right typed error, both at the hash check (resolveBundle) and, with
// the hash check bypassed, at load/golden time in the real inference child — and the
// supervisor must stay healthy (the child keeps serving a good engine afterwards).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { pino } from 'pino';
import { defaultConfig } from '../../src/config/load.js';
import { resolveBundle, type ResolvedBundle } from '../../src/models/model-store.js';
import { Vad } from '../../src/vad/vad.js';
import { tempModels } from '../helpers/models-fixture.js';
import { installedVad } from '../helpers/vad-env.js';
import { vadHost } from '../helpers/vad-host.js';

const OFFSETS = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/vad/weight-offsets.json', import.meta.url)), 'utf8')) as Record<string, { offset: number; length: number }>;
const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/manifest.json', import.meta.url)), 'utf8'));

interface Corruption {
  name: string;
  apply: (good: Buffer, file: string) => void;
  hashCode: string;
  hashMsg: RegExp;
  loadCode: string;
  loadMsg: RegExp;
}

/** Flip an exponent bit of one float32 inside the first 16 kHz conv weight tensor. */
function flipWeight(good: Buffer): Buffer {
  const sha = manifest.bundles['silero-vad-v6.2'].files[0].sha256 as string;
  const w = OFFSETS[sha];
  assert.ok(w, 'weight-offsets.json has no entry for the pinned v6.2 model: rerun scripts/gen-vad-fixtures.py');
  const b = Buffer.from(good);
  b[w.offset + 4 * 1000 + 3] ^= 0x40;
  return b;
}

const MATRIX: Corruption[] = [
  { name: 'truncated', apply: (g, f) => writeFileSync(f, g.subarray(0, 1_000_000)), hashCode: 'MODEL_INTEGRITY', hashMsg: /size is 1000000 bytes, expected 2327524/, loadCode: 'MODEL_LOAD', loadMsg: /could not be loaded from .*silero_vad\.onnx/ },
  { name: '0-byte', apply: (_g, f) => writeFileSync(f, ''), hashCode: 'MODEL_INTEGRITY', hashMsg: /empty \(0 bytes\)/, loadCode: 'MODEL_LOAD', loadMsg: /could not be loaded/ },
  { name: 'junk', apply: (g, f) => writeFileSync(f, Buffer.alloc(g.length, 0x5a)), hashCode: 'MODEL_INTEGRITY', hashMsg: /sha256 is [0-9a-f]{64}, expected 1a153a22/, loadCode: 'MODEL_LOAD', loadMsg: /could not be loaded/ },
  { name: 'bit flip in a weight', apply: (g, f) => writeFileSync(f, flipWeight(g)), hashCode: 'MODEL_INTEGRITY', hashMsg: /sha256 is [0-9a-f]{64}, expected 1a153a22/, loadCode: 'MODEL_INTEGRITY', loadMsg: /golden-output check failed/ },
];

test('corrupt model matrix: typed errors at verify and at load; the supervisor stays healthy', { timeout: 180_000 }, async () => {
  const good = await installedVad('silero-vad-v6.2');
  const goodFile = good.files['silero_vad.onnx'];
  const goodBytes = readFileSync(goodFile);
  const host = vadHost();
  await host.start();
  const logger = pino({ level: 'silent' });
  try {
    // A healthy engine loaded first must survive every failure below.
    const healthy = new Vad(host, defaultConfig().vad, logger, 'vad-good');
    await healthy.init(good);
    for (const c of MATRIX) {
      const t = tempModels({ 'silero-vad-v6.2': manifest.bundles['silero-vad-v6.2'] });
      const file = join(t.dir, manifest.bundles['silero-vad-v6.2'].files[0].path as string);
      mkdirSync(dirname(file), { recursive: true });
      c.apply(goodBytes, file);
      await assert.rejects(resolveBundle(t.cfg, 'silero-vad-v6.2'), (e: Error & { code?: string }) => {
        assert.equal(e.code, c.hashCode, `${c.name}: ${e.message}`);
        assert.match(e.message, c.hashMsg, c.name);
        assert.match(e.message, /silero_vad\.onnx/);
        return true;
      });
      // Bypass the hash check: hand the engine the corrupt file directly.
      const bypass: ResolvedBundle = { ...good, dir: t.dir, files: { [basename(file)]: file } };
      const vad = new Vad(host, defaultConfig().vad, logger, `vad-${c.name}`);
      await assert.rejects(vad.init(bypass), (e: Error & { code?: string }) => {
        assert.equal(e.code, c.loadCode, `${c.name}: ${e.message}`);
        assert.match(e.message, c.loadMsg, c.name);
        return true;
      });
      assert.equal(host.state, 'running', `${c.name}: inference child still running`);
      const probs = await host.call<Float32Array>('vad-good', 'probs', [new Float32Array(1024)]);
      assert.equal(probs.length, 2, `${c.name}: the healthy engine still answers`);
    }
    // Missing file.
    const t = tempModels({ 'silero-vad-v6.2': manifest.bundles['silero-vad-v6.2'] });
    await assert.rejects(resolveBundle(t.cfg, 'silero-vad-v6.2'), (e: Error & { code?: string; hint?: string }) =>
      e.code === 'MODEL_MISSING' && /silero_vad\.onnx/.test(e.message) && /parley models fetch silero-vad-v6\.2/.test(e.hint ?? ''));
    const vad = new Vad(host, defaultConfig().vad, logger, 'vad-missing');
    await assert.rejects(vad.init({ ...good, files: { 'silero_vad.onnx': join(t.dir, 'nope.onnx') } }), (e: Error & { code?: string }) => e.code === 'MODEL_MISSING');
    assert.equal(host.state, 'running');
    assert.equal(host.health().totalRestarts, 0, 'no failure crashed the child');
  } finally {
    await host.stop();
  }
});

test('a model corrupted after init is caught by the golden check when the restarted child reloads it', { timeout: 120_000 }, async () => {
  const good = await installedVad('silero-vad-v6.2');
  const t = tempModels({ 'silero-vad-v6.2': manifest.bundles['silero-vad-v6.2'] });
  const file = join(t.dir, manifest.bundles['silero-vad-v6.2'].files[0].path as string);
  mkdirSync(dirname(file), { recursive: true });
  const bytes = readFileSync(good.files['silero_vad.onnx']);
  writeFileSync(file, bytes);
  const bundle = await resolveBundle(t.cfg, 'silero-vad-v6.2');
  const host = vadHost({ maxRestarts: 2 });
  await host.start();
  try {
    const vad = new Vad(host, defaultConfig().vad, pino({ level: 'silent' }));
    await vad.init(bundle);
    writeFileSync(file, flipWeight(bytes)); // corrupted on disk while running
    const degraded = new Promise((r) => host.once('degraded', r));
    process.kill(host.health().pid!, 'SIGKILL');
    await degraded;
    assert.equal(host.state, 'degraded', 'the corrupt model is never served again');
    await assert.rejects(vad.push([{ startSample: 0, samples: new Float32Array(512) }]), (e: Error & { code?: string }) => e.code === 'INFERENCE_UNAVAILABLE');
  } finally {
    await host.stop();
  }
});
