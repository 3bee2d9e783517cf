/**
 * T15 + issue 7 negative matrix: every bad bundle is refused with its own reason before
 * anything is activated, and nothing changes outside the staging area.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openBundle } from '../../../src/ota/bundle-file.js';
import { signManifest } from '../../../src/ota/manifest.js';
import { TarWriter } from '../../../src/ota/tar.js';
import { ManifestError, SignatureError } from '../../../src/util/errors.js';
import { buildBundle, GOLDEN_WAV, makeKey, V6_WEIGHT_FLIP_OFFSET, type TestKey } from '../../helpers/ota-bundles.js';
import { otaConfig, serveDir, snapshot, updater, type FileServer } from '../../helpers/ota-env.js';
import { sileroFiles } from '../../helpers/ota-silero.js';

const work = mkdtempSync(join(tmpdir(), 'ota-neg-'));
const dataDir = join(work, 'data');
const bundles = join(work, 'bundles');
let v5: Buffer;
let v6: Buffer;
let K: TestKey;
let R: TestKey;
let U: TestKey;
let http: FileServer;

before(async () => {
  const f = sileroFiles();
  v5 = readFileSync(f.v5);
  v6 = readFileSync(f.v6);
  K = makeKey();
  R = makeKey();
  U = makeKey();
  http = await serveDir(bundles);
  const good = await buildBundle({ dir: bundles, name: 'v5', version: '5.0.0', model: v5, key: K });
  const u = updater(otaConfig(dataDir, [K, R], { revoked_key_ids: [R.keyId] }));
  const r = await u.install(good.file);
  assert.equal(r.ok, true);
});
after(async () => {
  await http?.close();
  rmSync(work, { recursive: true, force: true });
});

const IGNORE = ['ota/state.json', 'ota/lock'];

async function expectRejected(file: string, reason: string, viaHttp = false): Promise<void> {
  const u = updater(otaConfig(dataDir, [K, R], { revoked_key_ids: [R.keyId] }));
  const before = snapshot(dataDir, IGNORE);
  const activeBefore = u.activeModelPath('vad');
  const events: { type: string; reason?: string }[] = [];
  u.on('event', (e) => events.push(e));
  const src = viaHttp ? `${http.url}/${file.slice(bundles.length + 1)}` : file;
  await assert.rejects(u.install(src), (e: unknown) => (e instanceof SignatureError || e instanceof ManifestError) && e.reason === reason, reason);
  assert.deepEqual(snapshot(dataDir, IGNORE), before, `${reason}: files outside staging changed`);
  assert.equal(u.activeModelPath('vad'), activeBefore);
  assert.equal(createHash('sha256').update(readFileSync(u.activeModelPath('vad')!)).digest('hex'), createHash('sha256').update(v5).digest('hex'));
  const st = u.status() as { phase: string; last_result: { reason: string }; rejected: Record<string, number> };
  assert.equal(st.phase, 'idle');
  assert.equal(st.last_result.reason, reason);
  assert.equal(st.rejected[reason], 1);
  assert.ok(events.some((e) => e.type === 'ota.rejected' && e.reason === reason));
  assert.ok(!events.some((e) => e.type === 'ota.activated'));
}

test('wrong key (claims a trusted key id, signed by another key) → bad_signature', async () => {
  const b = await buildBundle({ dir: bundles, name: 'wrongkey', version: '6.2.0', model: v6, key: K, signature: (_s, m) => signManifest(m, U.priv) });
  await expectRejected(b.file, 'bad_signature', true);
  // Refused from the first bytes: every request for it was a bounded head read, never the payload.
  const reqs = http.requests.filter((n) => n === 'wrongkey.bundle').length;
  assert.ok(reqs > 0);
  assert.equal(http.rangeRequests.filter((r) => /^wrongkey\.bundle:bytes=0-\d+$/.test(r)).length, reqs);
});

test('unknown key → unknown_key', async () => {
  const b = await buildBundle({ dir: bundles, name: 'unknown', version: '6.2.0', model: v6, key: U });
  await expectRejected(b.file, 'unknown_key');
});

test('revoked key (still listed as trusted) → revoked_key', async () => {
  const b = await buildBundle({ dir: bundles, name: 'revoked', version: '6.2.0', model: v6, key: R });
  await expectRejected(b.file, 'revoked_key');
});

test('signature over another manifest → bad_signature', async () => {
  const b = await buildBundle({
    dir: bundles, name: 'othersig', version: '6.2.0', model: v6, key: K,
    signature: (_s, m) => signManifest({ ...m, version: '6.2.1' }, K.priv),
  });
  await expectRejected(b.file, 'bad_signature');
});

test('truncated signature → truncated_signature', async () => {
  const b = await buildBundle({ dir: bundles, name: 'truncsig', version: '6.2.0', model: v6, key: K, signature: (s) => s.slice(0, 60) });
  await expectRejected(b.file, 'truncated_signature', true);
});

test('swapped payload (same size, different bytes) → hash_mismatch', async () => {
  const b = await buildBundle({ dir: bundles, name: 'swapped', version: '6.2.0', model: v6, key: K, payload: v5 });
  await expectRejected(b.file, 'hash_mismatch', true);
});

test('truncated payload → size_mismatch', async () => {
  const b = await buildBundle({ dir: bundles, name: 'truncpay', version: '6.2.0', model: v6, key: K });
  truncateSync(b.file, statSync(b.file).size - 1024 - 1000000);
  await expectRejected(b.file, 'size_mismatch');
});

test('downgrade → downgrade', async () => {
  const b = await buildBundle({ dir: bundles, name: 'old', version: '4.0.0', model: v6, key: K });
  await expectRejected(b.file, 'downgrade');
});

test('incompatible device class → incompatible_device', async () => {
  const b = await buildBundle({ dir: bundles, name: 'jetson', version: '6.2.0', model: v6, key: K, deviceClasses: ['jetson-orin-nano'] });
  await expectRejected(b.file, 'incompatible_device');
});

test('bundle needing a newer parley → parley_too_old', async () => {
  const b = await buildBundle({ dir: bundles, name: 'future', version: '6.2.0', model: v6, key: K, minParley: '99.0.0' });
  await expectRejected(b.file, 'parley_too_old');
});

test('oversized manifest (2 MB) → manifest_too_large', async () => {
  const b = await buildBundle({ dir: bundles, name: 'huge', version: '6.2.0', model: v6, key: K, mutate: (m) => { m.created = 'x'.repeat(2 << 20); } });
  await expectRejected(b.file, 'manifest_too_large', true);
});

for (const [name, evil] of [['dotdot', '../../../escape.onnx'], ['absolute', '/tmp/escape.onnx']] as const) {
  test(`${name} path in files → bad_path, nothing written outside the data dir`, async () => {
    const good = await buildBundle({ dir: bundles, name: `${name}-base`, version: '6.2.0', model: v6, key: K });
    const m = structuredClone(good.manifest);
    m.files[0].path = evil;
    m.roles[0].model = evil;
    const file = join(bundles, `${name}.bundle`);
    const w = new TarWriter(file);
    w.add('manifest.json', Buffer.from(JSON.stringify(m)));
    w.add('signature', Buffer.from(signManifest(m, K.priv)));
    w.add(evil.replace(/^\//, ''), v6);
    w.add('golden.wav', readFileSync(GOLDEN_WAV));
    w.close();
    await expectRejected(file, 'bad_path');
  });
}

test('one flipped weight byte (hashes recomputed and re-signed) loads but fails golden → golden_failed', async () => {
  const flipped = Buffer.from(v6);
  flipped[V6_WEIGHT_FLIP_OFFSET] ^= 0x40;
  const b = await buildBundle({ dir: bundles, name: 'bitflip', version: '6.2.0', model: flipped, expectFrom: v6, key: K });
  assert.equal(openBundle(b.file).manifest.files[0].sha256, createHash('sha256').update(flipped).digest('hex'));
  await expectRejected(b.file, 'golden_failed', true);
  const u = updater(otaConfig(dataDir, [K]));
  assert.match((u.status().last_result as { message: string }).message, /case jfk-4s: output \d+ differs by 0\.\d{4} \(tolerance 0\.01\)/);
});

test('after all refusals a good v6.2 bundle over HTTP still installs and switches the active model', async () => {
  const b = await buildBundle({ dir: bundles, name: 'v6', version: '6.2.0', model: v6, key: K });
  const u = updater(otaConfig(dataDir, [K]));
  const r = await u.install(`${http.url}/v6.bundle`);
  assert.equal(r.ok, true);
  assert.equal(createHash('sha256').update(readFileSync(u.activeModelPath('vad')!)).digest('hex'), b.manifest.files[0].sha256);
});
