/**
 * Shared shapes of the processing pipeline. VAD produces SpeechSegments; stages
 * (diarization, ASR) transform them into PipelineSegments; the supervisor stores them.
 */
export interface SpeechSegment {
  /** Sample index (16 kHz) of the first sample, from the start of the input/session. */
  startSample: number;
  /** Exclusive end sample index. */
  endSample: number;
  /** The audio of the segment, 16 kHz mono float32 (pre-roll/padding included). */
  samples: Float32Array;
  /** Monotonic time (ms, performance.now()) at which the VAD closed the segment. */
  closedAtMonoMs: number;
  /** Why the segment closed: silence, max length split, or end of input. */
  closeReason: 'silence' | 'max_length' | 'end_of_input';
}

export interface Word {
  word: string;
  startMs: number;
  endMs: number;
  confidence?: number;
}

export interface PipelineSegment extends SpeechSegment {
  speaker?: string | null;
  speakerConfidence?: number | null;
  /** Speaker embedding for later re-clustering (kept in memory/DB, never published). */
  embedding?: Float32Array | null;
  text?: string | null;
  confidence?: number | null;
  words?: Word[] | null;
  asrEngine?: string | null;
  asrModel?: string | null;
  /** Per-stage timings in ms (e.g. { asr: 120, diarize: 8 }). */
  timingsMs?: Record<string, number>;
  /** Stages skipped under pressure (tier actions); the audio goes to the backlog for catch-up. */
  deferred?: string[];
}

export interface StageContext {
  sessionId: string;
  /** Degradation tier the pipeline runs in right now. */
  tier: string;
  signal: AbortSignal;
}

/** A later change to an already stored segment (offline re-clustering, deferred ASR). */
export interface SegmentRevision {
  /** Matches the stored segment by its start sample within the session. */
  startSample: number;
  endSample: number;
  speaker?: string | null;
  text?: string | null;
  confidence?: number | null;
  words?: Word[] | null;
}

/**
 * One pipeline stage. `process` may split a segment (diarization change points),
 * annotate it (speaker, text) or drop it (returns []); stages run in order.
 */
export interface SegmentStage {
  readonly name: string;
  process(segments: PipelineSegment[], ctx: StageContext): Promise<PipelineSegment[]>;
  /** Called at session end; returns revisions of segments already processed. */
  endSession?(ctx: StageContext): Promise<SegmentRevision[]>;
  /** A short description for the transcribe summary (engine, model, or why it did not run). */
  describe(): Record<string, unknown>;
  close?(): Promise<void>;
}
