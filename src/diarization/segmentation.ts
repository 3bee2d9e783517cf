import type { EngineFactory } from '../inference/engine.js';
import { MetadataReader, onnxPrecision, readOnnxMetadata } from '../asr/transducer-onnx-metadata.js';
import { ModelLoadError } from '../util/errors.js';
import { createDiarizationSession, type Ort, type OrtSession } from './ort-session.js';

export interface SegmentationModelInfo {
  sampleRateHz: number;
  windowSamples: number;
  receptiveFieldSize: number;
  receptiveFieldShift: number;
  numSpeakers: number;
  powersetMaxClasses: number;
  numClasses: number;
  precision: 'int8' | 'fp32';
}

/**
 * Powerset classes in pyannote order: the empty set, then every single speaker, then
 * every pair (i < j), ... up to `maxClasses` speakers at once.
 */
export function powersetClasses(numSpeakers: number, maxClasses: number): number[][] {
  const out: number[][] = [[]];
  const rec = (start: number, cur: number[], size: number): void => {
    if (cur.length === size) {
      out.push([...cur]);
      return;
    }
    for (let s = start; s < numSpeakers; s++) rec(s + 1, [...cur, s], size);
  };
  for (let k = 1; k <= maxClasses; k++) rec(0, [], k);
  return out;
}

/** Decode powerset log-probabilities [frames x classes] into per-speaker activity [frames x speakers] (0/1), argmax per frame. */
export function decodePowerset(logp: Float32Array, frames: number, classes: readonly number[][], numSpeakers: number): Uint8Array {
  const C = classes.length;
  const out = new Uint8Array(frames * numSpeakers);
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (logp[t * C + c] > logp[t * C + best]) best = c;
    for (const s of classes[best]) out[t * numSpeakers + s] = 1;
  }
  return out;
}

/**
 * pyannote segmentation 3.0 runner (sherpa-onnx export): input x f32[1, 1, S] (one
 * window of `window_size` samples), output f32[1, F, num_classes] powerset log-probs.
 * Metadata: sample_rate, window_size, receptive_field_size, receptive_field_shift,
 * num_speakers, powerset_max_classes, num_classes. Frame f covers samples
 * [f*shift, f*shift + size).
 */
export class SegmentationModel {
  readonly classes: number[][];
  private constructor(private readonly ort: Ort, private readonly session: OrtSession, readonly info: SegmentationModelInfo) {
    this.classes = powersetClasses(info.numSpeakers, info.powersetMaxClasses);
  }

  static async load(file: string, threads = 1): Promise<SegmentationModel> {
    const { ort, session } = await createDiarizationSession(file, threads);
    const m = new MetadataReader(readOnnxMetadata(file), file);
    const info: SegmentationModelInfo = {
      sampleRateHz: m.int('sample_rate'),
      windowSamples: m.int('window_size'),
      receptiveFieldSize: m.int('receptive_field_size'),
      receptiveFieldShift: m.int('receptive_field_shift'),
      numSpeakers: m.int('num_speakers'),
      powersetMaxClasses: m.int('powerset_max_classes'),
      numClasses: m.int('num_classes'),
      precision: onnxPrecision(file),
    };
    const expected = powersetClasses(info.numSpeakers, info.powersetMaxClasses).length;
    if (expected !== info.numClasses || info.sampleRateHz !== 16000) {
      await session.release();
      throw new ModelLoadError(file, `inconsistent metadata: ${info.numSpeakers} speakers, max ${info.powersetMaxClasses} at once gives ${expected} classes, not ${info.numClasses} (or sample_rate ${info.sampleRateHz} != 16000)`);
    }
    return new SegmentationModel(ort, session, info);
  }

  /** Log-probabilities for one window (shorter input is zero-padded to window_size). */
  async logProbs(samples: Float32Array): Promise<{ frames: number; logp: Float32Array }> {
    const x = new Float32Array(this.info.windowSamples);
    x.set(samples.subarray(0, this.info.windowSamples));
    const out = await this.session.run({ [this.session.inputNames[0]]: new this.ort.Tensor('float32', x, [1, 1, x.length]) });
    const y = out[this.session.outputNames[0]];
    const frames = Number(y.dims[1]);
    if (Number(y.dims[2]) !== this.info.numClasses) throw new ModelLoadError('segmentation', `output has ${y.dims[2]} classes, metadata says ${this.info.numClasses}`);
    return { frames, logp: Float32Array.from(y.data as Float32Array) };
  }

  /** Per-speaker activity (frames x num_speakers, 0/1) of one window. */
  async activity(samples: Float32Array): Promise<{ frames: number; active: Uint8Array }> {
    const { frames, logp } = await this.logProbs(samples);
    return { frames, active: decodePowerset(logp, frames, this.classes, this.info.numSpeakers) };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Inference-child engine 'diarization.segmentation': options { model }, methods info(), logProbs(samples), activity(samples). */
export const createSegmentationEngine: EngineFactory = async (options, ctx) => {
  const model = await SegmentationModel.load(String(options.model ?? ''), ctx.threads);
  return {
    async call(method, args) {
      if (method === 'info') return model.info;
      if (method === 'logProbs') return model.logProbs(args[0] as Float32Array);
      if (method === 'activity') return model.activity(args[0] as Float32Array);
      throw new Error(`diarization.segmentation: unknown method ${method}`);
    },
    dispose: () => model.dispose(),
  };
};
