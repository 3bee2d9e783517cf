import type { AudioFrame, AudioSource } from '../audio/types.js';
import type { Logger } from '../util/logger.js';
import { SegmentQueue } from './segment-queue.js';
import type { PipelineSegment, SegmentRevision, SegmentStage, SpeechSegment, StageContext } from './types.js';

/** What the VAD looks like to the pipeline (src/vad/vad.ts implements it). */
export interface VadLike {
  push(frames: AudioFrame[]): Promise<VadEvent[]>;
  flush(): VadEvent[];
  reset(): void;
}

export type VadEvent = { type: 'speech_start'; startSample: number } | { type: 'speech_end'; segment: SpeechSegment };

/** Where finished segments go (stdout for transcribe, SQLite + MQTT for the service). */
export interface SegmentSink {
  speechStart?(startSample: number): void;
  speechEnd?(segment: SpeechSegment): void;
  store(segment: PipelineSegment): Promise<void> | void;
  revise?(revisions: SegmentRevision[]): Promise<void> | void;
}

export interface PipelineOptions {
  vad: VadLike;
  stages: SegmentStage[];
  sink: SegmentSink;
  logger: Logger;
  /** Current degradation tier (read for every segment). */
  tier: () => string;
  sessionId: string;
  /** Frames sent to the VAD per call (the IPC cost is per call). Live sources use what is queued. */
  vadBatchFrames?: number;
  /** Bound on closed segments waiting for stages; beyond it the oldest waits are dropped and counted. */
  maxQueuedSegments?: number;
  /** Called with the audio position after each VAD batch (progress, watchdog heartbeats). */
  onProgress?: (samplesDone: number) => void;
  /** Stages to skip right now (degradation tier); skipped stage names are recorded on the segment. */
  deferStage?: (stageName: string) => boolean;
  /** Called when a stage fails on a segment (the segment is still stored, without that stage's output). */
  onStageError?: (stage: string, err: Error) => void;
}

export interface PipelineStats {
  samplesIn: number;
  segments: number;
  stageErrors: number;
  droppedSegments: number;
  vadMs: number;
  stageMs: Record<string, number>;
}

/**
 * frames → VAD (batched) → closed segments → stages in order (diarization, ASR) → sink.
 * Stages run on their own loop behind a bounded queue so a slow recognizer never stalls
 * the VAD or the capture.
 */
export class Pipeline {
  private readonly stats: PipelineStats = { samplesIn: 0, segments: 0, stageErrors: 0, droppedSegments: 0, vadMs: 0, stageMs: {} };
  private readonly queue: SegmentQueue<SpeechSegment>;

  constructor(private readonly opts: PipelineOptions) {
    this.queue = new SegmentQueue(opts.maxQueuedSegments ?? 64);
  }

  getStats(): PipelineStats {
    return { ...this.stats, droppedSegments: this.queue.dropped, stageMs: { ...this.stats.stageMs } };
  }

  queueDepth(): number {
    return this.queue.size;
  }

  /** Audio waiting for the stages, in ms (falling behind real time shows here first). */
  queuedAudioMs(): number {
    return this.queue.sum((s) => ((s.endSample - s.startSample) / 16000) * 1000);
  }

  /**
   * Run until the source ends or `signal` aborts; then flush the VAD and finish queued
   * segments. Stages see `stageSignal` (default: `signal`), so a service can stop capturing
   * at once yet let queued segments finish; a segment whose stage is aborted is marked
   * deferred (its audio goes to the backlog) instead of losing that stage's output.
   */
  async run(source: AudioSource, signal: AbortSignal, stageSignal: AbortSignal = signal): Promise<PipelineStats> {
    const ctx: StageContext = { sessionId: this.opts.sessionId, tier: this.opts.tier(), signal: stageSignal };
    const worker = this.stageLoop(ctx);
    const batchMax = this.opts.vadBatchFrames ?? 32;
    let batch: AudioFrame[] = [];
    try {
      for await (const frame of source.frames(signal)) {
        batch.push(frame);
        this.stats.samplesIn = frame.startSample + frame.samples.length;
        // file input: fixed batches; live input: this frame plus those already waiting (no added latency)
        if (batch.length >= batchMax || (source.kind !== 'file' && !((source.readyFrames?.() ?? 0) > 0))) {
          await this.vadStep(batch);
          batch = [];
        }
        if (signal.aborted) break;
      }
      if (batch.length > 0) await this.vadStep(batch);
    } finally {
      for (const ev of this.opts.vad.flush()) this.onVadEvent(ev);
      this.queue.close();
      await worker;
    }
    return this.getStats();
  }

  /** Run the stages' session-end hooks (offline re-clustering) and hand revisions to the sink. */
  async endSession(signal: AbortSignal): Promise<SegmentRevision[]> {
    const ctx: StageContext = { sessionId: this.opts.sessionId, tier: this.opts.tier(), signal };
    const all: SegmentRevision[] = [];
    for (const stage of this.opts.stages) {
      if (!stage.endSession) continue;
      try {
        const revs = await stage.endSession(ctx);
        all.push(...revs);
      } catch (e) {
        this.stats.stageErrors++;
        this.opts.logger.error({ stage: stage.name, err: (e as Error).message }, 'stage.end_session_failed');
        this.opts.onStageError?.(stage.name, e as Error);
      }
    }
    if (all.length > 0 && this.opts.sink.revise) await this.opts.sink.revise(all);
    return all;
  }

  private async vadStep(frames: AudioFrame[]): Promise<void> {
    const t0 = performance.now();
    const events = await this.opts.vad.push(frames);
    this.stats.vadMs += performance.now() - t0;
    for (const ev of events) this.onVadEvent(ev);
    const last = frames[frames.length - 1];
    this.opts.onProgress?.(last.startSample + last.samples.length);
  }

  private onVadEvent(ev: VadEvent): void {
    if (ev.type === 'speech_start') {
      this.opts.sink.speechStart?.(ev.startSample);
      return;
    }
    this.opts.sink.speechEnd?.(ev.segment);
    if (!this.queue.push(ev.segment)) {
      this.opts.logger.warn({ startSample: ev.segment.startSample, dropped: this.queue.dropped }, 'pipeline.segment_dropped');
    }
  }

  private async stageLoop(ctx: StageContext): Promise<void> {
    for (;;) {
      const seg = await this.queue.next();
      if (seg === undefined) return;
      ctx.tier = this.opts.tier();
      let segs: PipelineSegment[] = [{ ...seg, timingsMs: { queue: performance.now() - seg.closedAtMonoMs } }];
      for (const stage of this.opts.stages) {
        if (this.opts.deferStage?.(stage.name) || ctx.signal.aborted) {
          segs = segs.map((s) => ({ ...s, deferred: [...(s.deferred ?? []), stage.name] }));
          continue;
        }
        const t0 = performance.now();
        try {
          segs = await stage.process(segs, ctx);
        } catch (e) {
          if (ctx.signal.aborted) {
            segs = segs.map((s) => ({ ...s, deferred: [...(s.deferred ?? []), stage.name] }));
            this.opts.logger.warn({ stage: stage.name, startSample: seg.startSample }, 'stage.deferred_by_stop');
          } else {
            this.stats.stageErrors++;
            this.opts.logger.error({ stage: stage.name, startSample: seg.startSample, err: (e as Error).message }, 'stage.failed');
            this.opts.onStageError?.(stage.name, e as Error);
          }
        }
        const dt = performance.now() - t0;
        this.stats.stageMs[stage.name] = (this.stats.stageMs[stage.name] ?? 0) + dt;
      }
      for (const s of segs) {
        this.stats.segments++;
        await this.opts.sink.store(s);
      }
    }
  }
}
