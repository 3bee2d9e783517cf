import type Database from 'better-sqlite3';
import type { WorkerHost } from '../inference/worker-host.js';
import type { SegmentStage } from '../pipeline/types.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { BuiltinDiarizationStage, type DiarizationConfig } from './diarization-stage.js';
import { basename } from 'node:path';
import { SpeakersRepo } from '../storage/speakers-repo.js';
import { NeuralDiarizationStage } from './neural-stage.js';

export interface CreateStageDeps {
  host?: WorkerHost;
  logger: Logger;
  /** Database with the speaker registry; enrolled voices are recognised by name. */
  db?: Database.Database;
  /** Known speaker count (`parley transcribe --speakers N`). */
  knownSpeakers?: number;
  /** Engine override (`--diarize builtin|neural|none`). */
  engine?: DiarizationConfig['engine'];
}

/**
 * The diarization stage for the pipeline, or null when diarization is off.
 * The neural engine loads `diarization.embedding_model` into the inference child (typed
 * MODEL_MISSING / MODEL_LOAD errors); its enrolled voiceprints are stored per model file name.
 */
export async function createDiarizationStage(cfg: DiarizationConfig, deps: CreateStageDeps): Promise<SegmentStage | null> {
  const engine = deps.engine ?? cfg.engine;
  if (engine === 'none') return null;
  if (deps.knownSpeakers !== undefined && (!Number.isInteger(deps.knownSpeakers) || deps.knownSpeakers < 1)) {
    throw new AppError('USAGE', `--speakers must be a positive integer, got ${deps.knownSpeakers}`);
  }
  if (engine === 'neural') {
    if (!deps.host) throw new AppError('DIARIZATION', 'the neural diarization engine needs the inference child (WorkerHost)', { hint: 'use --diarize builtin' });
    const voiceprints = deps.db ? new SpeakersRepo(deps.db).voiceprints(`neural:${basename(cfg.embedding_model)}`) : [];
    return NeuralDiarizationStage.create(cfg, { host: deps.host, logger: deps.logger, knownSpeakers: deps.knownSpeakers, voiceprints });
  }
  const voiceprints = deps.db ? new SpeakersRepo(deps.db).voiceprints('builtin') : [];
  return new BuiltinDiarizationStage(cfg, { logger: deps.logger, knownSpeakers: deps.knownSpeakers, voiceprints });
}
