import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../util/errors.js';
import { createSession } from './onnx-session.js';
import { MetadataReader, readOnnxMetadata } from './transducer-onnx-metadata.js';

export { ort };

/** One ONNX session with its names and custom metadata. */
export interface LoadedSession {
  file: string;
  session: ort.InferenceSession;
  inputNames: readonly string[];
  outputNames: readonly string[];
  meta: MetadataReader;
}

/** Create a session with the house options (sequential, 1 inter-op thread, spinning off). */
export async function loadSession(file: string, threads: number): Promise<LoadedSession> {
  // createSession checks the file, applies the shared session options (spinning off) and types load errors.
  const session = await createSession(file, threads);
  const meta = new MetadataReader(readOnnxMetadata(file), file);
  return { file, session, inputNames: session.inputNames, outputNames: session.outputNames, meta };
}

export function f32(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export function i64(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
}

export function i32(values: readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int32', Int32Array.from(values), dims);
}

/** Read an integer tensor (int32 or int64) as numbers. */
export function intValues(t: ort.Tensor): number[] {
  const d = t.data as Int32Array | BigInt64Array;
  return Array.from(d as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Run by positional names; checks the expected output count. */
export async function run(s: LoadedSession, inputs: ort.Tensor[]): Promise<ort.Tensor[]> {
  if (inputs.length !== s.inputNames.length) {
    throw new ModelLoadError(s.file, `expected ${s.inputNames.length} inputs, the runner built ${inputs.length}`);
  }
  const feeds: Record<string, ort.Tensor> = {};
  s.inputNames.forEach((n, i) => { feeds[n] = inputs[i]; });
  const out = await s.session.run(feeds);
  return s.outputNames.map((n) => out[n]);
}
