/**
 * Picks the files of a verified model bundle (src/models/model-store.ts) by role, e.g. the
 * Whisper encoder among `tiny.en-encoder.int8.onnx`, `tiny.en-decoder.int8.onnx`,
 * `tiny.en-tokens.txt`. Ambiguity or absence is a typed error naming the bundle.
 */
import { AppError } from '../util/errors.js';

/**
 * The one file whose basename matches `pattern`; when several match, the one whose name
 * says int8 (or not) according to `precision`.
 */
export function pickFile(files: Record<string, string>, pattern: RegExp, bundle: string, precision: 'int8' | 'fp32', what: string): string {
  const names = Object.keys(files).filter((n) => pattern.test(n));
  let chosen = names;
  if (names.length > 1) chosen = names.filter((n) => /\.int8\./.test(n) === (precision === 'int8'));
  if (chosen.length !== 1) {
    throw new AppError('MODEL_MISSING', `model bundle ${bundle} has ${chosen.length === 0 ? 'no' : 'more than one'} ${what} file (${precision}); files: ${Object.keys(files).join(', ')}`, {
      hint: 'check the bundle entry in models/manifest.json',
    });
  }
  return files[chosen[0]!]!;
}
