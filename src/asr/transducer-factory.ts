import type { FrozenConfig } from '../config/schema.js';
import type { WorkerHost } from '../inference/worker-host.js';
import { AppError, ModelMissingError } from '../util/errors.js';
import { existsSync } from 'node:fs';
import type { OfflineRecognizer, StreamingRecognizer } from './recognizer.js';
import type { TransducerEngineOptions } from './transducer-engine.js';
import { TransducerOfflineRecognizer, TransducerStreamingRecognizer } from './transducer-recognizer.js';

export type TransducerKind = 'zipformer-streaming' | 'transducer-offline';

export interface TransducerBundle {
  /** Absolute paths; keys `encoder`, `decoder`, `joiner`, `tokens` are required. */
  files: Record<string, string>;
  name: string;
  family: string;
}

const REQUIRED = ['encoder', 'decoder', 'joiner', 'tokens'] as const;

/** Engine options for the inference child from config + bundle (exported for tests and tools). */
export function transducerEngineOptions(kind: TransducerKind, cfg: FrozenConfig, bundle: TransducerBundle): TransducerEngineOptions {
  for (const k of REQUIRED) {
    const f = bundle.files[k];
    if (!f) throw new AppError('MODEL_LOAD', `model bundle ${bundle.name} has no "${k}" file`, { hint: 'check models/manifest.json for this bundle' });
    if (!existsSync(f)) throw new ModelMissingError(f);
  }
  const t = cfg.asr.transducer;
  return {
    kind,
    files: { encoder: bundle.files.encoder, decoder: bundle.files.decoder, joiner: bundle.files.joiner, tokens: bundle.files.tokens },
    decodingMethod: t.decoding_method,
    maxActivePaths: t.max_active_paths,
    blankPenalty: t.blank_penalty,
    tailPaddingSamples: Math.round((t.tail_padding_ms * 16000) / 1000),
    endpoint: {
      enabled: t.endpoint.enabled,
      rule1Ms: t.endpoint.rule1_min_trailing_silence_ms,
      rule2Ms: t.endpoint.rule2_min_trailing_silence_ms,
      rule3Ms: t.endpoint.rule3_min_utterance_length_ms,
    },
  };
}

/**
 * Load a transducer bundle into the inference child (engine kind 'asr.transducer', engine id
 * `asr.transducer:<bundle name>`) and return the supervisor-side recognizer:
 * - 'zipformer-streaming' → StreamingRecognizer (sherpa-onnx streaming Zipformer export);
 * - 'transducer-offline'  → OfflineRecognizer (offline Zipformer, or NeMo Parakeet TDT/RNNT,
 *   detected from the encoder metadata).
 * Missing files → ModelMissingError; a file that is not the expected export → ModelLoadError.
 */
export async function createTransducerRecognizer(kind: TransducerKind, cfg: FrozenConfig, host: WorkerHost, bundle: TransducerBundle): Promise<OfflineRecognizer | StreamingRecognizer> {
  const options = transducerEngineOptions(kind, cfg, bundle);
  const engineId = `asr.transducer:${bundle.name}`;
  await host.load(engineId, { kind: 'asr.transducer', options: options as unknown as Record<string, unknown> });
  return kind === 'zipformer-streaming'
    ? new TransducerStreamingRecognizer(host, engineId, bundle.name)
    : new TransducerOfflineRecognizer(host, engineId, bundle.name);
}
