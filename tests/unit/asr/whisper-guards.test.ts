import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whisperAvgLogProb, whisperRejection } from '../../../src/asr/whisper-recognizer.js';
import type { WhisperDecodeResult } from '../../../src/asr/whisper-engine.js';
import { asrConfig } from '../../helpers/asr-config.js';

const o = asrConfig().whisper;
const base: WhisperDecodeResult = { tokens: [1, 2, 3], text: 'ask not what your country can do', language: 'en', noSpeechProb: 0.01, avgLogProb: -0.3, hitTokenCap: false, audioFrames: 300,
  sumLogProb: -0.9, eotLogProb: -0.1 };

test('Whisper guards: no-speech probability (with avg_logprob, as openai/whisper), runaway decodes and repetition loops are rejected', () => {
  assert.equal(whisperRejection(base, o), null);
  // openai/whisper: a high no-speech probability rejects only together with avg_logprob <= -1
  // (sum of token and eot log-probs over tokens + 1: here (-0.9 - 0.1) / 4 = -0.25 → kept).
  assert.equal(whisperAvgLogProb(base), -0.25);
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9 }, o), null);
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9, sumLogProb: -3.9 }, o)?.reason, 'no_speech'); // avg exactly -1
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9, sumLogProb: -3.8 }, o), null); // avg -0.975
  assert.equal(whisperRejection({ ...base, hitTokenCap: true }, o)?.reason, 'token_cap');
  assert.equal(whisperRejection({ ...base, text: 'Thank you. '.repeat(12) }, o)?.reason, 'compression_ratio');
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9 }, { ...o, no_speech_threshold: 0.95 }), null);
});
