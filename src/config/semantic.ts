import type { ConfigIssue } from '../util/errors.js';
import type { Config } from './schema.js';
import { diarizationChecks } from './sections/diarization.js';
import { tiersCheck } from './sections/tiers.js';
import { jobsCheck } from './sections/jobs.js';
import { mqttSemanticCheck } from './sections/mqtt.js';
import { asrSemanticCheck } from './sections/asr.js';

/** Cross-key checks the JSON schema cannot express. Each returns issues with dotted paths. */
export type SemanticCheck = (c: Config) => ConfigIssue[];

export const semanticChecks: SemanticCheck[] = [
  diarizationChecks,
  (c) => (c.vad.neg_threshold >= c.vad.threshold
    ? [{ path: 'vad.neg_threshold', message: `must be below vad.threshold (${c.vad.threshold})` }]
    : []),
  (c) => (c.audio.restart_backoff_initial_ms > c.audio.restart_backoff_max_ms
    ? [{ path: 'audio.restart_backoff_initial_ms', message: 'must not exceed audio.restart_backoff_max_ms' }]
    : []),
  (c) => (c.audio.source === 'file' && c.audio.file === ''
    ? [{ path: 'audio.file', message: 'must name a WAV file when audio.source is file' }]
    : []),
  tiersCheck,
  jobsCheck,
  mqttSemanticCheck,
  asrSemanticCheck,
];
