import type { PipelineSegment, SegmentStage, SpeechSegment } from '../../src/pipeline/types.js';
import type { Turn } from '../../src/diarization/rttm.js';

const SR = 16000;

/** Speech segments from the union of RTTM turns (oracle VAD), gaps below mergeGapS merged. */
export function segmentsFromRttm(samples: Float32Array, turns: readonly Turn[], mergeGapS = 0.05): SpeechSegment[] {
  const iv = turns.map((t) => [t.startS, t.startS + t.durationS]).sort((a, b) => a[0] - b[0]);
  const merged: number[][] = [];
  for (const [a, b] of iv) {
    const l = merged[merged.length - 1];
    if (l && a <= l[1] + mergeGapS) l[1] = Math.max(l[1], b);
    else merged.push([a, b]);
  }
  return merged.map(([a, b]) => {
    const s0 = Math.round(a * SR);
    const s1 = Math.min(samples.length, Math.round(b * SR));
    return { startSample: s0, endSample: s1, samples: samples.subarray(s0, s1), closedAtMonoMs: 0, closeReason: 'silence' as const };
  });
}

/** Runs segments through a stage (one at a time, like the live pipeline), applies the session-end revisions. */
export async function runStage(stage: SegmentStage, segs: readonly SpeechSegment[], sessionId = 's'): Promise<{ live: PipelineSegment[]; final: { startMs: number; endMs: number; speaker: string }[]; revised: number }> {
  const ctx = { sessionId, tier: 'full', signal: new AbortController().signal };
  const live: PipelineSegment[] = [];
  for (const s of segs) live.push(...(await stage.process([s], ctx)));
  const revs = stage.endSession ? await stage.endSession(ctx) : [];
  const bySample = new Map(revs.map((r) => [r.startSample, r]));
  const final = live.map((p) => ({
    startMs: (p.startSample / SR) * 1000,
    endMs: (p.endSample / SR) * 1000,
    speaker: String(bySample.get(p.startSample)?.speaker ?? p.speaker),
  }));
  return { live, final, revised: revs.length };
}
