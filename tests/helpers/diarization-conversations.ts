import type { SpeechSegment } from '../../src/pipeline/types.js';
import { energySegments, makeConversation } from './diarization-synth.js';

export const TEXTS = [
  'The quarterly report is ready for review.',
  'I think we should move the meeting to Thursday afternoon.',
  'Yes, that works.',
  'Can you send me the numbers before lunch?',
  'The weather station on the roof stopped sending data last night, so we need a ladder.',
  'Okay, sounds good to me.',
  'Let us check the budget first and then decide.',
  'Right, I agree with that plan completely.',
];

/** A conversation of `n` turns cycling through `voices` in a shuffled but fixed order, with energy-VAD segments. */
export function conversation(voices: readonly string[], n: number, seed = 3): { conv: ReturnType<typeof makeConversation>; segs: SpeechSegment[] } {
  const turns = Array.from({ length: n }, (_, i) => ({ voice: voices[(i * 7 + (i >> 2)) % voices.length], text: TEXTS[(i * 3 + seed) % TEXTS.length] }));
  const conv = makeConversation({ turns, gapMs: 500, seed });
  const segs = energySegments(conv.samples).map((s) => ({
    ...s, samples: conv.samples.subarray(s.startSample, s.endSample), closedAtMonoMs: 0, closeReason: 'silence' as const,
  }));
  return { conv, segs };
}
