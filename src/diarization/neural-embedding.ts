import type { EngineFactory } from '../inference/engine.js';
import { MetadataReader, onnxPrecision, readOnnxMetadata } from '../asr/transducer-onnx-metadata.js';
import { kaldiFbank, SHERPA_TRANSDUCER_FBANK, type FbankResult } from '../frontend/kaldi-fbank.js';
import { ModelLoadError } from '../util/errors.js';
import { createDiarizationSession, type Ort, type OrtSession } from './ort-session.js';

export interface EmbeddingModelInfo {
  framework: string;
  outputDim: number;
  sampleRateHz: number;
  normalizeSamples: boolean;
  featureNormalizeType: string;
  language: string;
  precision: 'int8' | 'fp32';
  inputName: string;
  outputName: string;
}

/**
 * Speaker-embedding runner for sherpa-onnx "general" exports (3D-Speaker CAM++/ERes2Net,
 * WeSpeaker ResNet/CAM++): 80-bin Kaldi fbank (sherpa's feature extractor: snip_edges
 * false, 20..nyquist-400 Hz, povey window, dither 0; samples x32768 unless
 * `normalize_samples` is 1), optional per-utterance global-mean subtraction
 * (`feature_normalize_type: global-mean`), input x f32[1, T, 80] → embedding f32[1, D].
 * Metadata keys: framework (wespeaker | 3d-speaker), output_dim, sample_rate,
 * normalize_samples, language, feature_normalize_type (optional).
 */
export class SpeakerEmbeddingModel {
  private constructor(private readonly ort: Ort, private readonly session: OrtSession, readonly info: EmbeddingModelInfo, private readonly file: string) {}

  static async load(file: string, threads = 1): Promise<SpeakerEmbeddingModel> {
    const { ort, session } = await createDiarizationSession(file, threads);
    const meta = new MetadataReader(readOnnxMetadata(file), file);
    const framework = meta.str('framework');
    if (framework !== 'wespeaker' && framework !== '3d-speaker') {
      await session.release();
      throw new ModelLoadError(file, `expected a wespeaker or 3d-speaker export, metadata framework is "${framework}"`, {
        hint: 'NeMo (TitaNet/SpeakerNet) exports use a different front end and are not supported yet',
      });
    }
    const featureNormalizeType = meta.str('feature_normalize_type', '');
    if (featureNormalizeType !== '' && featureNormalizeType !== 'global-mean') {
      await session.release();
      throw new ModelLoadError(file, `unsupported feature_normalize_type "${featureNormalizeType}"`);
    }
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      await session.release();
      throw new ModelLoadError(file, `expected one input and an embedding output, got inputs ${session.inputNames.join(', ')}`);
    }
    const info: EmbeddingModelInfo = {
      framework,
      outputDim: meta.int('output_dim'),
      sampleRateHz: meta.int('sample_rate'),
      normalizeSamples: meta.int('normalize_samples') !== 0,
      featureNormalizeType,
      language: meta.str('language', ''),
      precision: onnxPrecision(file),
      inputName: session.inputNames[0],
      outputName: session.outputNames[0],
    };
    if (info.sampleRateHz !== 16000) {
      await session.release();
      throw new ModelLoadError(file, `model expects ${info.sampleRateHz} Hz audio; the pipeline runs at 16000 Hz`);
    }
    return new SpeakerEmbeddingModel(ort, session, info, file);
  }

  /** The features the model consumes (after optional global-mean subtraction). */
  features(samples: Float32Array): FbankResult {
    const f = kaldiFbank(samples, { ...SHERPA_TRANSDUCER_FBANK, scaleTo32768: !this.info.normalizeSamples });
    if (this.info.featureNormalizeType === 'global-mean' && f.frames > 0) {
      const mean = new Float64Array(f.bins);
      for (let t = 0; t < f.frames; t++) for (let b = 0; b < f.bins; b++) mean[b] += f.data[t * f.bins + b];
      for (let b = 0; b < f.bins; b++) mean[b] /= f.frames;
      for (let t = 0; t < f.frames; t++) for (let b = 0; b < f.bins; b++) f.data[t * f.bins + b] -= mean[b];
    }
    return f;
  }

  async embed(samples: Float32Array): Promise<Float32Array> {
    const f = this.features(samples);
    if (f.frames < 1) throw new ModelLoadError(this.file, 'audio too short for one feature frame');
    const x = new this.ort.Tensor('float32', f.data, [1, f.frames, f.bins]);
    const out = await this.session.run({ [this.info.inputName]: x });
    const y = out[this.info.outputName];
    const data = y.data as Float32Array;
    if (data.length !== this.info.outputDim) throw new ModelLoadError(this.file, `embedding has ${data.length} values, metadata output_dim is ${this.info.outputDim}`);
    return Float32Array.from(data);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Inference-child engine 'diarization.embedding': options { model }, methods info(), embed(samples). */
export const createEmbeddingEngine: EngineFactory = async (options, ctx) => {
  const file = String(options.model ?? '');
  const model = await SpeakerEmbeddingModel.load(file, ctx.threads);
  return {
    async call(method, args) {
      if (method === 'info') return model.info;
      if (method === 'embed') return model.embed(args[0] as Float32Array);
      throw new Error(`diarization.embedding: unknown method ${method}`);
    },
    dispose: () => model.dispose(),
  };
};
