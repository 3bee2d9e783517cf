import type { ParleyDb } from '../storage/db.js';
import type { Logger } from '../util/logger.js';
import type { SegmentSink } from './pipeline.js';
import type { PipelineSegment, SegmentRevision, SpeechSegment } from './types.js';
import { SAMPLE_RATE_HZ } from '../audio/types.js';

export interface StoreSinkOptions {
  db: ParleyDb;
  sessionId: string;
  deviceId: string;
  logger: Logger;
  tier: () => string;
  /** Wall-clock ms at sample 0 of the session. */
  wallStartMs: number;
  /** Called after every stored row so the MQTT publisher can drain right away. */
  onStored?: () => void;
  /** Publish speech start/end events (smart-home latency) as stored events. */
  speechEvents?: boolean;
  /** A segment stored with deferred stages: spool its audio for catch-up. */
  onDeferred?: (seg: PipelineSegment, segmentId: string) => void;
  /** Speech state changes (Home Assistant `speaking`). */
  onSpeaking?: (speaking: boolean) => void;
  /** After each stored segment: its processing cost (for the real-time-factor budget). */
  onSegmentCost?: (audioMs: number, processingMs: number) => void;
}

/**
 * Stores every final segment (and the outbox event describing it, in one transaction),
 * then revisions from session-end re-clustering. Only the supervisor writes the database.
 */
export class StoreSink implements SegmentSink {
  stored = 0;
  revised = 0;
  lastSegment: PipelineSegment | undefined;

  constructor(private readonly o: StoreSinkOptions) {}

  speechStart(startSample: number): void {
    this.o.onSpeaking?.(true);
    if (!this.o.speechEvents) return;
    this.o.db.events.append('speech', { session_id: this.o.sessionId, state: 'start', start_s: startSample / SAMPLE_RATE_HZ });
    this.o.onStored?.();
  }

  speechEnd(seg: SpeechSegment): void {
    this.o.onSpeaking?.(false);
    if (!this.o.speechEvents) return;
    this.o.db.events.append('speech', {
      session_id: this.o.sessionId, state: 'end', start_s: seg.startSample / SAMPLE_RATE_HZ, end_s: seg.endSample / SAMPLE_RATE_HZ,
    });
    this.o.onStored?.();
  }

  store(seg: PipelineSegment): void {
    const wallStartMs = this.o.wallStartMs + (seg.startSample / SAMPLE_RATE_HZ) * 1000;
    const r = this.o.db.segments.insert(this.o.sessionId, seg, { tier: this.o.tier(), wallStartMs, deviceId: this.o.deviceId });
    this.stored++;
    this.lastSegment = seg;
    this.o.logger.info(
      { segmentId: r.segmentId, seq: r.seq, startMs: Math.round((seg.startSample / SAMPLE_RATE_HZ) * 1000), endMs: Math.round((seg.endSample / SAMPLE_RATE_HZ) * 1000), speaker: seg.speaker ?? null, hasText: !!seg.text },
      'segment.stored',
    );
    if (seg.text) this.o.logger.debug({ segmentId: r.segmentId, text: seg.text }, 'segment.text');
    if (seg.deferred && seg.deferred.length > 0) this.o.onDeferred?.(seg, r.segmentId);
    const audioMs = ((seg.endSample - seg.startSample) / SAMPLE_RATE_HZ) * 1000;
    const processingMs = Object.entries(seg.timingsMs ?? {}).filter(([k]) => k !== 'queue').reduce((a, [, v]) => a + v, 0);
    this.o.onSegmentCost?.(audioMs, processingMs);
    this.o.onStored?.();
  }

  revise(revs: SegmentRevision[]): void {
    for (const rev of revs) {
      const r = this.o.db.segments.revise(this.o.sessionId, rev);
      if (r) {
        this.revised++;
        this.o.logger.info({ segmentId: r.segmentId, rev: r.rev, seq: r.seq }, 'segment.revised');
      }
    }
    this.o.onStored?.();
  }
}
