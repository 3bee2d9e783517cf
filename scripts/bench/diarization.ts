// Diarization benchmark (built-in engine): real-time factor, peak memory and DER for a
// synthetic meeting of 4 espeak-ng voices, at 5 and 30 minutes (memory must not grow with length).
// Run: node --import tsx scripts/bench/diarization.ts   (needs espeak-ng)
import { defaultConfig } from '../../src/config/load.js';
import { computeDer, turnsFromSegments } from '../../src/diarization/der.js';
import { createDiarizationStage } from '../../src/diarization/create-stage.js';
import type { Turn } from '../../src/diarization/rttm.js';
import type { SpeechSegment } from '../../src/pipeline/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { synthTurn } from '../../tests/helpers/diarization-synth.js';
import { TEXTS } from '../../tests/helpers/diarization-conversations.js';
import { mulberry32 } from '../../src/util/prng.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

const VOICES = ['en-us+m1', 'en-us+f2', 'en-us+klatt2', 'en-us+m7'];
const SR = 16000;

const rng = mulberry32;

/** Turns of random voices/texts with 0.3–1.2 s gaps; audio is produced segment by segment (never the whole meeting at once). */
function* meeting(minutes: number, seed: number): Generator<{ seg: SpeechSegment; turn: Turn }> {
  const r = rng(seed);
  let pos = SR;
  const end = minutes * 60 * SR;
  let prev = -1;
  while (pos < end) {
    let v = Math.floor(r() * VOICES.length);
    if (v === prev) v = (v + 1) % VOICES.length;
    prev = v;
    const clip = synthTurn(VOICES[v], TEXTS[Math.floor(r() * TEXTS.length)]);
    const samples = new Float32Array(clip.length);
    for (let i = 0; i < clip.length; i++) samples[i] = 0.8 * clip[i] + (r() * 2 - 1) * 0.001;
    yield {
      seg: { startSample: pos, endSample: pos + clip.length, samples, closedAtMonoMs: 0, closeReason: 'silence' },
      turn: { file: 'meeting', startS: pos / SR, durationS: clip.length / SR, speaker: VOICES[v] },
    };
    pos += clip.length + Math.round((0.3 + 0.9 * r()) * SR);
  }
}

async function runOne(minutes: number): Promise<{ rtf: number; peakRssMb: number; baseRssMb: number; der: number; speakers: number; audioS: number; kept: number }> {
  // warm the synthesis cache so the timing covers diarization only
  for (const v of VOICES) for (const t of TEXTS) synthTurn(v, t);
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const stage = await createDiarizationStage(defaultConfig().diarization, { logger: silentLogger().child('diarization') });
  if (!stage) throw new Error('no stage');
  const ctx = { sessionId: 'bench', tier: 'full', signal: new AbortController().signal };
  const ref: Turn[] = [];
  const hyp: { startMs: number; endMs: number; speaker: string }[] = [];
  let busyMs = 0;
  let audioS = 0;
  for (const { seg, turn } of meeting(minutes, 11)) {
    ref.push(turn);
    audioS = (seg.endSample + SR) / SR;
    const t0 = performance.now();
    const out = await stage.process([seg], ctx);
    busyMs += performance.now() - t0;
    for (const p of out) hyp.push({ startMs: (p.startSample / SR) * 1000, endMs: (p.endSample / SR) * 1000, speaker: String(p.speaker) });
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const kept = Number(stage.describe().windows_kept);
  const t0 = performance.now();
  const revs = stage.endSession ? await stage.endSession(ctx) : [];
  busyMs += performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  const bySample = new Map(revs.map((x) => [Math.round((x.startSample / SR) * 1000), x.speaker]));
  const fin = hyp.map((h) => ({ ...h, speaker: String(bySample.get(Math.round(h.startMs)) ?? h.speaker) }));
  const d = computeDer(ref, turnsFromSegments('meeting', fin));
  return { rtf: busyMs / 1000 / audioS, peakRssMb: peak / 2 ** 20, baseRssMb: baseRss / 2 ** 20, der: d.der, speakers: d.hypSpeakers, audioS, kept };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const minutes of [5, 30]) {
    const r = await runOne(minutes);
    rows.push(
      { area: 'diarization', metric: `rtf_builtin_${minutes}min`, value: Number(r.rtf.toFixed(4)), unit: 'x', target: '<= 0.05', note: `${r.audioS.toFixed(0)} s synthetic meeting, 4 espeak voices, one thread` },
      { area: 'diarization', metric: `rss_growth_${minutes}min`, value: Number((r.peakRssMb - r.baseRssMb).toFixed(1)), unit: 'MB', target: 'flat in meeting length', note: `peak RSS ${r.peakRssMb.toFixed(0)} MB` },
      { area: 'diarization', metric: `windows_kept_${minutes}min`, value: r.kept, unit: 'windows', target: `<= ${defaultConfig().diarization.max_offline_items} (max_offline_items)`, note: '42 floats each; the only state that grows with the meeting, and it is capped' },
      { area: 'diarization', metric: `der_builtin_${minutes}min`, value: Number((100 * r.der).toFixed(2)), unit: '%', note: `${r.speakers} speakers found (4 true), no hint, collar 0` },
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}
