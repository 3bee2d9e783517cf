/** Typed messages between the supervisor (WorkerHost) and the inference child (worker-main). */

export interface EngineSpec {
  /** Engine kind registered in engine-registry.ts, e.g. 'vad.silero', 'asr.whisper'. */
  kind: string;
  /** Kind-specific options: model file paths, thresholds... Must be structured-clonable. */
  options: Record<string, unknown>;
}

export type ToWorker =
  | { type: 'load'; id: number; engineId: string; spec: EngineSpec; threads: number }
  | { type: 'unload'; id: number; engineId: string }
  | { type: 'call'; id: number; engineId: string; method: string; args: unknown[] }
  | { type: 'ping'; id: number };

export interface WireError {
  code: string;
  message: string;
  retryable: boolean;
  hint?: string;
  file?: string;
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };
