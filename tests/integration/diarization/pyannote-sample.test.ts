import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { defaultConfig } from '../../../src/config/load.js';
import { computeDer, turnsFromSegments } from '../../../src/diarization/der.js';
import { createDiarizationStage } from '../../../src/diarization/create-stage.js';
import { parseRttm } from '../../../src/diarization/rttm.js';
import { silentLogger } from '../../../src/util/logger.js';
import { evalDir } from '../../helpers/diarization-eval.js';
import { runStage, segmentsFromRttm } from '../../helpers/diarization-run.js';
import { sileroSegments } from '../../helpers/diarization-silero.js';

for (const vad of ['silero', 'oracle'] as const) {
  // silero: the real Silero VAD v6.2 + segmenter with default config (what `parley transcribe --no-asr` does);
  // oracle: speech regions from the reference RTTM.
  test(`pyannote sample, built-in engine, ${vad} VAD: two speakers found without a hint, DER <= 20% (<= 12% with 0.25 s collar)`, async () => {
  const dir = join(evalDir(), 'pyannote-sample');
  const wav = toMono16k(await readWavFile(join(dir, 'sample.wav')));
  const ref = parseRttm(readFileSync(join(dir, 'sample.rttm'), 'utf8'));
  const stage = await createDiarizationStage(defaultConfig().diarization, { logger: silentLogger().child('d') });
  assert.ok(stage);
  const segs = vad === 'silero' ? await sileroSegments(wav) : segmentsFromRttm(wav, ref);
  const r = await runStage(stage, segs);
  const hyp = turnsFromSegments('sample', r.final);
  const d0 = computeDer(ref, hyp);
  const d25 = computeDer(ref, hyp, { collarS: 0.25 });
  const msg = `DER ${(100 * d0.der).toFixed(2)}% / collar 0.25 ${(100 * d25.der).toFixed(2)}%, ${d0.hypSpeakers} speakers`;
  assert.equal(d0.hypSpeakers, 2, msg);
  assert.ok(d0.der <= 0.20, msg);
  assert.ok(d25.der <= 0.12, msg);
  });
}
