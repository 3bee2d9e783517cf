import type { Word } from '../pipeline/types.js';

/** Result of decoding one utterance. `null` from a recognizer means "no speech" (guards fired). */
export interface RecognitionResult {
  text: string;
  /** 0..1, engine-specific calibration; null when the engine gives none. */
  confidence: number | null;
  words: Word[];
  tokens?: string[];
  /** Engine id (e.g. 'whisper', 'pocketsphinx') and model bundle name. */
  engine: string;
  model: string;
  /** Language code when the engine detected or was told one. */
  language?: string;
}

/** Offline (non-streaming) recognizer: one whole segment in, text out. */
export interface OfflineRecognizer {
  readonly engine: string;
  readonly model: string;
  /** samples: 16 kHz mono float32. Returns null when the segment holds no speech. */
  recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null>;
  close(): Promise<void>;
}

export interface PartialResult {
  text: string;
  /** True when an endpoint rule fired; the text is final for this utterance. */
  isFinal: boolean;
}

/** A decoding stream of a streaming recognizer. */
export interface RecognizerStream {
  /** Feed 16 kHz mono float32 samples; returns the current partial (or final on endpoint). */
  accept(samples: Float32Array): Promise<PartialResult>;
  /** Mark end of input and return the final result (null for no speech). */
  finish(): Promise<RecognitionResult | null>;
  /** Start a new utterance after an endpoint. */
  reset(): Promise<void>;
}

/** Streaming recognizer: low-latency partials, endpoint detection, final text. */
export interface StreamingRecognizer {
  readonly engine: string;
  readonly model: string;
  createStream(): Promise<RecognizerStream>;
  close(): Promise<void>;
}
