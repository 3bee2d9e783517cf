import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/load.js';
import { computeDer, turnsFromSegments } from '../../../src/diarization/der.js';
import { createDiarizationStage } from '../../../src/diarization/create-stage.js';
import { silentLogger } from '../../../src/util/logger.js';
import { conversation } from '../../helpers/diarization-conversations.js';
import { runStage } from '../../helpers/diarization-run.js';

const cfg = defaultConfig().diarization;
const logger = silentLogger().child('diarization');

async function score(voices: string[], n: number, knownSpeakers?: number, seed = 3): Promise<{ der: number; derCollar: number; speakers: number }> {
  const { conv, segs } = conversation(voices, n, seed);
  const stage = await createDiarizationStage(cfg, { logger, knownSpeakers });
  assert.ok(stage);
  const r = await runStage(stage, segs);
  const hyp = turnsFromSegments('synth', r.final);
  const d = computeDer(conv.turns, hyp);
  return { der: d.der, derCollar: computeDer(conv.turns, hyp, { collarS: 0.25 }).der, speakers: d.hypSpeakers };
}

test('three espeak voices, 16 turns: DER <= 5% and three speakers without a hint', async () => {
  const r = await score(['en-us+m1', 'en-us+f2', 'en-us+klatt2'], 16);
  assert.equal(r.speakers, 3, JSON.stringify(r));
  assert.ok(r.der <= 0.05, `DER ${(100 * r.der).toFixed(2)}%`);
});

test('four espeak voices with a known speaker count: DER <= 5%', async () => {
  const r = await score(['en-us+m1', 'en-us+f2', 'en-us+klatt2', 'en-us+m7'], 16, 4);
  assert.equal(r.speakers, 4, JSON.stringify(r));
  assert.ok(r.der <= 0.05, `DER ${(100 * r.der).toFixed(2)}%`);
});
