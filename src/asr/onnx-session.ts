/**
 * onnxruntime session creation for the ASR engines (inference child only): the house
 * options (inference/ort-options.ts), typed errors for missing/unloadable files, and I/O name checks against the
 * export the runner was written for.
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { sessionOptions } from '../inference/ort-options.js';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';

export { ort };

export async function createSession(file: string, threads: number): Promise<ort.InferenceSession> {
  if (!existsSync(file)) throw new ModelMissingError(file);
  try {
    return await ort.InferenceSession.create(file, sessionOptions(threads));
  } catch (e) {
    throw new ModelLoadError(file, (e as Error).message, { cause: e });
  }
}

/** Throw ModelLoadError unless the session has exactly these inputs and at least these outputs. */
export function expectIo(session: ort.InferenceSession, file: string, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length > 0 || missingOut.length > 0) {
    throw new ModelLoadError(file, `not the expected export: missing inputs [${missingIn.join(', ')}], outputs [${missingOut.join(', ')}]; `
      + `has inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]`);
  }
}

/** Declared shape of an input (numbers for fixed dims, strings for symbolic ones). */
export function inputShape(session: ort.InferenceSession, name: string): ReadonlyArray<number | string> {
  const m = session.inputMetadata.find((x) => x.name === name);
  return m && m.isTensor ? m.shape : [];
}

/** Index of the maximum of `v[offset .. offset+n)`, relative to offset (first on ties). */
export function argmax(v: Float32Array, offset = 0, n = v.length - offset): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v[offset + i]!;
    if (x > bestV) {
      bestV = x;
      best = i;
    }
  }
  return best;
}

/** log(softmax(v[offset..offset+n)))[index], computed stably in float64. */
export function logSoftmaxAt(v: Float32Array, offset: number, n: number, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, v[offset + i]!);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(v[offset + i]! - max);
  return v[offset + index]! - max - Math.log(sum);
}
