import type { InferenceSession } from 'onnxruntime-node';

/**
 * The one set of onnxruntime session options parley uses for every model: intra-op
 * threads from the configuration (at least 1), one inter-op thread, sequential execution,
 * full graph optimisation, and no thread spinning (spinning threads burn CPU between
 * calls, which shows up as idle CPU and heat on a small board).
 */
export function sessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: Math.max(1, threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}
