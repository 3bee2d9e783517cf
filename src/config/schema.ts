import { Type, type Static } from '@sinclair/typebox';
import { AsrSection } from './sections/asr.js';
import { AudioSection } from './sections/audio.js';
import { DiarizationSection } from './sections/diarization.js';
import { DeviceSection, InferenceSection, LogSection } from './sections/core.js';
import { ModelsSection } from './sections/models.js';
import { SessionSection } from './sections/session.js';
import { MqttSection } from './sections/mqtt.js';
import { OtaSection } from './sections/ota.js';
import { StorageSection } from './sections/storage.js';
import { VadSection } from './sections/vad.js';
import { BudgetsSection, MonitorSection } from './sections/budgets.js';
import { TiersSection } from './sections/tiers.js';
import { JobsSection } from './sections/jobs.js';

/** Bump when a key is renamed or removed; add a migration in migrate.ts. */
export const CONFIG_VERSION = 1;

/**
 * The single source of truth for parley's configuration. Each component owns its
 * section in `sections/`; `config/default.yaml` is generated from this schema
 * (`npm run config:docs`) and a test keeps the two in sync.
 */
export const ConfigSchema = Type.Object(
  {
    config_version: Type.Integer({ default: CONFIG_VERSION, minimum: 1, description: 'Version of this file\'s layout.' }),
    device: DeviceSection,
    log: LogSection,
    audio: AudioSection,
    vad: VadSection,
    session: SessionSection,
    asr: AsrSection,
    diarization: DiarizationSection,
    storage: StorageSection,
    mqtt: MqttSection,
    inference: InferenceSection,
    models: ModelsSection,
    monitor: MonitorSection,
    budgets: BudgetsSection,
    tiers: TiersSection,
    jobs: JobsSection,
    ota: OtaSection,
  },
  { additionalProperties: false, default: {} },
);

export type Config = Static<typeof ConfigSchema>;
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
export type FrozenConfig = DeepReadonly<Config>;
