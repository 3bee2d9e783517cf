/**
 * src/models/model-store.ts — resolve a manifest bundle to verified files on disk.
 *
 * `resolveBundle` never returns an unverified path: every file of the bundle is checked
 * (size + sha256 from the manifest, or the pin recorded at first download) before the
 * caller may load it. `bundleStatus` reports the same checks without throwing (for
 * `parley models list|verify` and `parley doctor`).
 */
import { basename, dirname, join } from 'node:path';
import type { FrozenConfig } from '../config/schema.js';
import { AppError } from '../util/errors.js';
import { getBundle, loadManifest, type GoldenSpec, type ManifestBundle, type ManifestFile, type ModelManifest, type ModelPrecision, type ModelRole } from './manifest.js';
import { manifestPath, modelsDir } from './paths.js';
import { readPins, type Pin } from './pins.js';
import { verifyFile, type ExpectedIdentity } from './verify.js';

type ModelsCfg = Pick<FrozenConfig, 'models'>;

export interface ResolvedBundle {
  name: string;
  role: ModelRole;
  family: string;
  precision: ModelPrecision;
  /** Directory of the bundle's first file. */
  dir: string;
  /** basename → absolute path, every one verified. */
  files: Record<string, string>;
  verified: true;
  golden?: GoldenSpec;
  metadata?: Record<string, unknown>;
}

export type FileState = 'verified' | 'missing' | 'corrupt' | 'unpinned';

export interface FileStatus {
  path: string;
  absPath: string;
  state: FileState;
  /** Expected size (manifest or pin), null when unknown. */
  expectedSize: number | null;
  /** Set when the hash comes from a first-download pin rather than the manifest. */
  pinned: boolean;
  /** Where the expected identity comes from: the manifest (published), a trust-on-first-use pin, or nowhere yet. */
  trust: 'manifest' | 'first-use' | 'none';
  message?: string;
}

export interface BundleStatus {
  name: string;
  bundle: ManifestBundle;
  files: FileStatus[];
  /** verified only if every file is. */
  state: 'verified' | 'missing' | 'corrupt' | 'partial' | 'unpinned';
}

/** Load the manifest configured in `cfg`. */
export function loadConfiguredManifest(cfg: ModelsCfg): ModelManifest {
  return loadManifest(manifestPath(cfg));
}

/** The identity a file must have: the manifest's, else its pin. */
export function expectedIdentity(f: ManifestFile, pins: Record<string, Pin>): ExpectedIdentity & { pinned: boolean } {
  const pin = pins[f.path];
  if (f.sha256 !== null) return { size: f.size, sha256: f.sha256, pinned: false };
  if (pin) return { size: f.size ?? pin.size, sha256: pin.sha256, pinned: true };
  return { size: f.size, sha256: null, pinned: false };
}

export function fixCommand(name: string): string {
  return `\`parley models fetch ${name}\` (or \`npm run models:fetch\`)`;
}

/**
 * Resolve bundle `name`: every file exists and matches its size and sha256.
 * Throws ModelMissingError / ModelIntegrityError naming the file and the fix.
 */
export async function resolveBundle(cfg: ModelsCfg, name: string, manifest?: ModelManifest): Promise<ResolvedBundle> {
  const m = manifest ?? loadConfiguredManifest(cfg);
  const b = getBundle(m, name);
  const dir = modelsDir(cfg);
  const pins = readPins(dir);
  const files: Record<string, string> = {};
  for (const f of b.files) {
    const abs = join(dir, f.path);
    await verifyFile(abs, expectedIdentity(f, pins), fixCommand(name));
    files[basename(f.path)] = abs;
  }
  const out: ResolvedBundle = {
    name, role: b.role, family: b.family, precision: b.precision,
    dir: dirname(join(dir, b.files[0].path)), files, verified: true,
  };
  if (b.golden) out.golden = b.golden;
  if (b.metadata) out.metadata = b.metadata;
  return out;
}

/** Check every file of a bundle without throwing for missing/corrupt files. */
export async function bundleStatus(cfg: ModelsCfg, name: string, manifest?: ModelManifest): Promise<BundleStatus> {
  const m = manifest ?? loadConfiguredManifest(cfg);
  const b = getBundle(m, name);
  const dir = modelsDir(cfg);
  const pins = readPins(dir);
  const files: FileStatus[] = [];
  for (const f of b.files) {
    const abs = join(dir, f.path);
    const id = expectedIdentity(f, pins);
    const trust = f.sha256 !== null ? 'manifest' : id.pinned ? 'first-use' : 'none';
    const st: FileStatus = { path: f.path, absPath: abs, state: 'verified', expectedSize: id.size, pinned: id.pinned, trust };
    try {
      await verifyFile(abs, id, fixCommand(name));
    } catch (e) {
      const err = e as AppError;
      st.state = err.code === 'MODEL_MISSING' ? 'missing' : id.sha256 === null ? 'unpinned' : 'corrupt';
      st.message = err instanceof AppError ? err.message : String(e);
      if (err.code !== 'MODEL_MISSING' && err.code !== 'MODEL_INTEGRITY') throw e;
    }
    files.push(st);
  }
  const states = new Set(files.map((f) => f.state));
  let state: BundleStatus['state'];
  if (states.size === 1) state = files[0].state;
  else if (states.has('corrupt')) state = 'corrupt';
  else if (states.has('verified')) state = 'partial';
  else state = states.has('unpinned') ? 'unpinned' : 'missing';
  return { name, bundle: b, files, state };
}
