import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleStatus, resolveBundle } from '../../../src/models/model-store.js';
import { writePin } from '../../../src/models/pins.js';
import { clearVerifyCache, hashFile, verifyFile } from '../../../src/models/verify.js';
import { oneFileBundle, sha256, tempModels } from '../../helpers/models-fixture.js';

const CONTENT = Buffer.from('pretend this is an onnx model '.repeat(100));
const code = (c: string) => (e: Error & { code?: string }) => e.code === c;

test('resolveBundle returns verified absolute paths keyed by basename', async () => {
  const t = tempModels({ b: oneFileBundle('b/m.onnx', CONTENT) }, { 'b/m.onnx': CONTENT });
  const r = await resolveBundle(t.cfg, 'b');
  assert.equal(r.verified, true);
  assert.equal(r.files['m.onnx'], join(t.dir, 'b/m.onnx'));
  assert.equal(r.dir, join(t.dir, 'b'));
  assert.equal(r.role, 'vad');
});

test('missing, empty, truncated, junk and unknown-name cases give typed errors naming the file and fix', async () => {
  const t = tempModels({ b: oneFileBundle('b/m.onnx', CONTENT) });
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, 'MODEL_MISSING');
    assert.match(e.message, /b\/m\.onnx/);
    assert.match(e.hint ?? '', /parley models fetch b/);
    return true;
  });
  const f = join(t.dir, 'b/m.onnx');
  mkdirSync(join(t.dir, 'b'));
  writeFileSync(f, '');
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error & { code?: string }) => e.code === 'MODEL_INTEGRITY' && /empty \(0 bytes\)/.test(e.message));
  writeFileSync(f, CONTENT.subarray(0, 100));
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error) => /size is 100 bytes, expected 3000/.test(e.message));
  writeFileSync(f, Buffer.alloc(CONTENT.length, 7));
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error & { code?: string }) => e.code === 'MODEL_INTEGRITY' && /sha256 is [0-9a-f]{64}, expected/.test(e.message));
  await assert.rejects(resolveBundle(t.cfg, 'nope'), code('MODEL_MISSING'));
});

test('verification is cached per file identity and invalidated by a change', async () => {
  const t = tempModels({ b: oneFileBundle('b/m.onnx', CONTENT) }, { 'b/m.onnx': CONTENT });
  clearVerifyCache();
  await resolveBundle(t.cfg, 'b');
  const f = join(t.dir, 'b/m.onnx');
  // Same size, different bytes, new mtime: must be re-hashed and refused.
  const bad = Buffer.from(CONTENT);
  bad[10] ^= 0xff;
  writeFileSync(f, bad);
  utimesSync(f, new Date(), new Date(Date.now() + 5000));
  await assert.rejects(resolveBundle(t.cfg, 'b'), code('MODEL_INTEGRITY'));
  appendFileSync(f, 'x');
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error) => /size is 3001/.test(e.message));
  truncateSync(f, 0);
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error) => /empty/.test(e.message));
});

test('a file without a known sha256 is refused until pinned, then checked against the pin', async () => {
  const bundle = oneFileBundle('b/m.onnx', CONTENT) as { files: Record<string, unknown>[] };
  bundle.files[0].sha256 = null;
  bundle.files[0].size = null;
  bundle.files[0].note = 'unknown here';
  const t = tempModels({ b: bundle }, { 'b/m.onnx': CONTENT });
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error) => /no sha256 is known/.test(e.message));
  assert.equal((await bundleStatus(t.cfg, 'b')).state, 'unpinned');
  writePin(t.dir, 'b/m.onnx', { size: CONTENT.length, sha256: sha256(CONTENT), pinnedAt: new Date().toISOString(), source: 'test' });
  const r = await resolveBundle(t.cfg, 'b');
  assert.equal(r.verified, true);
  const s = await bundleStatus(t.cfg, 'b');
  assert.equal(s.state, 'verified');
  assert.equal(s.files[0].pinned, true);
  writeFileSync(join(t.dir, '.pins.json'), '{"b/m.onnx": {"size": "x"}}');
  await assert.rejects(resolveBundle(t.cfg, 'b'), (e: Error & { code?: string }) => e.code === 'MANIFEST' && /\.pins\.json is corrupt/.test(e.message));
});

test('bundleStatus reports missing, corrupt and partial bundles without throwing', async () => {
  const two = oneFileBundle('b/m.onnx', CONTENT) as { files: Record<string, unknown>[] };
  two.files.push({ path: 'b/tokens.txt', size: 3, sha256: sha256('abc'), sources: two.files[0].sources });
  const t = tempModels({ b: two }, { 'b/tokens.txt': 'abc' });
  let s = await bundleStatus(t.cfg, 'b');
  assert.equal(s.state, 'partial');
  assert.deepEqual(s.files.map((f) => f.state), ['missing', 'verified']);
  writeFileSync(join(t.dir, 'b/tokens.txt'), 'abd');
  s = await bundleStatus(t.cfg, 'b');
  assert.equal(s.files[1].state, 'corrupt');
  unlinkSync(join(t.dir, 'b/tokens.txt'));
  assert.equal((await bundleStatus(t.cfg, 'b')).state, 'missing');
});

test('hashFile and verifyFile agree with node crypto', async () => {
  const t = tempModels({}, { 'x.bin': CONTENT });
  const f = join(t.dir, 'x.bin');
  assert.deepEqual(await hashFile(f), { size: CONTENT.length, sha256: sha256(CONTENT) });
  await assert.rejects(verifyFile(t.dir, { size: null, sha256: sha256(CONTENT) }, 'fix'), /not a regular file/);
});
