import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile } from '../../../src/audio/wav-reader.js';
import { makeConversation, speechBounds, synthesize, toRttmText, writeConversationWav } from '../../helpers/espeak.js';

function rms(x: Float32Array, a: number, b: number): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, b - a));
}

test('synthesize: 16 kHz speech trimmed to its first and last speech frame', () => {
  const x = synthesize('Testing one two three.', { voice: 'en-us', wpm: 170 });
  assert.ok(x.length > 0.6 * 16000 && x.length < 3 * 16000, `length ${x.length}`);
  const [s, e] = speechBounds(x);
  assert.equal(s, 0);
  assert.ok(x.length - e < 160, 'trailing silence trimmed');
  assert.ok(rms(x, 0, 160) > 0, 'starts with sound');
  const again = synthesize('Testing one two three.', { voice: 'en-us', wpm: 170 });
  assert.deepEqual(Array.from(again.subarray(0, 100)), Array.from(x.subarray(0, 100)), 'cached result identical');
});

test('makeConversation: exact turn times, silent gaps, seeded gap ranges, several voices', () => {
  const turns = [
    { voice: 'en-us', text: 'Good morning, how are you?' },
    { voice: 'en-gb-scotland', text: 'Very well, thank you.' },
    { voice: 'en-us+f3', text: 'Shall we start the meeting?', speaker: 'alice' },
  ];
  const c = makeConversation({ turns, gapMs: [400, 900], seed: 42 });
  assert.equal(c.sampleRateHz, 16000);
  assert.equal(c.rttm.length, 3);
  assert.deepEqual(c.rttm.map((t) => t.speaker), ['en-us', 'en-gb-scotland', 'alice']);
  assert.equal(c.transcript, turns.map((t) => t.text).join(' '));
  assert.equal(c.rttm[0]!.startS, 0.4, 'lead = lower bound of the gap range');
  for (let k = 0; k < 3; k++) {
    const t = c.rttm[k]!;
    const a = Math.round(t.startS * 16000);
    const b = Math.round(t.endS * 16000);
    assert.ok(rms(c.samples, a, a + 160) > 0 && rms(c.samples, b - 160, b) > 0, `turn ${k} edges carry speech`);
    if (k > 0) {
      const gap = t.startS - c.rttm[k - 1]!.endS;
      assert.ok(gap >= 0.4 - 1e-9 && gap <= 0.9 + 1e-9, `gap ${gap}`);
      assert.equal(rms(c.samples, Math.round(c.rttm[k - 1]!.endS * 16000), a), 0, 'gap is silent');
    }
  }
  const again = makeConversation({ turns, gapMs: [400, 900], seed: 42 });
  assert.deepEqual(again.rttm, c.rttm, 'same seed, same timings');
  const other = makeConversation({ turns, gapMs: [400, 900], seed: 7 });
  assert.notDeepEqual(other.rttm, c.rttm, 'another seed, other gaps');
  assert.match(toRttmText(c.rttm, 'conv'), /^SPEAKER conv 1 0\.400 \d+\.\d{3} <NA> <NA> en-us <NA> <NA>\n/);
});

test('writeConversationWav round-trips through the WAV reader', async () => {
  const c = makeConversation({ turns: [{ voice: 'en-gb', text: 'Hello.' }], gapMs: 200, noiseAmplitude: 0.001 });
  const p = join(mkdtempSync(join(tmpdir(), 'parley-conv-')), 'c.wav');
  writeConversationWav(p, c);
  const w = await readWavFile(p);
  assert.equal(w.sampleRateHz, 16000);
  assert.equal(w.frameCount, c.samples.length);
  assert.ok(rms(w.channelData[0]!, 0, 3200) > 0, 'noise present in the lead');
});
