/** Stand-in SegmentStages for catch-up tests and the bench (the real ASR/diarization stages live elsewhere). */
import type { PipelineSegment, SegmentStage, StageContext } from '../../src/pipeline/types.js';

/** "ASR" that labels a segment with its RMS level and optionally burns CPU per audio second. */
export function rmsTextStage(opts: { cpuMsPerAudioS?: number; delayMs?: number; failOn?: (s: PipelineSegment) => boolean } = {}): SegmentStage & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: 'asr',
    calls,
    async process(segs: PipelineSegment[], ctx: StageContext): Promise<PipelineSegment[]> {
      const out: PipelineSegment[] = [];
      for (const s of segs) {
        calls.push(s.startSample);
        if (opts.failOn?.(s)) throw new Error(`stage failed on ${s.startSample}`);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        if (opts.cpuMsPerAudioS) {
          const until = performance.now() + (opts.cpuMsPerAudioS * s.samples.length) / 16000;
          while (performance.now() < until && !ctx.signal.aborted) { /* burn */ }
        }
        let sum = 0;
        for (const v of s.samples) sum += v * v;
        out.push({ ...s, text: `rms ${Math.sqrt(sum / Math.max(1, s.samples.length)).toFixed(2)}`, confidence: 0.9 });
      }
      return out;
    },
    describe: () => ({ engine: 'rms-test-stage' }),
  };
}

/** "Diarization" that splits a segment in two halves with speakers A (longer) and B. */
export function splitSpeakerStage(): SegmentStage {
  return {
    name: 'diarization',
    async process(segs) {
      return segs.flatMap((s) => {
        const mid = s.startSample + Math.floor(((s.endSample - s.startSample) * 2) / 3);
        const cut = mid - s.startSample;
        return [
          { ...s, endSample: mid, samples: s.samples.subarray(0, cut), speaker: 'A' },
          { ...s, startSample: mid, samples: s.samples.subarray(cut), speaker: 'B' },
        ];
      });
    },
    describe: () => ({ engine: 'split-test-stage' }),
  };
}
