/**
 * src/audio/frame-queue.ts — bounded hand-off between a live capture and its consumer.
 *
 * Drop policy: when full, the OLDEST frame is dropped (the newest audio is the most useful
 * for a live appliance) and counted. A run of drops is reported once, as a gap, just before
 * the next frame is handed to the consumer, so the consumer sees it in timeline order.
 */
import type { AudioFrame, AudioGap } from './types.js';
import { FRAME_SAMPLES, SAMPLE_RATE_HZ } from './types.js';

export function framesForMs(ms: number, frameSamples = FRAME_SAMPLES): number {
  return Math.max(1, Math.ceil((ms * SAMPLE_RATE_HZ) / 1000 / frameSamples));
}

export class FrameQueue {
  private readonly items: AudioFrame[] = [];
  private readonly maxFrames: number;
  private droppedTotal = 0;
  private dropStart = -1;
  private dropSamples = 0;
  private ended = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  /** `onDropGap` is called with each run of dropped frames, in timeline order. */
  constructor(maxFrames: number, private readonly onDropGap?: (gap: AudioGap) => void) {
    if (!Number.isInteger(maxFrames) || maxFrames < 1) throw new RangeError(`invalid queue bound ${maxFrames}`);
    this.maxFrames = maxFrames;
  }

  get length(): number {
    return this.items.length;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  push(frame: AudioFrame): void {
    if (this.ended) return;
    if (this.items.length >= this.maxFrames) {
      const old = this.items.shift()!;
      this.droppedTotal++;
      if (this.dropStart < 0) this.dropStart = old.startSample;
      this.dropSamples += old.samples.length;
    }
    this.items.push(frame);
    this.notify();
  }

  /** No more frames: the consumer finishes after draining what is queued. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Fail the consumer after the queued frames. */
  fail(err: unknown): void {
    this.error = err;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Yield frames until end(), fail() (throws) or the signal aborts (returns). */
  async *drain(signal: AbortSignal): AsyncGenerator<AudioFrame> {
    const onAbort = (): void => this.notify();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted) return;
        const f = this.items.shift();
        if (f) {
          if (this.dropSamples > 0) {
            const gap: AudioGap = { startSample: this.dropStart, durationMs: (this.dropSamples * 1000) / SAMPLE_RATE_HZ, reason: 'buffer-overflow' };
            this.dropStart = -1;
            this.dropSamples = 0;
            this.onDropGap?.(gap);
          }
          yield f;
          continue;
        }
        if (this.ended) {
          if (this.error !== undefined) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
