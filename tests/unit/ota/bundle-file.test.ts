import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extractVerified, openBundle, writeBundle } from '../../../src/ota/bundle-file.js';
import { listTar, tarHeader } from '../../../src/ota/tar.js';
import { MAX_MANIFEST_BYTES, type BundleManifest } from '../../../src/ota/manifest.js';
import { createHash } from 'node:crypto';
import { ManifestError } from '../../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ota-tar-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const reason = (r: string) => (e: unknown) => e instanceof ManifestError && e.reason === r;

function sample(name: string, payload = Buffer.from('model-bytes-123')): { file: string; m: BundleManifest } {
  const src = join(dir, `${name}.src`);
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'm.onnx'), payload);
  const m: BundleManifest = {
    format: 1, bundle_id: 'b', version: '1.0.0', roles: [{ role: 'vad', family: 'f', bundle_name: 'n', model: 'sub/m.onnx' }],
    files: [{ path: 'sub/m.onnx', size: payload.length, sha256: sha(payload) }], min_parley_version: '0.1.0',
    device_classes: ['*'], created: '', golden: [], key_id: '0123456789abcdef',
  };
  const file = join(dir, `${name}.bundle`);
  writeBundle(file, m, 'sig', src);
  return { file, m };
}

test('a written bundle lists, opens and extracts byte-identically', () => {
  const { file } = sample('ok');
  const { entries, truncated } = listTar(file);
  assert.equal(truncated, false);
  assert.deepEqual(entries.map((e) => e.name), ['manifest.json', 'signature', 'sub/m.onnx']);
  const b = openBundle(file);
  assert.equal(b.signature.trim(), 'sig');
  const out = join(dir, 'out-ok');
  extractVerified(b, out);
  assert.equal(readFileSync(join(out, 'sub/m.onnx'), 'utf8'), 'model-bytes-123');
  // The system tar reads our archives too (format sanity).
  assert.ok(readFileSync(file).subarray(257, 262).toString() === 'ustar');
});

test('junk, bad checksums, empty files and wrong entry order are malformed', () => {
  const junk = join(dir, 'junk.bundle');
  writeFileSync(junk, Buffer.alloc(2048, 0x41));
  assert.throws(() => openBundle(junk), reason('malformed'));
  const empty = join(dir, 'empty.bundle');
  writeFileSync(empty, '');
  assert.throws(() => openBundle(empty), reason('malformed'));
  const { file } = sample('cs');
  const b = readFileSync(file);
  b[10] ^= 1; // inside the first header's name field
  writeFileSync(file, b);
  assert.throws(() => openBundle(file), (e: unknown) => e instanceof ManifestError && /checksum/.test(e.message));
  const order = join(dir, 'order.bundle');
  writeFileSync(order, Buffer.concat([tarHeader('signature', 0), Buffer.alloc(1024)]));
  assert.throws(() => openBundle(order), /first entry must be manifest.json/);
});

test('a manifest entry declared over the cap is refused without reading it', () => {
  const f = join(dir, 'big.bundle');
  writeFileSync(f, Buffer.concat([tarHeader('manifest.json', MAX_MANIFEST_BYTES * 10), Buffer.alloc(512)]));
  assert.throws(() => openBundle(f), reason('manifest_too_large'));
});

test('symlink and directory entries are bad_path; traversal entry names are bad_path', () => {
  const { file } = sample('ln');
  const full = readFileSync(file);
  const end = full.length - 1024; // before the end marker
  for (const [name, type] of [['sub/link', '2'], ['../evil', '0'], ['dir', '5']] as const) {
    const f = join(dir, `ln-${type}.bundle`);
    writeFileSync(f, Buffer.concat([full.subarray(0, end), tarHeader(name, 0, type), Buffer.alloc(1024)]));
    assert.throws(() => openBundle(f), reason('bad_path'), name);
  }
});

test('truncated and swapped payloads are size_mismatch / hash_mismatch and stop extraction', () => {
  const { file } = sample('tr', Buffer.alloc(5000, 7));
  const size = readFileSync(file).length;
  truncateSync(file, size - 1024 - 3000);
  const out = join(dir, 'out-tr');
  assert.throws(() => extractVerified(openBundle(file), out), reason('size_mismatch'));
  const { file: f2, m } = sample('sw', Buffer.from('AAAA'));
  const b = readFileSync(f2);
  const at = b.indexOf('AAAA', 1536);
  b.write('AAAB', at);
  writeFileSync(f2, b);
  const out2 = join(dir, 'out-sw');
  assert.throws(() => extractVerified(openBundle(f2), out2), reason('hash_mismatch'));
  assert.equal(m.files.length, 1);
  assert.ok(existsSync(out2) && readdirSync(out2).length >= 0);
});
