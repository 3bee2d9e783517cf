import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { FRAME_SAMPLES, type AudioFrame } from '../../../src/audio/types.js';
import { defaultConfig } from '../../../src/config/load.js';
import { parseRttm } from '../../../src/diarization/rttm.js';
import { frameF1, turnIntervals } from '../../../src/vad/frame-f1.js';
import { Vad, type VadEvent } from '../../../src/vad/vad.js';
import { evalDir, installedVad, readPcm16Mono } from '../../helpers/vad-env.js';
import { vadHost } from '../../helpers/vad-host.js';

function frames(samples: Float32Array): AudioFrame[] {
  const out: AudioFrame[] = [];
  for (let s = 0; s + FRAME_SAMPLES <= samples.length; s += FRAME_SAMPLES) out.push({ startSample: s, samples: samples.slice(s, s + FRAME_SAMPLES) });
  return out;
}

test('real Silero v6.2 in the inference child: frame F1 ≥ 0.97 on pyannote-sample vs the RTTM union', { timeout: 180_000 }, async () => {
  const dir = join(evalDir(), 'pyannote-sample');
  const wav = readPcm16Mono(join(dir, 'sample.wav'));
  assert.equal(wav.sampleRateHz, 16000);
  const ref = turnIntervals(parseRttm(readFileSync(join(dir, 'sample.rttm'), 'utf8')));
  const bundle = await installedVad('silero-vad-v6.2');
  const records: { msg: string; startSample?: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => records.push(JSON.parse(l)) });
  const cfg = defaultConfig().vad;
  const host = vadHost();
  await host.start();
  try {
    const vad = new Vad(host, cfg, logger);
    await vad.init(bundle);
    assert.equal(vad.model, 'silero-vad-v6.2');
    const fr = frames(wav.samples);
    const ev: VadEvent[] = [];
    for (let i = 0; i < fr.length; i += 25) ev.push(...(await vad.push(fr.slice(i, i + 25))));
    ev.push(...vad.flush());
    const segs = ev.filter((e): e is Extract<VadEvent, { type: 'speech_end' }> => e.type === 'speech_end').map((e) => e.segment);
    assert.equal(ev.filter((e) => e.type === 'speech_start').length, segs.length);
    assert.ok(segs.length >= 1, `got ${segs.length} segments`);
    for (const s of segs) assert.equal(s.samples.length, s.endSample - s.startSample);
    const hyp = segs.map((s) => ({ start: s.startSample / 16000, end: s.endSample / 16000 }));
    const score = frameF1(ref, hyp, wav.samples.length / 16000);
    process.stderr.write(`# pyannote-sample VAD frame F1 ${score.f1.toFixed(4)} (P ${score.precision.toFixed(3)}, R ${score.recall.toFixed(3)}, ${segs.length} segments)\n`);
    assert.ok(score.f1 >= 0.97, `frame F1 ${score.f1} < 0.97`);
    assert.ok(records.some((r) => r.msg === 'vad.speech_start'));
    assert.ok(records.some((r) => r.msg === 'vad.speech_end'));
    assert.ok(records.some((r) => r.msg === 'vad.loaded'));

    // Batch size does not change the result (state lives in the child across calls).
    vad.reset();
    const ev1: VadEvent[] = [];
    for (const f of fr) ev1.push(...(await vad.push([f])));
    ev1.push(...vad.flush());
    const segs1 = ev1.filter((e): e is Extract<VadEvent, { type: 'speech_end' }> => e.type === 'speech_end').map((e) => [e.segment.startSample, e.segment.endSample]);
    assert.deepEqual(segs1, segs.map((s) => [s.startSample, s.endSample]));
  } finally {
    await host.stop();
  }
});

test('Vad refuses non-VAD bundles, wrong frame sizes and push before init', async () => {
  const host = vadHost();
  await host.start();
  try {
    const vad = new Vad(host, defaultConfig().vad, pino({ level: 'silent' }));
    await assert.rejects(vad.push([]), /before init/);
    const b = await installedVad();
    await assert.rejects(vad.init({ ...b, role: 'asr-offline' }), /role asr-offline, not vad/);
    const { golden: _g, ...noGolden } = b;
    await assert.rejects(vad.init(noGolden), (e: Error & { code?: string }) => e.code === 'MODEL_INTEGRITY' && /no golden-output expectation/.test(e.message));
    await vad.init(b);
    await assert.rejects(vad.push([{ startSample: 0, samples: new Float32Array(100) }]), /must have 512 samples/);
    const created = await Vad.create(host, defaultConfig(), pino({ level: 'silent' }), 'vad-created');
    assert.equal(created.model, 'silero-vad-v6.2');
    await assert.rejects(Vad.create(host, defaultConfig({ vad: { model: 'no-such-vad' } }), pino({ level: 'silent' }), 'x'), (e: Error & { code?: string }) => e.code === 'MODEL_MISSING');
  } finally {
    await host.stop();
  }
});
