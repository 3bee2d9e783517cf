import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** PARLEY_EVAL_DIR, else <repo>/../shared/eval, else /work/shared/eval; throws when none exists. */
export function evalDir(): string {
  const candidates = [process.env.PARLEY_EVAL_DIR, path.resolve(REPO_ROOT, '..', 'shared', 'eval'), '/work/shared/eval'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error(`evaluation audio not found (tried ${candidates.filter(Boolean).join(', ')}); set PARLEY_EVAL_DIR to the shared/eval folder`);
}

/** Minimal RIFF/WAVE PCM16 mono reader for test audio; throws on anything else. */
export function readPcm16Wav(file: string, maxSamples = Infinity): { sampleRateHz: number; samples: Float32Array } {
  const b = readFileSync(file);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a RIFF/WAVE file`);
  let off = 12;
  let fmt: { channels: number; rate: number; bits: number; format: number } | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.bits !== 16 || fmt.channels !== 1) throw new Error(`${file}: expected PCM16 mono`);
      const n = Math.min(Math.floor(Math.min(size, b.length - body) / 2), maxSamples);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(body + 2 * i) / 32768;
      return { sampleRateHz: fmt.rate, samples };
    }
    off = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/** First `seconds` of the real jfk recording, float in [-1,1]. */
export function jfkSamples(seconds: number): Float32Array {
  const { sampleRateHz, samples } = readPcm16Wav(path.join(evalDir(), 'jfk', 'jfk.wav'), Math.round(seconds * 16000));
  if (sampleRateHz !== 16000) throw new Error('jfk.wav: expected 16 kHz');
  return samples;
}

export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}
