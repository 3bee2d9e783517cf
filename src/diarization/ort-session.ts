import { existsSync } from 'node:fs';
import { sessionOptions } from '../inference/ort-options.js';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';

export type Ort = typeof import('onnxruntime-node');
export type OrtSession = import('onnxruntime-node').InferenceSession;

let ortPromise: Promise<Ort> | undefined;
export const loadOrt = (): Promise<Ort> => (ortPromise ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort));

/** ORT session for the diarization runners with the house options (inference/ort-options.ts). */
export async function createDiarizationSession(file: string, threads: number): Promise<{ ort: Ort; session: OrtSession }> {
  if (!existsSync(file)) throw new ModelMissingError(file);
  const ort = await loadOrt();
  try {
    const session = await ort.InferenceSession.create(file, sessionOptions(threads));
    return { ort, session };
  } catch (e) {
    throw new ModelLoadError(file, (e as Error).message, { cause: e });
  }
}
