import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

export const SessionSection = Type.Object(
  {
    mode: StringEnum(['continuous', 'manual'] as const, {
      default: 'continuous',
      description: 'continuous: `parley run` opens a session at start and records all speech; manual: sessions start and stop by command, schedule or button only.',
    }),
    max_duration_s: Type.Integer({
      default: 0, minimum: 0, maximum: 604800,
      description: 'A session longer than this is closed and a new one opened (0 = no limit).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Recording sessions (a meeting, or a day of continuous listening).' },
);
