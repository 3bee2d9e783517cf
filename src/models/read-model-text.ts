import { readFileSync } from 'node:fs';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';

/** Text of a model's companion file (tokens, vocabulary): a missing file is MODEL_MISSING, any other read failure MODEL_LOAD. */
export function readModelText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelMissingError(file, { cause: e });
    throw new ModelLoadError(file, (e as Error).message, { cause: e });
  }
}
