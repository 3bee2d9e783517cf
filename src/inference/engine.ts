/**
 * Worker-side engine contract. An engine lives in the inference child, owns its
 * onnxruntime sessions and answers `call(method, args)` requests from the supervisor.
 */
export interface InferenceEngine {
  call(method: string, args: unknown[]): Promise<unknown> | unknown;
  dispose?(): Promise<void> | void;
}

export interface EngineLoadContext {
  /** onnxruntime intra-op threads (spinning is always off). */
  threads: number;
}

export type EngineFactory = (options: Record<string, unknown>, ctx: EngineLoadContext) => Promise<InferenceEngine>;
