import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/load.js';
import { createDiarizationStage } from '../../../src/diarization/create-stage.js';
import { enrollFromSamples } from '../../../src/diarization/enrollment.js';
import { SpeakersRepo } from '../../../src/storage/speakers-repo.js';
import { AppError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { makeConversation, energySegments } from '../../helpers/diarization-synth.js';
import { runStage } from '../../helpers/diarization-run.js';
import { openTestDb, tmpDbPath } from '../../helpers/storage-tmp.js';

const ENROLL_TEXT = ['Hello, my name is Alice and I am enrolling my voice.', 'The kitchen lights should turn off at eleven every night.'];

test('a voice enrolled from one clip is recognised by name in a new session; other voices are not', async () => {
  const tmp = tmpDbPath('parley-enroll-');
  const pdb = openTestDb(tmp.path);
  try {
    const clip = makeConversation({ turns: ENROLL_TEXT.map((text) => ({ voice: 'en-us+m1', text })), gapMs: 300, seed: 1 });
    const e = enrollFromSamples(clip.samples);
    new SpeakersRepo(pdb.db).enroll({ name: 'Alice', engine: e.engine, embedding: e.embedding, durationMs: e.speechMs, source: 'test' });

    // a new session: different sentences by Alice's voice and by two other voices
    const conv = makeConversation({
      turns: [
        { voice: 'en-us+f2', text: 'Did anyone see the parcel that arrived this morning?' },
        { voice: 'en-us+m1', text: 'I put it on the shelf next to the front door.' },
        { voice: 'en-us+klatt2', text: 'Thanks, I will open it after dinner tonight.' },
        { voice: 'en-us+m1', text: 'Remember that the garage door is still broken.' },
        { voice: 'en-us+f2', text: 'I called the repair service yesterday afternoon.' },
      ],
      gapMs: 600, seed: 5,
    });
    const segs = energySegments(conv.samples).map((s) => ({ ...s, samples: conv.samples.subarray(s.startSample, s.endSample), closedAtMonoMs: 0, closeReason: 'silence' as const }));
    const stage = await createDiarizationStage(defaultConfig().diarization, { logger: silentLogger().child('d'), db: pdb.db });
    assert.ok(stage);
    const r = await runStage(stage, segs);
    const labelAt = (t: { startS: number; durationS: number }, which: 'live' | 'final'): string[] => {
      const mid = (t.startS + t.durationS / 2) * 16000;
      const rows = which === 'final' ? r.final.map((f) => ({ s: f.startMs * 16, e: f.endMs * 16, spk: f.speaker })) : r.live.map((p) => ({ s: p.startSample, e: p.endSample, spk: String(p.speaker) }));
      return rows.filter((x) => x.s <= mid && x.e >= mid).map((x) => x.spk);
    };
    for (const which of ['live', 'final'] as const) {
      conv.turns.forEach((t) => {
        const got = labelAt(t, which);
        assert.equal(got.length, 1, `${which}: no segment covers turn at ${t.startS}`);
        if (t.speaker === 'en-us+m1') assert.equal(got[0], 'Alice', `${which}: Alice's turn at ${t.startS.toFixed(2)} s labelled ${got[0]}`);
        else assert.match(got[0], /^unknown-\d+$/, `${which}: ${t.speaker} at ${t.startS.toFixed(2)} s labelled ${got[0]}`);
      });
    }
  } finally {
    pdb.close();
    tmp.cleanup();
  }
});

test('enrollment rejects clips that are too short or too noisy with ENROLLMENT errors', () => {
  const short = makeConversation({ turns: [{ voice: 'en-us+m1', text: 'Hi.' }], seed: 2 });
  assert.throws(() => enrollFromSamples(short.samples), (e: unknown) => e instanceof AppError && e.code === 'ENROLLMENT' && /speech/.test(e.message));
  const clean = makeConversation({ turns: ENROLL_TEXT.map((text) => ({ voice: 'en-us+m1', text })), seed: 2, noise: 0.3 });
  assert.throws(() => enrollFromSamples(clean.samples), (e: unknown) => e instanceof AppError && e.code === 'ENROLLMENT' && /noisy/.test(e.message));
  assert.throws(() => enrollFromSamples(new Float32Array(100)), (e: unknown) => e instanceof AppError && e.code === 'ENROLLMENT');
});
