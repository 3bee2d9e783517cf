import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../../src/config/load.js';
import { resolveBundle, type ResolvedBundle } from '../../src/models/model-store.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The shared evaluation recordings: PARLEY_EVAL_DIR, <repo>/../shared/eval, /work/shared/eval. */
export function evalDir(): string {
  const candidates = [process.env.PARLEY_EVAL_DIR, resolve(REPO_ROOT, '..', 'shared', 'eval'), '/work/shared/eval'].filter((x): x is string => !!x);
  const found = candidates.find((c) => existsSync(join(c, 'pyannote-sample', 'sample.wav')));
  if (!found) throw new Error(`evaluation audio not found in ${candidates.join(', ')}: set PARLEY_EVAL_DIR to the shared eval directory`);
  return found;
}

/** A VAD bundle from the install's models dir; fails loudly when not fetched. */
export async function installedVad(name = 'silero-vad-v6.2'): Promise<ResolvedBundle> {
  try {
    return await resolveBundle(defaultConfig(), name);
  } catch (e) {
    throw new Error(`real Silero model ${name} is not installed/verified (${(e as Error).message}): run \`npm run build && npm run models:fetch\` first`);
  }
}

/** Minimal reader for 16-bit PCM mono WAV (test helper; the product has its own reader). */
export function readPcm16Mono(file: string): { sampleRateHz: number; samples: Float32Array } {
  const b = readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file} is not a RIFF/WAVE file`);
  let off = 12;
  let fmt: { channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = { channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    if (id === 'data') {
      if (!fmt || fmt.channels !== 1 || fmt.bits !== 16) throw new Error(`${file}: only 16-bit mono PCM is supported by this helper`);
      const n = Math.floor(Math.min(size, b.length - off - 8) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(off + 8 + 2 * i) / 32768;
      return { sampleRateHz: fmt.rate, samples };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}
