import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/ota/canonical-json.js';
import { keyIdOf, parsePublicKey, rawPublicKey } from '../../../src/ota/keys.js';
import {
  checkPolicy, checkSafePath, MAX_MANIFEST_BYTES, parseManifest, signManifest, verifyManifestSignature, type BundleManifest,
} from '../../../src/ota/manifest.js';
import { compareSemver, parseSemver } from '../../../src/ota/semver.js';
import { ManifestError, SignatureError } from '../../../src/util/errors.js';

function key() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { id: keyIdOf(raw), priv: privateKey, raw: raw.toString('base64'), pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function manifest(keyId: string, over: Partial<BundleManifest> = {}): BundleManifest {
  return {
    format: 1, bundle_id: 'silero-vad-6.2.0', version: '6.2.0',
    roles: [{ role: 'vad', family: 'silero', bundle_name: 'silero-vad-v6.2', model: 'm/silero.onnx' }],
    files: [{ path: 'm/silero.onnx', size: 10, sha256: sha('a') }, { path: 'g.wav', size: 4, sha256: sha('b') }],
    min_parley_version: '0.1.0', device_classes: ['rpi5', 'generic'], created: '2026-01-01T00:00:00Z',
    golden: [{ name: 'g1', role: 'vad', audio: 'g.wav', expected: { probabilities: [0.1, 0.9] }, tolerance: 0.01, budgets: { latency_ms: 1000, rss_mb: 512 } }],
    key_id: keyId, ...over,
  };
}
const bytes = (m: unknown): Buffer => Buffer.from(JSON.stringify(m));
const reason = (r: string) => (e: unknown) => (e instanceof SignatureError || e instanceof ManifestError) && e.reason === r;

test('canonical JSON sorts keys at every depth, drops whitespace, refuses non-JSON values', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: true }), '{"a":[{"c":null,"d":"x"}],"b":1,"e":true}');
  assert.equal(canonicalJson(JSON.parse('{ "z" : 1.5 ,\n "y":"\\u00e9"}')), '{"y":"é","z":1.5}');
  assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite/);
  assert.throws(() => canonicalJson({ a: undefined }), /undefined/);
  assert.throws(() => canonicalJson(new Date()), /plain object/);
  fc.assert(fc.property(fc.jsonValue(), (v) => canonicalJson(JSON.parse(JSON.stringify(v))) === canonicalJson(JSON.parse(canonicalJson(v)))));
});

test('semver parses and orders like semver.org (pre-releases first)', () => {
  assert.equal(parseSemver('1.2'), undefined);
  assert.equal(parseSemver('01.2.3'), undefined);
  assert.equal(compareSemver('6.2.0', '5.9.9'), 1);
  assert.equal(compareSemver('1.0.0-rc.1', '1.0.0'), -1);
  assert.equal(compareSemver('1.0.0-alpha.2', '1.0.0-alpha.10'), -1);
  assert.equal(compareSemver('1.0.0+build', '1.0.0'), 0);
});

test('a correctly signed manifest verifies with a raw or PEM trusted key, regardless of formatting', () => {
  const k = key();
  const m = manifest(k.id);
  const sig = signManifest(m, k.priv);
  const reparsed = parseManifest(Buffer.from(JSON.stringify(m, null, 4)));
  verifyManifestSignature(reparsed, sig, { trusted_keys: [{ key_id: k.id, public_key: k.raw }], revoked_key_ids: [] });
  verifyManifestSignature(reparsed, `${sig}\n`, { trusted_keys: [{ key_id: k.id, public_key: k.pem }], revoked_key_ids: [] });
});

test('signature matrix: wrong key, unknown key, revoked key, other manifest, truncated, junk', () => {
  const k = key();
  const other = key();
  const trust = { trusted_keys: [{ key_id: k.id, public_key: k.raw }], revoked_key_ids: [] as string[] };
  const m = manifest(k.id);
  const sig = signManifest(m, k.priv);
  // Wrong key: claims k's id but signed by another key.
  assert.throws(() => verifyManifestSignature(m, signManifest(m, other.priv), trust), reason('bad_signature'));
  assert.throws(() => verifyManifestSignature(manifest(other.id), signManifest(manifest(other.id), other.priv), trust), reason('unknown_key'));
  assert.throws(() => verifyManifestSignature(m, sig, { ...trust, revoked_key_ids: [k.id] }), reason('revoked_key'));
  const changed = manifest(k.id, { version: '6.2.1' });
  assert.throws(() => verifyManifestSignature(changed, sig, trust), reason('bad_signature'));
  const goldenLoosened = manifest(k.id);
  goldenLoosened.golden[0].tolerance = 1;
  assert.throws(() => verifyManifestSignature(goldenLoosened, sig, trust), reason('bad_signature'));
  assert.throws(() => verifyManifestSignature(m, sig.slice(0, 40), trust), reason('truncated_signature'));
  assert.throws(() => verifyManifestSignature(m, '', trust), reason('truncated_signature'));
  assert.throws(() => verifyManifestSignature(m, Buffer.alloc(65).toString('base64'), trust), reason('bad_signature'));
  assert.throws(() => verifyManifestSignature(m, '!!notbase64!!', trust), reason('bad_signature'));
  assert.throws(() => verifyManifestSignature(m, sig, { trusted_keys: [{ key_id: k.id, public_key: 'c2hvcnQ=' }], revoked_key_ids: [] }), reason('unknown_key'));
});

test('verification does not read the wall clock', () => {
  const k = key();
  const m = manifest(k.id, { created: '1970-01-01T00:00:00Z' });
  const sig = signManifest(m, k.priv);
  const realNow = Date.now;
  Date.now = () => { throw new Error('wall clock read'); };
  try {
    verifyManifestSignature(m, sig, { trusted_keys: [{ key_id: k.id, public_key: k.raw }], revoked_key_ids: [] });
  } finally {
    Date.now = realNow;
  }
});

test('path safety: traversal, absolute, backslash, odd characters and reserved names are bad_path', () => {
  for (const p of ['../x', 'a/../../x', '/etc/passwd', 'a\\b', './a', 'a//b', 'a/', 'sp ace', 'manifest.json', 'signature', 'x'.repeat(101), '']) {
    assert.throws(() => checkSafePath(p, 'files[0]'), reason('bad_path'), p);
  }
  assert.equal(checkSafePath('models/v6/silero_vad.onnx', 'x'), 'models/v6/silero_vad.onnx');
  const k = key();
  const m = manifest(k.id);
  m.files[0].path = '../../etc/cron.d/evil';
  assert.throws(() => parseManifest(bytes(m)), reason('bad_path'));
});

test('malformed manifests are refused with precise messages', () => {
  const k = key();
  const cases: [string, (m: Record<string, unknown>) => unknown, RegExp][] = [
    ['not json', () => '{', /not JSON/],
    ['array root', () => [], /must be an object/],
    ['format 2', (m) => ({ ...m, format: 2 }), /format must be 1/],
    ['unknown field', (m) => ({ ...m, extra: 1 }), /unknown field "extra"/],
    ['bad sha', (m) => ({ ...m, files: [{ path: 'a', size: 1, sha256: 'XYZ' }] }), /sha256/],
    ['negative size', (m) => ({ ...m, files: [{ path: 'a', size: -1, sha256: sha('a') }] }), /size must be an integer/],
    ['no files', (m) => ({ ...m, files: [] }), /files is empty/],
    ['dup files', (m) => ({ ...m, files: [...(m.files as unknown[]), { path: 'G.wav', size: 1, sha256: sha('c') }] }), /collides/],
    ['model not listed', (m) => ({ ...m, roles: [{ role: 'vad', family: 's', bundle_name: 'n', model: 'nope.onnx' }] }), /not listed in files/],
    ['golden role unknown', (m) => ({ ...m, golden: [{ ...(m.golden as object[])[0], role: 'asr' }] }), /not one of the bundle's roles/],
    ['NaN-ish expected', (m) => ({ ...m, golden: [{ ...(m.golden as object[])[0], expected: { probabilities: ['x'] } }] }), /probabilities\[0\] must be a number/],
    ['no device classes', (m) => ({ ...m, device_classes: [] }), /device_classes is empty/],
    ['bad key id', (m) => ({ ...m, key_id: 'KEY' }), /key_id/],
  ];
  for (const [name, f, re] of cases) {
    const v = f(JSON.parse(JSON.stringify(manifest(k.id))));
    const b = typeof v === 'string' ? Buffer.from(v) : bytes(v);
    assert.throws(() => parseManifest(b), (e: unknown) => e instanceof ManifestError && e.reason === 'malformed' && re.test(e.message), name);
  }
  assert.throws(() => parseManifest(bytes(manifest(k.id, { version: 'v6' }))), reason('bad_version'));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
    try {
      parseManifest(b);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
    }
  }));
});

test('an oversized manifest is refused before parsing', () => {
  const big = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
  assert.throws(() => parseManifest(big), reason('manifest_too_large'));
});

test('policy: device class, parley version, downgrade, bad versions, force', () => {
  const m = manifest('0123456789abcdef');
  const ctx = { deviceClass: 'rpi5', parleyVersion: '0.1.0', currentVersion: '5.0.0', badVersions: [] as string[], force: false };
  checkPolicy(m, ctx);
  checkPolicy(m, { ...ctx, currentVersion: undefined });
  assert.throws(() => checkPolicy(m, { ...ctx, deviceClass: 'jetson' }), reason('incompatible_device'));
  checkPolicy({ ...m, device_classes: ['*'] }, { ...ctx, deviceClass: 'jetson' });
  assert.throws(() => checkPolicy({ ...m, min_parley_version: '0.2.0' }, ctx), reason('parley_too_old'));
  assert.throws(() => checkPolicy(m, { ...ctx, currentVersion: '6.2.0' }), reason('downgrade'));
  assert.throws(() => checkPolicy(m, { ...ctx, currentVersion: '7.0.0' }), reason('downgrade'));
  assert.throws(() => checkPolicy(m, { ...ctx, badVersions: ['6.2.0'] }), reason('downgrade'));
  checkPolicy(m, { ...ctx, currentVersion: '7.0.0', force: true });
  assert.throws(() => checkPolicy(m, { ...ctx, deviceClass: 'jetson', force: true }), reason('incompatible_device'));
});

test('configured public keys: PEM and raw base64 accepted, junk refused', () => {
  const k = key();
  assert.equal(parsePublicKey(k.pem).asymmetricKeyType, 'ed25519');
  assert.equal(parsePublicKey(k.raw).asymmetricKeyType, 'ed25519');
  assert.throws(() => parsePublicKey('AAAA'), /32 bytes/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => parsePublicKey(rsa), /not an Ed25519/);
});
