/**
 * OTA bundle manifest: parse, validate, sign and verify (pure; node:crypto Ed25519).
 *
 * The signature covers canonicalJson(manifest without `signature`), so formatting of
 * manifest.json does not matter and every field, including golden expectations and
 * budgets, is signed. Verification never reads the wall clock: `created` is informational
 * (boards boot without an RTC). Every refusal is a SignatureError/ManifestError with a
 * distinct `.reason`.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { ManifestError, SignatureError } from '../util/errors.js';
import { canonicalJson } from './canonical-json.js';
import { parsePublicKey, type TrustedKey } from './keys.js';
import { compareSemver, parseSemver } from './semver.js';

export const MANIFEST_FORMAT = 1;
export const MAX_MANIFEST_BYTES = 1024 * 1024;
export const SIGNATURE_BYTES = 64;
/** Names reserved for the container itself. */
export const RESERVED_NAMES = new Set(['manifest.json', 'signature']);

export interface BundleRole {
  role: string;
  family: string;
  bundle_name: string;
  /** Path (in `files`) of the model file this role loads. */
  model: string;
}
export interface BundleFile {
  path: string;
  size: number;
  sha256: string;
}
export interface GoldenCase {
  name: string;
  role: string;
  /** Path (in `files`) of a 16 kHz mono 16-bit WAV. */
  audio: string;
  /** Per role: VAD → `probabilities` per 512-sample chunk. */
  expected: { probabilities?: number[] };
  /** Maximum absolute difference allowed per value. */
  tolerance: number;
  budgets: { latency_ms: number; rss_mb: number };
}
export interface BundleManifest {
  format: 1;
  bundle_id: string;
  version: string;
  roles: BundleRole[];
  files: BundleFile[];
  min_parley_version: string;
  device_classes: string[];
  created: string;
  golden: GoldenCase[];
  key_id: string;
}

export interface TrustConfig {
  trusted_keys: readonly TrustedKey[];
  revoked_key_ids: readonly string[];
}

const ID_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const SHA_RE = /^[0-9a-f]{64}$/;

/** A bundle-relative path that cannot escape its directory: no `..`, absolute, backslash or odd bytes. */
export function checkSafePath(p: unknown, where: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 100) throw new ManifestError('bad_path', `${where}: path must be 1-100 characters`);
  if (p.includes('\\')) throw new ManifestError('bad_path', `${where}: backslash in path ${JSON.stringify(p)}`);
  if (p.startsWith('/')) throw new ManifestError('bad_path', `${where}: absolute path ${JSON.stringify(p)}`);
  for (const seg of p.split('/')) {
    if (seg === '..' || seg === '.' || seg === '') throw new ManifestError('bad_path', `${where}: unsafe path segment in ${JSON.stringify(p)}`);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(p)) throw new ManifestError('bad_path', `${where}: path ${JSON.stringify(p)} has characters outside [A-Za-z0-9._/-]`);
  if (RESERVED_NAMES.has(p)) throw new ManifestError('bad_path', `${where}: ${p} is reserved`);
  return p;
}

function fail(msg: string): never {
  throw new ManifestError('malformed', msg);
}
function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be an object`);
  return v as Record<string, unknown>;
}
function str(o: Record<string, unknown>, k: string, where: string, re?: RegExp): string {
  const v = o[k];
  if (typeof v !== 'string') fail(`${where}.${k} must be a string`);
  if (re && !re.test(v)) fail(`${where}.${k} ${JSON.stringify(v.slice(0, 80))} does not match ${re.source}`);
  return v;
}
function num(o: Record<string, unknown>, k: string, where: string, min: number, max: number, int = false): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
    fail(`${where}.${k} must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  }
  return v;
}
function arr(o: Record<string, unknown>, k: string, where: string, max: number): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) fail(`${where}.${k} must be an array`);
  if (v.length > max) fail(`${where}.${k} has more than ${max} entries`);
  return v;
}
function semver(o: Record<string, unknown>, k: string): string {
  const v = str(o, k, 'manifest');
  if (!parseSemver(v)) throw new ManifestError('bad_version', `manifest.${k} ${JSON.stringify(v.slice(0, 40))} is not a semantic version`);
  return v;
}
function noExtra(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${where}: unknown field ${JSON.stringify(k)}`);
}

/** Parse and structurally validate manifest bytes (size cap first, then JSON, then shape). */
export function parseManifest(bytes: Uint8Array): BundleManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ManifestError('manifest_too_large', `manifest is ${bytes.length} bytes, the limit is ${MAX_MANIFEST_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    fail(`manifest.json is not JSON: ${(e as Error).message}`);
  }
  const m = obj(raw, 'manifest');
  noExtra(m, ['format', 'bundle_id', 'version', 'roles', 'files', 'min_parley_version', 'device_classes', 'created', 'golden', 'key_id', 'signature'], 'manifest');
  if (m.format !== MANIFEST_FORMAT) fail(`manifest.format must be ${MANIFEST_FORMAT} (got ${JSON.stringify(m.format)})`);
  const files = arr(m, 'files', 'manifest', 1000).map((f, i) => {
    const o = obj(f, `files[${i}]`);
    noExtra(o, ['path', 'size', 'sha256'], `files[${i}]`);
    return { path: checkSafePath(o.path, `files[${i}]`), size: num(o, 'size', `files[${i}]`, 0, 2 ** 40, true), sha256: str(o, 'sha256', `files[${i}]`, SHA_RE) };
  });
  if (files.length === 0) fail('manifest.files is empty');
  const paths = new Set<string>();
  for (const f of files) {
    const lower = f.path.toLowerCase();
    for (const p of paths) if (p === lower || lower.startsWith(`${p}/`) || p.startsWith(`${lower}/`)) fail(`files: ${f.path} collides with another entry`);
    paths.add(lower);
  }
  const inFiles = (p: string, where: string): string => {
    checkSafePath(p, where);
    if (!files.some((f) => f.path === p)) fail(`${where}: ${p} is not listed in files`);
    return p;
  };
  const roles = arr(m, 'roles', 'manifest', 16).map((r, i) => {
    const o = obj(r, `roles[${i}]`);
    noExtra(o, ['role', 'family', 'bundle_name', 'model'], `roles[${i}]`);
    return {
      role: str(o, 'role', `roles[${i}]`, ID_RE), family: str(o, 'family', `roles[${i}]`, ID_RE),
      bundle_name: str(o, 'bundle_name', `roles[${i}]`, ID_RE), model: inFiles(str(o, 'model', `roles[${i}]`), `roles[${i}].model`),
    };
  });
  if (roles.length === 0) fail('manifest.roles is empty');
  if (new Set(roles.map((r) => r.role)).size !== roles.length) fail('manifest.roles lists a role twice');
  const golden = arr(m, 'golden', 'manifest', 64).map((g, i) => {
    const w = `golden[${i}]`;
    const o = obj(g, w);
    noExtra(o, ['name', 'role', 'audio', 'expected', 'tolerance', 'budgets'], w);
    const role = str(o, 'role', w, ID_RE);
    if (!roles.some((r) => r.role === role)) fail(`${w}.role ${role} is not one of the bundle's roles`);
    const e = obj(o.expected, `${w}.expected`);
    noExtra(e, ['probabilities'], `${w}.expected`);
    let probabilities: number[] | undefined;
    if (e.probabilities !== undefined) {
      const p = arr(e, 'probabilities', `${w}.expected`, 100000);
      probabilities = p.map((x, j) => (typeof x === 'number' && Number.isFinite(x) ? x : fail(`${w}.expected.probabilities[${j}] must be a number`)));
    }
    const b = obj(o.budgets, `${w}.budgets`);
    noExtra(b, ['latency_ms', 'rss_mb'], `${w}.budgets`);
    return {
      name: str(o, 'name', w, ID_RE), role, audio: inFiles(str(o, 'audio', w), `${w}.audio`),
      expected: probabilities ? { probabilities } : {}, tolerance: num(o, 'tolerance', w, 0, 1),
      budgets: { latency_ms: num(b, 'latency_ms', `${w}.budgets`, 1, 600000), rss_mb: num(b, 'rss_mb', `${w}.budgets`, 1, 65536) },
    };
  });
  const deviceClasses = arr(m, 'device_classes', 'manifest', 64).map((d, i) => (typeof d === 'string' && ID_RE.test(d) || d === '*' ? d : fail(`device_classes[${i}] must be an id or "*"`)));
  if (deviceClasses.length === 0) fail('manifest.device_classes is empty (use ["*"] for any)');
  return {
    format: 1, bundle_id: str(m, 'bundle_id', 'manifest', ID_RE), version: semver(m, 'version'), roles, files,
    min_parley_version: semver(m, 'min_parley_version'), device_classes: deviceClasses,
    created: typeof m.created === 'string' ? m.created : fail('manifest.created must be a string'),
    golden, key_id: str(m, 'key_id', 'manifest', /^[0-9a-f]{16}$/),
  };
}

/** The exact bytes the signature covers. */
export function signedBytes(m: BundleManifest): Buffer {
  const { ...rest } = m as BundleManifest & { signature?: unknown };
  delete rest.signature;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Sign a manifest; returns the base64 signature text stored next to it. */
export function signManifest(m: BundleManifest, privateKey: KeyObject): string {
  return sign(null, signedBytes(m), privateKey).toString('base64');
}

/**
 * Verify the signature text against the trust config. Order: revoked before unknown
 * (a revoked key stays refused even if someone leaves it in trusted_keys).
 */
export function verifyManifestSignature(m: BundleManifest, signatureText: string, trust: TrustConfig): void {
  if (trust.revoked_key_ids.includes(m.key_id)) throw new SignatureError('revoked_key', `key ${m.key_id} is revoked`);
  const entry = trust.trusted_keys.find((k) => k.key_id === m.key_id);
  if (!entry) throw new SignatureError('unknown_key', `key ${m.key_id} is not in ota.trusted_keys`, { hint: 'add the key printed by `parley models keygen` to ota.trusted_keys' });
  const t = signatureText.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new SignatureError('bad_signature', 'signature is not base64');
  const sig = Buffer.from(t, 'base64');
  if (sig.length < SIGNATURE_BYTES) throw new SignatureError('truncated_signature', `signature is ${sig.length} bytes, Ed25519 needs ${SIGNATURE_BYTES}`);
  if (sig.length !== SIGNATURE_BYTES) throw new SignatureError('bad_signature', `signature is ${sig.length} bytes, Ed25519 needs ${SIGNATURE_BYTES}`);
  let key: KeyObject;
  try {
    key = parsePublicKey(entry.public_key);
  } catch (e) {
    throw new SignatureError('unknown_key', `configured key ${m.key_id} is unusable: ${(e as Error).message}`);
  }
  if (!verify(null, signedBytes(m), key, sig)) throw new SignatureError('bad_signature', `signature does not verify with key ${m.key_id}`);
}

export interface PolicyContext {
  deviceClass: string;
  parleyVersion: string;
  /** Version currently committed for any of the bundle's roles (undefined: none). */
  currentVersion: string | undefined;
  /** Versions marked bad after a rollback. */
  badVersions: readonly string[];
  force: boolean;
}

/** Compatibility and version policy, checked after the signature. */
export function checkPolicy(m: BundleManifest, ctx: PolicyContext): void {
  if (!m.device_classes.includes('*') && !m.device_classes.includes(ctx.deviceClass)) {
    throw new ManifestError('incompatible_device', `bundle is for ${m.device_classes.join(',')}, this device is ${ctx.deviceClass}`);
  }
  if (compareSemver(ctx.parleyVersion, m.min_parley_version) < 0) {
    throw new ManifestError('parley_too_old', `bundle needs parley >= ${m.min_parley_version}, this is ${ctx.parleyVersion}`);
  }
  if (ctx.force) return;
  if (ctx.badVersions.includes(m.version)) throw new ManifestError('downgrade', `version ${m.version} was rolled back earlier and is marked bad (use --force)`);
  if (ctx.currentVersion !== undefined && compareSemver(m.version, ctx.currentVersion) <= 0) {
    throw new ManifestError('downgrade', `version ${m.version} is not newer than installed ${ctx.currentVersion} (use --force)`);
  }
}
