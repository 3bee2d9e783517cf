import { Type } from '@sinclair/typebox';

export const VadSection = Type.Object(
  {
    model: Type.String({ default: 'silero-vad-v6.2', description: 'Model bundle name from the model manifest.' }),
    threshold: Type.Number({ default: 0.5, minimum: 0.01, maximum: 0.99, description: 'Speech starts when the probability reaches this.' }),
    neg_threshold: Type.Number({
      default: 0.35, minimum: 0.0, maximum: 0.99,
      description: 'Speech may end when the probability falls below this (hysteresis; must be below threshold).',
    }),
    min_speech_ms: Type.Integer({ default: 250, minimum: 0, maximum: 10000, description: 'Shorter speech bursts are discarded.' }),
    min_silence_ms: Type.Integer({ default: 300, minimum: 0, maximum: 10000, description: 'Silence needed to end a segment (hangover).' }),
    speech_pad_ms: Type.Integer({ default: 64, minimum: 0, maximum: 2000, description: 'Padding added before (pre-roll) and after each segment.' }),
    max_segment_ms: Type.Integer({
      default: 30000, minimum: 1000, maximum: 600000,
      description: 'Longer speech is split, at the quietest recent frame when possible.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Voice activity detection (Silero VAD) and the streaming segmenter.' },
);
