import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import type { FrozenConfig } from '../../src/config/schema.js';

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export interface TempModels {
  root: string;
  dir: string;
  manifestFile: string;
  cfg: FrozenConfig;
}

/**
 * A temp models dir + manifest. `bundles` is written verbatim into the manifest;
 * `files` (relative path → content) are written into the models dir.
 */
export function tempModels(bundles: Record<string, unknown>, files: Record<string, Uint8Array | string> = {}, extraCfg: Record<string, unknown> = {}): TempModels {
  const root = mkdtempSync(join(tmpdir(), 'parley-models-'));
  const dir = join(root, 'models');
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  const manifestFile = join(root, 'manifest.json');
  writeFileSync(manifestFile, JSON.stringify({ manifest_version: 1, defaults: [], bundles }));
  const cfg = defaultConfig({ models: { dir, manifest: manifestFile, ...extraCfg } });
  return { root, dir, manifestFile, cfg };
}

/** A one-file bundle whose file has the given content (pinned in the manifest). */
export function oneFileBundle(rel: string, content: Uint8Array | string, sources: unknown[] = [{ type: 'url', url: 'http://127.0.0.1:9/x' }]): Record<string, unknown> {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    role: 'vad', family: 'test', precision: 'fp32', license: 'MIT', description: 'test bundle',
    files: [{ path: rel, size: buf.length, sha256: sha256(buf), sources }],
  };
}
