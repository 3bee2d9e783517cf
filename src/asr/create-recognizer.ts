/**
 * Engine factory: config (+ degradation tier, + a one-run override) → an OfflineRecognizer
 * wrapped in the silence/noise/hallucination guards, or null for engine `none`.
 * ONNX engines run in the inference child through `host`; PocketSphinx runs as its own
 * child process per segment. A missing engine, binary or model is a typed error: there is
 * no fallback to another engine or to test weights.
 */
import type { FrozenConfig } from '../config/schema.js';
import { ASR_ENGINES, type AsrEngineName } from '../config/sections/asr.js';
import type { WorkerHost } from '../inference/worker-host.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { pickFile } from './bundle-files.js';
import { GuardedRecognizer } from './guards.js';
import { PocketsphinxRecognizer } from './pocketsphinx-recognizer.js';
import type { OfflineRecognizer, RecognitionResult, StreamingRecognizer } from './recognizer.js';

export type AsrFactoryConfig = Pick<FrozenConfig, 'asr' | 'models'> & Partial<FrozenConfig>;

export interface CreateRecognizerDeps {
  /** The inference child (required for whisper, moonshine and the transducers). */
  host: WorkerHost | null;
  /** One-run override (`parley transcribe --asr ENGINE`); wins over the tier choice. */
  engine?: AsrEngineName;
  /** Degradation tier (normal, reduced, minimal; anything else uses the normal choice). */
  tier?: string;
  logger: Logger;
}

/** Default bundle per engine when asr.model is empty (names from models/manifest.json). */
export const DEFAULT_BUNDLES: Partial<Record<AsrEngineName, string>> = {
  'zipformer-streaming': 'sherpa-onnx-streaming-zipformer-en-20m-int8',
  'transducer-offline': 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8',
  whisper: 'sherpa-onnx-whisper-tiny.en-int8',
  moonshine: 'sherpa-onnx-moonshine-tiny-en-int8',
};

export interface EngineChoice {
  engine: AsrEngineName;
  /** Bundle name ('' = the engine default). */
  model: string;
}

/** The engine/model the config selects for `tier`, with the one-run override applied. */
export function engineForTier(asr: FrozenConfig['asr'], tier = 'normal', override?: AsrEngineName): EngineChoice {
  let engine: AsrEngineName = asr.engine;
  let model = asr.model;
  const t = tier === 'reduced' || tier === 'minimal' ? asr.tiers[tier] : undefined;
  if (t?.engine !== undefined && t.engine !== engine) {
    engine = t.engine;
    model = t.model ?? '';
  } else if (t?.model !== undefined) {
    model = t.model;
  }
  if (override !== undefined) {
    if (!(ASR_ENGINES as readonly string[]).includes(override)) {
      throw new AppError('USAGE', `unknown ASR engine ${JSON.stringify(override)}`, { hint: `use one of ${ASR_ENGINES.join(', ')}` });
    }
    if (override !== engine) model = '';
    engine = override;
  }
  return { engine, model };
}

export async function createRecognizer(cfg: AsrFactoryConfig, deps: CreateRecognizerDeps): Promise<OfflineRecognizer | null> {
  const choice = engineForTier(cfg.asr, deps.tier, deps.engine);
  const inner = await createEngine(cfg, choice, deps);
  if (inner === null) return null;
  deps.logger.info({ engine: inner.engine, model: inner.model, tier: deps.tier ?? 'normal' }, 'asr.engine_ready');
  return new GuardedRecognizer(inner, cfg.asr.guards, deps.logger);
}

async function createEngine(cfg: AsrFactoryConfig, choice: EngineChoice, deps: CreateRecognizerDeps): Promise<OfflineRecognizer | null> {
  switch (choice.engine) {
    case 'none':
      return null;
    case 'pocketsphinx':
      return PocketsphinxRecognizer.create(cfg.asr.pocketsphinx);
    case 'whisper': {
      const host = requireHost(deps.host, choice.engine);
      const { WhisperRecognizer } = await import('./whisper-recognizer.js');
      return WhisperRecognizer.fromBundle(cfg, choice.model || DEFAULT_BUNDLES.whisper!, host, deps.logger);
    }
    case 'moonshine': {
      const host = requireHost(deps.host, choice.engine);
      const { MoonshineRecognizer } = await import('./moonshine-recognizer.js');
      return MoonshineRecognizer.fromBundle(cfg, choice.model || DEFAULT_BUNDLES.moonshine!, host, deps.logger);
    }
    case 'zipformer-streaming':
    case 'transducer-offline':
      return createTransducer(choice.engine, cfg, choice.model || DEFAULT_BUNDLES[choice.engine]!, requireHost(deps.host, choice.engine));
    default:
      throw new AppError('ASR_ENGINE', `unknown ASR engine ${String(choice.engine)}`);
  }
}

function requireHost(host: WorkerHost | null, engine: string): WorkerHost {
  if (!host) throw new AppError('INFERENCE_UNAVAILABLE', `ASR engine ${engine} needs the inference child, which is not running`);
  return host;
}

/**
 * The transducer engines (ASR transducer work, ./transducer-factory.ts): resolve and verify
 * the manifest bundle, map its files to the roles the factory expects, and drive a streaming
 * recognizer with whole segments.
 */
async function createTransducer(kind: 'zipformer-streaming' | 'transducer-offline', cfg: AsrFactoryConfig, bundleName: string, host: WorkerHost): Promise<OfflineRecognizer> {
  const { createTransducerRecognizer } = await import('./transducer-factory.js');
  const { resolveBundle } = await import('../models/model-store.js');
  const b = await resolveBundle(cfg, bundleName);
  const family = kind === 'zipformer-streaming' ? /zipformer/ : /zipformer|parakeet|transducer/;
  if (!family.test(b.family)) {
    throw new AppError('ASR_ENGINE', `model bundle ${bundleName} is a ${b.family} model, not a ${kind} transducer`, { hint: 'set asr.model to a transducer bundle' });
  }
  const files = {
    encoder: pickFile(b.files, /encoder.*\.onnx$/, bundleName, b.precision, 'encoder'),
    decoder: pickFile(b.files, /decoder.*\.onnx$/, bundleName, b.precision, 'decoder'),
    joiner: pickFile(b.files, /joiner.*\.onnx$/, bundleName, b.precision, 'joiner'),
    tokens: pickFile(b.files, /tokens\.txt$/, bundleName, b.precision, 'tokens'),
  };
  const rec = await createTransducerRecognizer(kind, cfg as FrozenConfig, host, { files, name: bundleName, family: b.family });
  return 'recognize' in rec ? rec : new StreamingAsOffline(rec);
}

/** Drive a streaming recognizer with one whole segment (offline use of a streaming model). */
export class StreamingAsOffline implements OfflineRecognizer {
  constructor(private readonly inner: StreamingRecognizer) {}
  get engine(): string { return this.inner.engine; }
  get model(): string { return this.inner.model; }
  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    const stream = await this.inner.createStream();
    if (signal?.aborted) throw new AppError('ABORTED', 'recognition aborted');
    await stream.accept(samples);
    return stream.finish();
  }
  close(): Promise<void> { return this.inner.close(); }
}
