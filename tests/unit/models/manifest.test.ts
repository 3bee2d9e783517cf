import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { getBundle, loadManifest, parseManifest } from '../../../src/models/manifest.js';

const MANIFEST = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));

function minimal(): Record<string, any> {
  return {
    manifest_version: 1,
    defaults: ['a'],
    bundles: {
      a: {
        role: 'vad', family: 'silero-vad', precision: 'fp32', license: 'MIT', description: 'd',
        files: [{ path: 'a/m.onnx', size: 10, sha256: 'a'.repeat(64), sources: [{ type: 'npm', package: '@x/y', version: '1.0.0', path: 'package/m.onnx' }] }],
      },
    },
  };
}

function rejects(mutate: (m: Record<string, any>) => void, re: RegExp): void {
  const m = minimal();
  mutate(m);
  assert.throws(() => parseManifest(JSON.stringify(m), 'test.json'), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'MANIFEST');
    assert.match(e.message, re);
    return true;
  });
}

test('the shipped manifest parses and pins the Silero files from MODELS.md', () => {
  const m = loadManifest(MANIFEST);
  assert.deepEqual(m.defaults, ['silero-vad-v6.2', 'silero-vad-v5']);
  const v6 = getBundle(m, 'silero-vad-v6.2');
  assert.equal(v6.role, 'vad');
  assert.equal(v6.files[0].size, 2327524);
  assert.equal(v6.files[0].sha256, '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3');
  assert.ok(v6.files[0].sources.filter((s) => s.type === 'npm').length >= 3);
  assert.equal(getBundle(m, 'silero-vad-v5').files[0].sha256, '2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f');
  const roles = new Set(Object.values(m.bundles).map((b) => b.role));
  for (const r of ['vad', 'asr-streaming', 'asr-offline', 'segmentation', 'embedding']) assert.ok(roles.has(r as never), r);
  assert.equal(getBundle(m, 'pyannote-segmentation-3.0-int8').files[0].sha256, 'd582f4b4c6b48205de7e0643c57df0df5615a3c176189be3fc461e9d18827b5d');
});

test('a minimal manifest parses', () => {
  const m = parseManifest(JSON.stringify(minimal()));
  assert.equal(m.bundles.a.files[0].sources[0].type, 'npm');
});

test('an unknown bundle name lists the known ones', () => {
  const m = parseManifest(JSON.stringify(minimal()));
  assert.throws(() => getBundle(m, 'b'), /no model bundle named b.*/);
});

test('malformed manifests name the offending key', () => {
  assert.throws(() => parseManifest('{not json', 'x.json'), /x\.json: \(root\) is not valid JSON/);
  assert.throws(() => parseManifest('[]', 'x.json'), /\(root\) must be an object/);
  rejects((m) => { m.manifest_version = 2; }, /manifest_version must be 1/);
  rejects((m) => { delete m.bundles; }, /bundles is required/);
  rejects((m) => { m.bundles.a.rol = 'vad'; }, /bundles\.a\.rol is not a known key/);
  rejects((m) => { m.bundles.a.role = 'asr'; }, /bundles\.a\.role must be one of vad, asr-streaming/);
  rejects((m) => { m.bundles.a.precision = 'fp16'; }, /bundles\.a\.precision must be one of fp32, int8/);
  rejects((m) => { m.bundles.a.files = []; }, /bundles\.a\.files must have at least 1 element/);
  rejects((m) => { m.bundles.a.files[0].sha256 = 'ABC'; }, /files\[0\]\.sha256 must be 64 lower-case hex/);
  rejects((m) => { m.bundles.a.files[0].size = -1; }, /files\[0\]\.size must be a positive integer/);
  rejects((m) => { m.bundles.a.files[0].size = null; }, /files\[0\]\.note is required when size or sha256 is null/);
  rejects((m) => { m.bundles.a.files[0].path = '../etc/passwd'; }, /files\[0\]\.path must be a relative path/);
  rejects((m) => { m.bundles.a.files[0].path = '/abs/m.onnx'; }, /files\[0\]\.path must be a relative path/);
  rejects((m) => { m.bundles.a.files[0].sources = []; }, /sources must have at least 1/);
  rejects((m) => { m.bundles.a.files[0].sources[0].type = 'ftp'; }, /sources\[0\]\.type must be one of npm, url/);
  rejects((m) => { m.bundles.a.files[0].sources[0].version = '^1.0.0'; }, /sources\[0\]\.version must be an exact semver/);
  rejects((m) => { m.bundles.a.files[0].sources[0] = { type: 'url', url: 'file:///x' }; }, /sources\[0\]\.url must be an http\(s\) URL/);
  rejects((m) => { m.bundles.a.files[0].sources[0] = { type: 'url', url: 'https://x/y.tar.bz2', archive: { format: 'zip', path: 'a' } }; }, /archive\.format must be one of/);
  rejects((m) => { m.bundles.a.golden = { input: 'x', expected: [0.1, 'a'], tolerance: 0.01 }; }, /golden\.expected\[1\] must be a finite number/);
  rejects((m) => { m.bundles.a.golden = { input: 'x', expected: [0.1], tolerance: 0 }; }, /golden\.tolerance must be a number in \(0, 1\]/);
  rejects((m) => { m.defaults = ['zz']; }, /defaults\[0\] names no bundle/);
  rejects((m) => { m.bundles['Bad Name'] = m.bundles.a; }, /bundles\.Bad Name must be a bundle name/);
  rejects((m) => { m.bundles.b = structuredClone(m.bundles.a); }, /bundles\.b\.files\[0\]\.path is also used by bundle a/);
  rejects((m) => { m.bundles.a.files.push({ ...m.bundles.a.files[0], path: 'a/x/m.onnx' }); }, /repeats the file name m\.onnx/);
});

test('an unreadable manifest file is a MANIFEST error naming the file', () => {
  assert.throws(() => loadManifest('/nonexistent/manifest.json'), /\/nonexistent\/manifest\.json cannot be read/);
});

test('property: any JSON value either parses or fails with a MANIFEST error (never a crash)', async () => {
  const fc = (await import('fast-check')).default;
  const base = minimal();
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom('', 'bundles.a', 'bundles.a.files.0', 'bundles.a.files.0.sources.0', 'bundles.a.golden', 'bundles.a.metadata', 'defaults'), (v, at) => {
    const m = structuredClone(base);
    if (at === '') {
      try {
        parseManifest(JSON.stringify(v));
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'MANIFEST');
      }
      return;
    }
    const keys = at.split('.');
    let o: any = m;
    for (const k of keys.slice(0, -1)) o = o[k];
    o[keys.at(-1)!] = v;
    try {
      parseManifest(JSON.stringify(m));
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'MANIFEST', String(e));
    }
  }), { numRuns: 500 });
});

test('the shipped manifest: every file has a published size/sha256 with its provenance, or is marked unpinned (refused without --trust-on-first-use)', () => {
  const m = loadManifest(MANIFEST);
  let pinned = 0;
  let unpinned = 0;
  for (const [name, b] of Object.entries(m.bundles)) {
    for (const f of b.files) {
      if (f.sha256 !== null) {
        pinned++;
        assert.ok(f.pinned_from && f.pinned_from.length > 20, `${name} ${f.path}: pinned_from says where the hash was published`);
        if (f.size === null) assert.match(f.note ?? '', /size not published/, `${name} ${f.path}`);
      } else {
        unpinned++;
        assert.match(f.note ?? '', /trust-on-first-use/, `${name} ${f.path}: marked as refused without --trust-on-first-use`);
      }
    }
  }
  assert.ok(pinned >= 11 && unpinned > 0, `${pinned} pinned, ${unpinned} unpinned`);
  assert.equal(m.bundles['sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8']!.files[0]!.sha256, 'a32b12d17bbbc309d0686fbbcc2987b5e9b8333a7da83fa6b089f0a2acd651ab');
});
