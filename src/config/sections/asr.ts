import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';
import { TransducerSection } from './asr-transducer.js';

export const ASR_ENGINES = ['none', 'pocketsphinx', 'zipformer-streaming', 'transducer-offline', 'whisper', 'moonshine'] as const;

export const AsrSection = Type.Object(
  {
    engine: StringEnum(ASR_ENGINES, {
      default: 'pocketsphinx',
      description: 'Speech recognizer for the normal tier. none stores segments without text.',
    }),
    model: Type.String({ default: '', description: 'Model bundle name from the model manifest (empty: the engine\'s default bundle).' }),
    transducer: TransducerSection,
  },
  { additionalProperties: false, default: {}, description: 'Speech recognition.' },
);
