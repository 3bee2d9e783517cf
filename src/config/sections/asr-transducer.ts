import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

/**
 * Transducer (Zipformer streaming/offline, Parakeet TDT) decoding options: `asr.transducer`.
 * Owned by the transducer engines; included by sections/asr.ts.
 */
export const TransducerSection = Type.Object(
  {
    decoding_method: StringEnum(['greedy_search', 'modified_beam_search'] as const, {
      default: 'greedy_search',
      description: 'Transducer search: greedy_search (fastest) or modified_beam_search. Parakeet TDT always uses its token-and-duration greedy search.',
    }),
    max_active_paths: Type.Integer({ default: 4, minimum: 1, maximum: 64, description: 'Beam size for modified_beam_search.' }),
    blank_penalty: Type.Number({
      default: 0, minimum: 0, maximum: 20,
      description: 'Subtracted from the blank logit before the search (sherpa-onnx blank_penalty); raise slightly (e.g. 0.5-2) if words are dropped. 0 disables it.',
    }),
    tail_padding_ms: Type.Integer({
      default: 660, minimum: 0, maximum: 5000,
      description: 'Silence appended when a streaming utterance is finished so its last words reach a full encoder chunk (sherpa-onnx examples use 660 ms).',
    }),
    endpoint: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Apply the endpoint rules to streaming partials (isFinal=true when a rule fires).' }),
        rule1_min_trailing_silence_ms: Type.Integer({ default: 2400, minimum: 0, description: 'Rule 1: endpoint after this much trailing silence even if nothing was decoded.' }),
        rule2_min_trailing_silence_ms: Type.Integer({ default: 1200, minimum: 0, description: 'Rule 2: endpoint after this much trailing silence once the utterance contains speech.' }),
        rule3_min_utterance_length_ms: Type.Integer({ default: 20000, minimum: 1000, description: 'Rule 3: endpoint when the utterance reaches this length.' }),
      },
      { additionalProperties: false, default: {}, description: 'sherpa-onnx style endpoint rules for the streaming transducer.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Transducer decoding.' },
);
