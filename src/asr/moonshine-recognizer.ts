/**
 * Supervisor side of Moonshine: loads the 'asr.moonshine' engine into the inference child
 * (v1 files preprocess/encode/uncached_decode/cached_decode, or v2 encoder_model +
 * decoder_model_merged, chosen by the bundle's file names); a decode that reaches max_len
 * without eos is dropped as a runaway. The generic guards
 * (guards.ts) wrap this recognizer as well.
 */
import type { DeepReadonly, FrozenConfig } from '../config/schema.js';
import type { AsrConfig } from '../config/sections/asr.js';
import type { WorkerHost } from '../inference/worker-host.js';
import { resolveBundle } from '../models/model-store.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { pickFile } from './bundle-files.js';
import type { MoonshineAnyOptions, MoonshineDecodeResult, MoonshineEngineOptions } from './moonshine-engine.js';
import type { MoonshineV2Options } from './moonshine-v2-model.js';
import type { OfflineRecognizer, RecognitionResult } from './recognizer.js';

export type MoonshineOptions = DeepReadonly<AsrConfig['moonshine']>;

let nextId = 0;

export class MoonshineRecognizer implements OfflineRecognizer {
  readonly engine = 'moonshine';
  private readonly engineId = `asr.moonshine#${nextId++}`;

  private constructor(private readonly host: WorkerHost, readonly model: string, private readonly opts: MoonshineOptions, private readonly logger: Logger) {}

  static async create(host: WorkerHost, files: MoonshineAnyOptions, model: string, opts: MoonshineOptions, logger: Logger): Promise<MoonshineRecognizer> {
    const r = new MoonshineRecognizer(host, model, opts, logger);
    await host.load(r.engineId, { kind: 'asr.moonshine', options: { ...files } });
    return r;
  }

  static async fromBundle(cfg: Pick<FrozenConfig, 'models' | 'asr'>, bundle: string, host: WorkerHost, logger: Logger): Promise<MoonshineRecognizer> {
    const b = await resolveBundle(cfg, bundle);
    if (b.family !== 'moonshine') throw new AppError('ASR_ENGINE', `model bundle ${bundle} is a ${b.family} model, not moonshine`, { hint: 'set asr.model to a moonshine bundle' });
    const p = b.precision;
    if (Object.keys(b.files).some((n) => /^decoder_model_merged.*\.(onnx|ort)$/.test(n))) {
      const v2: MoonshineV2Options = {
        encoder: pickFile(b.files, /^encoder_model.*\.(onnx|ort)$/, bundle, p, 'encoder_model'),
        mergedDecoder: pickFile(b.files, /^decoder_model_merged.*\.(onnx|ort)$/, bundle, p, 'decoder_model_merged'),
        tokens: pickFile(b.files, /tokens\.txt$/, bundle, p, 'tokens'),
      };
      return MoonshineRecognizer.create(host, v2, bundle, cfg.asr.moonshine, logger);
    }
    const files: MoonshineEngineOptions = {
      preprocess: pickFile(b.files, /^preprocess.*\.onnx$/, bundle, p, 'preprocess'),
      encode: pickFile(b.files, /^encode.*\.onnx$/, bundle, p, 'encode'),
      uncachedDecode: pickFile(b.files, /^uncached_decode.*\.onnx$/, bundle, p, 'uncached_decode'),
      cachedDecode: pickFile(b.files, /^cached_decode.*\.onnx$/, bundle, p, 'cached_decode'),
      tokens: pickFile(b.files, /tokens\.txt$/, bundle, p, 'tokens'),
    };
    return MoonshineRecognizer.create(host, files, bundle, cfg.asr.moonshine, logger);
  }

  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    if (signal?.aborted) throw new AppError('ABORTED', 'recognition aborted');
    const r = await this.host.call<MoonshineDecodeResult>(this.engineId, 'recognize', [samples, this.opts.max_tokens_per_second]);
    if (r.hitTokenCap) {
      this.logger.info({ engine: this.engine, reason: 'token_cap', value: r.tokens.length, threshold: this.opts.max_tokens_per_second, durationMs: Math.round(samples.length / 16) }, 'asr.guard_rejected');
      return null;
    }
    if (r.text === '') return null;
    return { text: r.text, confidence: Math.exp(r.avgLogProb), words: [], tokens: r.tokens.map(String), engine: this.engine, model: this.model, language: 'en' };
  }

  async close(): Promise<void> {
    await this.host.unload(this.engineId).catch(() => undefined);
  }
}
