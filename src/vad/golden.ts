/**
 * src/vad/golden.ts — the built-in golden-output check for VAD models.
 *
 * The input is generated in code, deterministically (integer PRNG, V8's fdlibm-based
 * Math.sin, float32 rounding), so it ships with the product without an audio file.
 * The expected per-window probabilities live in the manifest (`golden`), recorded with
 * the pinned model. After every load the engine must reproduce them within `tolerance`:
 * a model that passes the sha256 check but computes something else (a flipped weight
 * bit in RAM or a broken runtime) is refused with ModelIntegrityError.
 */
import type { GoldenSpec } from '../models/manifest.js';
import { ModelIntegrityError } from '../util/errors.js';
import { mulberry32 } from '../util/prng.js';

const SR = 16000;

const prng = mulberry32;

/**
 * `synthetic-voiced-v1`: 62 windows of 512 samples (1.984 s): 0.5 s of faint noise, 1 s of
 * a voiced harmonic series (f0 gliding 110→190 Hz, 12 harmonics shaped by two formant
 * peaks, 4 Hz syllable modulation) over noise, then faint noise again.
 */
function syntheticVoicedV1(): Float32Array {
  const n = 62 * 512;
  const out = new Float32Array(n);
  const rnd = prng(0x9a1e7);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const noise = (rnd() - 0.5) * 0.01;
    let v = 0;
    if (t >= 0.5 && t < 1.5) {
      const u = (t - 0.5) / 1.0;
      const f0 = 110 + 80 * u;
      phase += (2 * Math.PI * f0) / SR;
      const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * (t - 0.5));
      for (let h = 1; h <= 12; h++) {
        const f = h * f0;
        const formant = Math.exp(-(((f - 700) / 250) ** 2)) + 0.6 * Math.exp(-(((f - 1200) / 300) ** 2)) + 0.05;
        v += formant * Math.sin(h * phase) / h;
      }
      v *= 0.25 * syllable;
    }
    out[i] = Math.fround(v + noise);
  }
  return out;
}

const INPUTS: Record<string, () => Float32Array> = { 'synthetic-voiced-v1': syntheticVoicedV1 };

/** The deterministic input named by a manifest golden spec. */
export function goldenInput(name: string): Float32Array {
  const gen = INPUTS[name];
  if (!gen) throw new ModelIntegrityError(name, `unknown golden input "${name}" (known: ${Object.keys(INPUTS).join(', ')})`, { hint: 'the manifest names a golden input this parley version does not have; upgrade parley or fix the manifest' });
  return gen();
}

export interface GoldenResult {
  maxAbsDiff: number;
  /** Index of the worst window. */
  worst: number;
}

/**
 * Compare `got` with the golden expectation; throws ModelIntegrityError naming the file
 * on any difference above tolerance (NaN counts as a failure).
 */
export function checkGolden(file: string, spec: GoldenSpec, got: ArrayLike<number>): GoldenResult {
  if (got.length !== spec.expected.length) {
    throw new ModelIntegrityError(file, `golden check produced ${got.length} values, expected ${spec.expected.length}`);
  }
  let maxAbsDiff = 0;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - spec.expected[i]);
    if (!(d <= maxAbsDiff)) {
      maxAbsDiff = Number.isNaN(d) ? Infinity : d;
      worst = i;
    }
  }
  if (!(maxAbsDiff <= spec.tolerance)) {
    throw new ModelIntegrityError(file, `golden-output check failed: window ${worst} gave ${got[worst]}, expected ${spec.expected[worst]} (max |diff| ${maxAbsDiff} > tolerance ${spec.tolerance})`, {
      hint: 'the model computes wrong outputs although its file may hash correctly (corrupt weights in memory, a broken onnxruntime, or a wrong model); fetch it again and check the runtime',
    });
  }
  return { maxAbsDiff, worst };
}
