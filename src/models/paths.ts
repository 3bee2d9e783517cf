/**
 * src/models/paths.ts — where models live: the install root (the directory holding
 * parley's package.json, found from this file's location), the models directory and
 * the manifest path, both from config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrozenConfig } from '../config/schema.js';

let cachedRoot: string | undefined;

/** The parley install root: nearest ancestor of this module holding parley's package.json. */
export function installRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'parley') return (cachedRoot = dir);
      } catch {
        // an unreadable package.json of some parent project: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find parley's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

type ModelsCfg = Pick<FrozenConfig, 'models'>;

/** Absolute models directory (`models.dir`, relative to the install root). */
export function modelsDir(cfg: ModelsCfg): string {
  const d = cfg.models.dir;
  return isAbsolute(d) ? d : resolve(installRoot(), d);
}

/** Absolute manifest path (`models.manifest`, or `<root>/models/manifest.json`). */
export function manifestPath(cfg: ModelsCfg): string {
  const m = cfg.models.manifest;
  if (m === '') return join(installRoot(), 'models', 'manifest.json');
  return isAbsolute(m) ? m : resolve(installRoot(), m);
}
