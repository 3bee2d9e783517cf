/**
 * src/audio/capture.ts — builds the configured AudioSource (`audio.source`).
 * All sources yield FRAME_SAMPLES-sample 16 kHz mono float32 frames with a monotonic
 * sample clock; see docs/audio.md for the behaviour of each.
 */
import type { FrozenConfig } from '../config/schema.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { AlsaSource } from './alsa-source.js';
import { FileSource } from './file-source.js';
import type { RecorderSpawner } from './recorder.js';
import { StdinSource } from './stdin-source.js';
import type { AudioSource } from './types.js';

export interface CreateAudioSourceOptions {
  logger: Logger;
  /** WAV path for the file source; overrides `audio.file`. */
  filePath?: string;
  /** Stream for the stdin source (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  clock?: Clock;
  /** Test hook: replaces arecord for the alsa source. */
  spawnRecorder?: RecorderSpawner;
}

export function createAudioSource(cfg: FrozenConfig['audio'], opts: CreateAudioSourceOptions): AudioSource {
  switch (cfg.source) {
    case 'file': {
      const path = opts.filePath ?? cfg.file;
      if (!path) {
        throw new AppError('AUDIO_SOURCE', 'audio.source is file but no WAV file was given', { hint: 'set audio.file (or PARLEY_AUDIO_FILE) to a WAV path' });
      }
      return new FileSource(cfg, { logger: opts.logger, path, ...(opts.clock ? { clock: opts.clock } : {}) });
    }
    case 'stdin':
      return new StdinSource(cfg, { logger: opts.logger, ...(opts.stdin ? { stdin: opts.stdin } : {}) });
    case 'alsa':
      return new AlsaSource(cfg, {
        logger: opts.logger,
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.spawnRecorder ? { spawnRecorder: opts.spawnRecorder } : {}),
      });
  }
}
