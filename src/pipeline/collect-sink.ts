import type { SegmentSink } from './pipeline.js';
import type { PipelineSegment, SegmentRevision, SpeechSegment } from './types.js';

/** Keeps every segment in memory (transcribe output); forwards to an inner sink if given. */
export class CollectSink implements SegmentSink {
  readonly segments: PipelineSegment[] = [];

  constructor(private readonly inner?: SegmentSink) {}

  speechStart(startSample: number): void {
    this.inner?.speechStart?.(startSample);
  }

  speechEnd(seg: SpeechSegment): void {
    this.inner?.speechEnd?.(seg);
  }

  async store(seg: PipelineSegment): Promise<void> {
    this.segments.push(seg);
    await this.inner?.store(seg);
  }

  async revise(revs: SegmentRevision[]): Promise<void> {
    for (const r of revs) {
      const s = this.segments.find((x) => x.startSample === r.startSample);
      if (!s) continue;
      if (r.speaker !== undefined) s.speaker = r.speaker;
      if (r.text !== undefined) s.text = r.text;
      if (r.confidence !== undefined) s.confidence = r.confidence;
      if (r.words !== undefined) s.words = r.words;
    }
    await this.inner?.revise?.(revs);
  }

  sorted(): PipelineSegment[] {
    return [...this.segments].sort((a, b) => a.startSample - b.startSample);
  }
}
