import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whisperRejection } from '../../../src/asr/whisper-recognizer.js';
import type { WhisperDecodeResult } from '../../../src/asr/whisper-engine.js';
import { asrConfig } from '../../helpers/asr-config.js';

const o = asrConfig().whisper;
const base: WhisperDecodeResult = { tokens: [1, 2, 3], text: 'ask not what your country can do', language: 'en', noSpeechProb: 0.01, avgLogProb: -0.3, hitTokenCap: false, audioFrames: 300 };

test('Whisper guards: no-speech probability, runaway decodes and repetition loops are rejected', () => {
  assert.equal(whisperRejection(base, o), null);
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9 }, o)?.reason, 'no_speech');
  assert.equal(whisperRejection({ ...base, hitTokenCap: true }, o)?.reason, 'token_cap');
  assert.equal(whisperRejection({ ...base, text: 'Thank you. '.repeat(12) }, o)?.reason, 'compression_ratio');
  assert.equal(whisperRejection({ ...base, noSpeechProb: 0.9 }, { ...o, no_speech_threshold: 0.95 }), null);
});
