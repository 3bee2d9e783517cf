import { Type } from '@sinclair/typebox';

/**
 * Transducer (Zipformer streaming/offline, Parakeet TDT) decoding options: `asr.transducer`.
 * Owned by the transducer engines; included by sections/asr.ts.
 */
export const TransducerSection = Type.Object(
  {
    decoding_method: Type.Unsafe<'greedy_search' | 'modified_beam_search'>({
      type: 'string', enum: ['greedy_search', 'modified_beam_search'], default: 'greedy_search',
      description: 'Transducer search: greedy_search (fastest) or modified_beam_search.',
    }),
    max_active_paths: Type.Integer({ default: 4, minimum: 1, maximum: 64, description: 'Beam size for modified_beam_search.' }),
  },
  { additionalProperties: false, default: {}, description: 'Transducer decoding.' },
);
