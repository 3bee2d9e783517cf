/** Default ASR config (schema defaults) with overrides, for tests. */
import { Value } from '@sinclair/typebox/value';
import { AsrSection, type AsrConfig } from '../../src/config/sections/asr.js';

export function asrConfig(over: (c: AsrConfig) => void = () => {}): AsrConfig {
  const c = Value.Default(AsrSection, {}) as AsrConfig;
  over(c);
  return c;
}
