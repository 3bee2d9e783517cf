/**
 * Supervisor side of Whisper: loads the 'asr.whisper' engine into the inference child and
 * turns its decodes into RecognitionResults, applying Whisper's own guards first — the
 * no-speech probability, its compression-ratio threshold and the token cap (a decode that
 * never reaches end-of-text is a runaway). The generic guards (guards.ts) wrap this too.
 */
import type { DeepReadonly } from '../config/schema.js';
import type { AsrConfig } from '../config/sections/asr.js';
import type { WorkerHost } from '../inference/worker-host.js';
import { resolveBundle } from '../models/model-store.js';
import type { FrozenConfig } from '../config/schema.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { pickFile } from './bundle-files.js';
import { compressionRatio } from './guards.js';
import type { OfflineRecognizer, RecognitionResult } from './recognizer.js';
import type { WhisperDecodeOptions, WhisperDecodeResult, WhisperEngineOptions } from './whisper-engine.js';

export type WhisperOptions = DeepReadonly<AsrConfig['whisper']>;

export interface WhisperRecognizerInit {
  host: WorkerHost;
  files: Omit<WhisperEngineOptions, 'tailPaddingFrames'>;
  /** Bundle name for results and logs. */
  model: string;
  opts: WhisperOptions;
  logger: Logger;
}

let nextId = 0;

export class WhisperRecognizer implements OfflineRecognizer {
  readonly engine = 'whisper';
  readonly model: string;
  private readonly engineId: string;

  private constructor(private readonly init: WhisperRecognizerInit) {
    this.model = init.model;
    this.engineId = `asr.whisper#${nextId++}`;
  }

  static async create(init: WhisperRecognizerInit): Promise<WhisperRecognizer> {
    const r = new WhisperRecognizer(init);
    const options: WhisperEngineOptions = { ...init.files, tailPaddingFrames: init.opts.tail_padding_frames };
    await init.host.load(r.engineId, { kind: 'asr.whisper', options: { ...options } });
    const info = await init.host.call<{ multilingual: boolean; languages: string[] }>(r.engineId, 'info');
    const lang = init.opts.language;
    if (info.multilingual && lang !== 'auto' && !info.languages.includes(lang)) {
      await init.host.unload(r.engineId);
      throw new AppError('ASR_ENGINE', `asr.whisper.language ${lang} is not one of the model's languages`, { hint: `use auto or one of ${info.languages.slice(0, 20).join(', ')}` });
    }
    return r;
  }

  /** Resolve and verify a manifest bundle, then load it. */
  static async fromBundle(cfg: Pick<FrozenConfig, 'models'> & { asr: FrozenConfig['asr'] }, bundle: string, host: WorkerHost, logger: Logger): Promise<WhisperRecognizer> {
    const b = await resolveBundle(cfg, bundle);
    if (b.family !== 'whisper') throw new AppError('ASR_ENGINE', `model bundle ${bundle} is a ${b.family} model, not whisper`, { hint: 'set asr.model to a whisper bundle' });
    const precision = b.precision;
    const files = {
      encoder: pickFile(b.files, /encoder.*\.onnx$/, bundle, precision, 'encoder'),
      decoder: pickFile(b.files, /decoder.*\.onnx$/, bundle, precision, 'decoder'),
      tokens: pickFile(b.files, /tokens\.txt$/, bundle, precision, 'tokens'),
    };
    return WhisperRecognizer.create({ host, files, model: bundle, opts: cfg.asr.whisper, logger });
  }

  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    if (signal?.aborted) throw new AppError('ABORTED', 'recognition aborted');
    const o = this.init.opts;
    const args: WhisperDecodeOptions = { language: o.language, task: o.task, maxTokensPerSecond: o.max_tokens_per_second, maxNewTokens: o.max_new_tokens };
    const r = await this.init.host.call<WhisperDecodeResult>(this.engineId, 'recognize', [samples, args]);
    const reject = whisperRejection(r, o);
    if (reject) {
      this.init.logger.info({ engine: this.engine, reason: reject.reason, value: reject.value, threshold: reject.threshold, durationMs: Math.round(samples.length / 16) }, 'asr.guard_rejected');
      return null;
    }
    if (r.text === '') return null;
    return {
      text: r.text, confidence: Math.exp(r.avgLogProb), words: [], tokens: r.tokens.map(String),
      engine: this.engine, model: this.model, language: r.language,
    };
  }

  async close(): Promise<void> {
    await this.init.host.unload(this.engineId).catch(() => undefined);
  }
}

/** openai/whisper's `logprob_threshold` default: a decode this confident is kept despite a high no-speech probability. */
export const WHISPER_LOGPROB_THRESHOLD = -1;

/**
 * openai/whisper's avg_logprob: the summed log-probabilities of the text tokens and of the
 * closing eot, divided by the token count + 1 (decoding.py).
 */
export function whisperAvgLogProb(r: Pick<WhisperDecodeResult, 'tokens' | 'sumLogProb' | 'eotLogProb'>): number {
  return (r.sumLogProb + (r.eotLogProb ?? 0)) / (r.tokens.length + 1);
}

/**
 * Whisper's own guards on one decode; null when it may be used. As openai/whisper
 * transcribe(): silence is a no-speech probability above the threshold AND an avg_logprob
 * not above `logprob_threshold` (-1).
 */
export function whisperRejection(r: WhisperDecodeResult, o: WhisperOptions): { reason: string; value: number; threshold: number } | null {
  if (r.noSpeechProb > o.no_speech_threshold && !(whisperAvgLogProb(r) > WHISPER_LOGPROB_THRESHOLD)) {
    return { reason: 'no_speech', value: r.noSpeechProb, threshold: o.no_speech_threshold };
  }
  if (r.hitTokenCap) return { reason: 'token_cap', value: r.tokens.length, threshold: o.max_tokens_per_second };
  const cr = compressionRatio(r.text);
  if (cr > o.compression_ratio_threshold) return { reason: 'compression_ratio', value: cr, threshold: o.compression_ratio_threshold };
  return null;
}
