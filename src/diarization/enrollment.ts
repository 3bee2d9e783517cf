import { AppError } from '../util/errors.js';
import { BuiltinEmbedder } from './builtin-embedder.js';

export interface EnrollmentOptions {
  /** Least voiced speech needed (ms). */
  minSpeechMs?: number;
  /** Least loud-vs-quiet frame energy ratio (dB) — below this the clip is too noisy. */
  minSnrDb?: number;
}

export interface EnrollmentResult {
  embedding: Float32Array;
  speechMs: number;
  snrDb: number;
  engine: string;
}

/**
 * Checks an enrollment clip and computes its voiceprint (built-in engine).
 * Too little speech or too much noise is an `ENROLLMENT` error with what to do.
 * The voiceprint is computed over the frames within 30 dB of the loudest.
 */
export function enrollFromSamples(samples: Float32Array, opts: EnrollmentOptions = {}): EnrollmentResult {
  const minSpeechMs = opts.minSpeechMs ?? 3000;
  const minSnrDb = opts.minSnrDb ?? 15;
  const emb = new BuiltinEmbedder();
  const c = emb.analyze(samples);
  if (c.frames === 0) throw new AppError('ENROLLMENT', 'enrollment clip is empty', { hint: `record at least ${minSpeechMs / 1000} s of clear speech` });
  const e = Array.from(c.logEnergy).sort((a, b) => a - b);
  const p10 = e[Math.floor(e.length * 0.1)];
  const p95 = e[Math.floor(e.length * 0.95)];
  const snrDb = (10 / Math.LN10) * (p95 - p10);
  const speechFloor = p95 - 6.9;
  const speechFrames = c.logEnergy.filter((x) => x >= speechFloor && x > Math.log(1e-7)).length;
  const speechMs = (speechFrames * c.hopSamples * 1000) / 16000;
  if (speechMs < minSpeechMs) {
    throw new AppError('ENROLLMENT', `enrollment clip has ${(speechMs / 1000).toFixed(1)} s of speech, need at least ${minSpeechMs / 1000} s`, {
      hint: 'use a longer clip of only this speaker talking',
    });
  }
  if (snrDb < minSnrDb) {
    throw new AppError('ENROLLMENT', `enrollment clip is too noisy (speech-to-background ${snrDb.toFixed(1)} dB, need ${minSnrDb} dB)`, {
      hint: 'record closer to the microphone or in a quieter room; a clip with some pauses helps the estimate',
    });
  }
  return { embedding: emb.pool(c, 0, c.frames), speechMs, snrDb, engine: 'builtin' };
}
