/**
 * Which model file the supervisor loads for a role: the OTA-installed bundle when one is
 * active (re-verified: size + sha256 from the pointer), otherwise the shipped bundle from
 * the model manifest (`vad.model` for the VAD), verified by the model store.
 */
import type { FrozenConfig } from '../config/schema.js';
import { getBundle } from '../models/manifest.js';
import { loadConfiguredManifest, resolveBundle } from '../models/model-store.js';
import { modelsDir } from '../models/paths.js';
import { join } from 'node:path';
import { ModelIntegrityError } from '../util/errors.js';
import { loadPointer } from './ota-state.js';
import { roleIntact } from './slots.js';
import type { OtaUpdater } from './updater.js';

export interface ActiveModel {
  path: string;
  source: 'ota' | 'shipped';
  version?: string;
  bundleName: string;
}

export async function resolveActiveModel(u: OtaUpdater, cfg: FrozenConfig, role: string): Promise<ActiveModel> {
  const r = loadPointer(u.paths)[role];
  if (r) {
    const path = u.activeModelPath(role)!;
    if (!roleIntact(u.paths, role, r)) throw new ModelIntegrityError(path, 'OTA slot file does not match its recorded size/sha256 (run `parley models rollback` or restart to recover)');
    return { path, source: 'ota', version: r.version, bundleName: r.bundle_name };
  }
  const name = role === 'vad' ? cfg.vad.model : undefined;
  if (!name) throw new ModelIntegrityError(role, `no OTA bundle and no shipped model configured for role ${role}`);
  const b = await resolveBundle(cfg, name);
  const onnx = Object.values(b.files).find((p) => p.endsWith('.onnx'));
  if (!onnx) throw new ModelIntegrityError(name, 'shipped bundle has no .onnx file');
  return { path: onnx, source: 'shipped', bundleName: name };
}

/**
 * Path of the shipped model for a role from the model manifest (not verified here: the
 * loader verifies it). The updater's default `fallbackModelPath`.
 */
export function shippedModelPath(cfg: FrozenConfig, role: string): string | undefined {
  const name = role === 'vad' ? cfg.vad.model : undefined;
  if (!name) return undefined;
  const f = getBundle(loadConfiguredManifest(cfg), name).files.find((x) => x.path.endsWith('.onnx'));
  return f ? join(modelsDir(cfg), f.path) : undefined;
}
