/**
 * Build signed OTA bundles for tests: real Silero files as payloads, golden expectations
 * recorded once per model by the real golden runner, and knobs to break exactly one thing.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundle } from '../../src/ota/bundle-file.js';
import { runGoldenCases } from '../../src/ota/golden.js';
import { keyIdOf, rawPublicKey } from '../../src/ota/keys.js';
import { signManifest, type BundleManifest } from '../../src/ota/manifest.js';
import { silentLogger } from '../../src/util/logger.js';

export const GOLDEN_WAV = fileURLToPath(new URL('../fixtures/ota/golden-jfk-4s.wav', import.meta.url));
/** Byte of silero v6.2 whose bit 6 flip still loads but moves outputs by ~1.0 on the golden clip. */
export const V6_WEIGHT_FLIP_OFFSET = 1400000;

export interface TestKey {
  keyId: string;
  priv: KeyObject;
  trusted: { key_id: string; public_key: string };
}

export function makeKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const keyId = keyIdOf(raw);
  return { keyId, priv: privateKey, trusted: { key_id: keyId, public_key: raw.toString('base64') } };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const expectedCache = new Map<string, number[]>();

export interface BundleSpec {
  dir: string;
  name: string;
  version: string;
  model: Buffer;
  key: TestKey;
  /** Model whose outputs become the golden expectation (default: `model`). */
  expectFrom?: Buffer;
  deviceClasses?: string[];
  minParley?: string;
  tolerance?: number;
  mutate?: (m: BundleManifest) => void;
  /** Replace the signature text after signing. */
  signature?: (sig: string, m: BundleManifest) => string;
  /** Payload written into the bundle instead of `model` (hashes still describe `model`). */
  payload?: Buffer;
}

async function expectedFor(model: Buffer, work: string): Promise<number[]> {
  const k = sha(model);
  const hit = expectedCache.get(k);
  if (hit) return hit;
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'silero_vad.onnx'), model);
  copyFileSync(GOLDEN_WAV, join(work, 'golden.wav'));
  const m = baseManifest('probe', '0.0.1', model, readFileSync(GOLDEN_WAV), '0000000000000000');
  const [r] = await runGoldenCases(m, work, { threads: 1, loadTimeoutMs: 60000, requestTimeoutMs: 60000, logger: silentLogger().root });
  expectedCache.set(k, r.probabilities);
  return r.probabilities;
}

function baseManifest(name: string, version: string, model: Buffer, wav: Buffer, keyId: string): BundleManifest {
  return {
    format: 1, bundle_id: `${name}-${version}`, version,
    roles: [{ role: 'vad', family: 'silero', bundle_name: name, model: 'silero_vad.onnx' }],
    files: [
      { path: 'silero_vad.onnx', size: model.length, sha256: sha(model) },
      { path: 'golden.wav', size: wav.length, sha256: sha(wav) },
    ],
    min_parley_version: '0.1.0', device_classes: ['*'], created: '2026-01-01T00:00:00Z',
    golden: [{ name: 'jfk-4s', role: 'vad', audio: 'golden.wav', expected: {}, tolerance: 0.01, budgets: { latency_ms: 60000, rss_mb: 2048 } }],
    key_id: keyId,
  };
}

/** Write `<dir>/<name>.bundle` and return its path and manifest. */
export async function buildBundle(s: BundleSpec): Promise<{ file: string; manifest: BundleManifest }> {
  const wav = readFileSync(GOLDEN_WAV);
  const m = baseManifest(s.name, s.version, s.model, wav, s.key.keyId);
  m.golden[0].expected = { probabilities: await expectedFor(s.expectFrom ?? s.model, join(s.dir, '.expect')) };
  if (s.tolerance !== undefined) m.golden[0].tolerance = s.tolerance;
  if (s.deviceClasses) m.device_classes = s.deviceClasses;
  if (s.minParley) m.min_parley_version = s.minParley;
  s.mutate?.(m);
  let sig = signManifest(m, s.key.priv);
  if (s.signature) sig = s.signature(sig, m);
  const src = join(s.dir, `${s.name}.src`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'silero_vad.onnx'), s.payload ?? s.model);
  writeFileSync(join(src, 'golden.wav'), wav);
  const file = join(s.dir, `${s.name}.bundle`);
  mkdirSync(dirname(file), { recursive: true });
  writeBundle(file, m, sig, src);
  return { file, manifest: m };
}
