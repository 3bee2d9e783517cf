import { Type, type Static } from '@sinclair/typebox';
import { AsrSection } from './sections/asr.js';
import { AudioSection } from './sections/audio.js';
import { DeviceSection, InferenceSection, LogSection, ModelsSection } from './sections/core.js';
import { SessionSection } from './sections/session.js';
import { OtaSection } from './sections/ota.js';
import { StorageSection } from './sections/storage.js';
import { VadSection } from './sections/vad.js';

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
    storage: StorageSection,
    inference: InferenceSection,
    models: ModelsSection,
    ota: OtaSection,
  },
  { additionalProperties: false, default: {} },
);

export type Config = Static<typeof ConfigSchema>;
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
export type FrozenConfig = DeepReadonly<Config>;
