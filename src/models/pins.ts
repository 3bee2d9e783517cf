/**
 * src/models/pins.ts — sha256/size pins for manifest files whose hash is not known in
 * the manifest (`sha256: null`). Such a file is downloaded only when the user passes
 * `--trust-on-first-use`; that download records the identity in `<models dir>/.pins.json`
 * (atomic write, marked `trust: "first-use"`), and every later verify checks against it.
 */
import { join } from 'node:path';
import { readFileRecovering, writeFileAtomic } from '../platform/atomic-file.js';
import { AppError } from '../util/errors.js';

export interface Pin {
  size: number;
  sha256: string;
  /** ISO time of the download that pinned it. */
  pinnedAt: string;
  /** Source that delivered the pinned bytes (URL or npm spec). */
  source: string;
  /** How the identity came to be trusted: the first download, accepted with --trust-on-first-use. */
  trust?: 'first-use';
}

export const PINS_FILE = '.pins.json';

export function readPins(modelsDir: string): Record<string, Pin> {
  const file = join(modelsDir, PINS_FILE);
  const r = readFileRecovering(file);
  if (!r) return {};
  try {
    const data = JSON.parse(r.data.toString('utf8')) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    for (const [k, v] of Object.entries(data)) {
      const p = v as Partial<Pin>;
      if (typeof p.size !== 'number' || typeof p.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.sha256)) throw new Error(`bad entry ${k}`);
    }
    return data as Record<string, Pin>;
  } catch (e) {
    throw new AppError('MANIFEST', `${file} is corrupt: ${(e as Error).message}`, {
      cause: e, hint: `delete ${file} and fetch the unpinned models again`,
    });
  }
}

export function writePin(modelsDir: string, relPath: string, pin: Pin): void {
  const pins = readPins(modelsDir);
  pins[relPath] = pin;
  writeFileAtomic(join(modelsDir, PINS_FILE), `${JSON.stringify(pins, null, 2)}\n`);
}
