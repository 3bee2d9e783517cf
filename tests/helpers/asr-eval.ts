/**
 * Test helpers for ASR: locate the shared evaluation recordings and Debian's
 * pocketsphinx-testdata, read PCM16 WAV files, synthesize silence / white noise.
 * Missing data fails loudly with the command that installs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

/** PARLEY_EVAL_DIR, else <repo>/../shared/eval, else /work/shared/eval. */
export function evalDir(): string {
  const candidates = [process.env.PARLEY_EVAL_DIR, resolve(REPO_ROOT, '..', 'shared', 'eval'), '/work/shared/eval'].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(join(c, 'jfk', 'jfk.wav')));
  if (!found) throw new Error(`evaluation recordings not found (tried ${candidates.join(', ')}); set PARLEY_EVAL_DIR to the folder holding jfk/ and pyannote-sample/`);
  return found;
}

/** The five LibriVox utterances of pocketsphinx-testdata with their reference text. */
export function librivoxSet(): Array<{ id: string; wav: string; reference: string }> {
  const tr = join(LIBRIVOX_DIR, 'transcription');
  if (!existsSync(tr)) {
    throw new Error(`${tr} is missing: run \`sudo apt-get install pocketsphinx-testdata\` (listed in scripts/install-system-deps.sh)`);
  }
  return readFileSync(tr, 'utf8').split('\n').filter((l) => l.trim()).map((line) => {
    const m = /^(.*)\(([^()]+)\)\s*$/.exec(line);
    if (!m) throw new Error(`unexpected line in ${tr}: ${line}`);
    const id = m[2]!;
    return { id, wav: join(LIBRIVOX_DIR, `${id}.wav`), reference: m[1]!.replace(/<\/?s>/g, ' ').trim() };
  });
}

/** Read a 16-bit PCM mono WAV (walks the chunks, so LIST chunks are skipped). */
export function readWavMono16(file: string): { samples: Float32Array; sampleRateHz: number } {
  const b = readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a RIFF/WAVE file`);
  let off = 12;
  let rate = 0;
  let channels = 0;
  let bits = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      channels = b.readUInt16LE(body + 2);
      rate = b.readUInt32LE(body + 4);
      bits = b.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (channels !== 1 || bits !== 16) throw new Error(`${file}: need mono 16-bit PCM, got ${channels} ch ${bits} bit`);
      const n = Math.floor(Math.min(size, b.length - body) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(body + 2 * i) / 32768;
      return { samples, sampleRateHz: rate };
    }
    off = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

export function jfk(): { samples: Float32Array; reference: string } {
  const dir = join(evalDir(), 'jfk');
  const { samples, sampleRateHz } = readWavMono16(join(dir, 'jfk.wav'));
  if (sampleRateHz !== 16000) throw new Error('jfk.wav is not 16 kHz');
  // jfk.txt is Kaldi `text` style: "<utterance-id> <transcript>".
  const reference = readFileSync(join(dir, 'jfk.txt'), 'utf8').trim().replace(/^jfk\s+/, '');
  return { samples, reference };
}

/** Deterministic white noise (xorshift32 → uniform), amplitude in full scale. */
export function whiteNoise(seconds: number, amplitude = 0.3, seed = 12345): Float32Array {
  const n = Math.round(seconds * 16000);
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = ((s / 0xffffffff) * 2 - 1) * amplitude;
  }
  return out;
}

export function silence(seconds: number): Float32Array {
  return new Float32Array(Math.round(seconds * 16000));
}
