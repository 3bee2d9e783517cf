import type { AudioFrame, AudioGap, AudioSource, AudioSourceStats } from '../audio/types.js';
import { Pipeline, type SegmentSink } from '../pipeline/pipeline.js';
import type { PipelineStats } from '../pipeline/pipeline.js';
import type { SegmentStage } from '../pipeline/types.js';
import type { Logger } from '../util/logger.js';
import type { Vad } from '../vad/vad.js';

/**
 * How long queued segments may keep running their stages after capture stops. The whole stop
 * is bounded at 10 s (run.ts): this leaves time for MQTT `offline` (≤ 3 s) and reaping the
 * inference children before SQLite is checkpointed and closed.
 */
export const STOP_GRACE_MS = 4000;

/**
 * Shifts a source's sample clock so that a capture restarted inside a session (unmute,
 * tier change) keeps session-relative timestamps.
 */
export class OffsetSource implements AudioSource {
  readonly kind;
  onGap?: (gap: AudioGap) => void;
  lastSample = 0;

  constructor(private readonly inner: AudioSource, private readonly offset: number, private readonly onFrame?: (f: AudioFrame) => void) {
    this.kind = inner.kind;
    inner.onGap = (g) => this.onGap?.({ ...g, startSample: g.startSample + offset });
  }

  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    for await (const f of this.inner.frames(signal)) {
      const startSample = f.startSample + this.offset;
      this.lastSample = startSample + f.samples.length;
      this.onFrame?.(f);
      yield { samples: f.samples, startSample };
    }
  }

  stats(): AudioSourceStats {
    return this.inner.stats();
  }
}

export interface CaptureRunOptions {
  source: AudioSource;
  offsetSamples: number;
  vad: Vad;
  stages: SegmentStage[];
  sink: SegmentSink;
  logger: Logger;
  tier: () => string;
  sessionId: string;
  onProgress: (samples: number) => void;
  onGap: (gap: AudioGap) => void;
  deferStage?: (stageName: string) => boolean;
  /** Every captured frame (microphone health). */
  onFrame?: (f: AudioFrame) => void;
}

/** One stretch of open capture within a session: source → pipeline until stopped or ended. */
export class CaptureRun {
  readonly pipeline: Pipeline;
  private readonly abort = new AbortController();
  /** Aborts the stages only after the stop grace period: queued segments finish first. */
  private readonly stageAbort = new AbortController();
  private readonly source: OffsetSource;
  readonly done: Promise<PipelineStats>;

  constructor(o: CaptureRunOptions) {
    this.source = new OffsetSource(o.source, o.offsetSamples, o.onFrame);
    this.source.onGap = o.onGap;
    o.vad.reset();
    this.pipeline = new Pipeline({
      vad: o.vad, stages: o.stages, sink: o.sink, logger: o.logger, tier: o.tier, sessionId: o.sessionId,
      onProgress: o.onProgress, vadBatchFrames: 8, deferStage: o.deferStage,
    });
    this.done = this.pipeline.run(this.source, this.abort.signal, this.stageAbort.signal);
  }

  /** Samples seen so far, in session time. */
  position(): number {
    return this.source.lastSample;
  }

  sourceStats(): AudioSourceStats {
    return this.source.stats();
  }

  /**
   * Close capture now; queued segments get `graceMs` to finish their stages, after which the
   * stages are aborted and the remaining segments are stored as deferred (backlog).
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<PipelineStats> {
    this.abort.abort();
    const t = setTimeout(() => this.stageAbort.abort(), graceMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(t);
    }
  }
}
