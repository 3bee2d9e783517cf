/**
 * src/audio/framer.ts — cuts arbitrary-length 16 kHz chunks into fixed FRAME_SAMPLES frames.
 *
 * The sample clock (`startSample`) is monotonic and true to time: a capture gap of G samples
 * first zero-fills the pending partial frame up to its end (so frames never overlap), then
 * advances the clock by the rest of G without emitting anything.
 */
import { FRAME_SAMPLES, type AudioFrame } from './types.js';

export class Framer {
  private readonly size: number;
  private pending: Float32Array;
  private fill = 0;
  private pendingStart = 0;

  constructor(frameSamples = FRAME_SAMPLES) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError(`invalid frame size ${frameSamples}`);
    this.size = frameSamples;
    this.pending = new Float32Array(frameSamples);
  }

  /** Index of the next sample to arrive (the clock). */
  get clockSamples(): number {
    return this.pendingStart + this.fill;
  }

  /** Samples waiting in the partial frame. */
  get pendingSamples(): number {
    return this.fill;
  }

  /** Add samples; returns the frames completed by them (possibly none). */
  push(chunk: Float32Array): AudioFrame[] {
    const out: AudioFrame[] = [];
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(this.size - this.fill, chunk.length - off);
      this.pending.set(chunk.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === this.size) out.push(this.emit());
    }
    return out;
  }

  /**
   * Record a gap of `samples` samples: zero-fill the partial frame (emitting it if the gap
   * reaches its end) and advance the clock by the remainder.
   */
  gap(samples: number): AudioFrame[] {
    const n = Math.max(0, Math.round(samples));
    if (n === 0) return [];
    const out: AudioFrame[] = [];
    if (this.fill > 0) {
      const zeros = Math.min(n, this.size - this.fill);
      this.fill += zeros; // pending is zeroed after each emit, so the filled tail is already 0
      if (this.fill === this.size) out.push(this.emit());
      // Non-zero only when the partial frame was completed (and emitted) above.
      this.pendingStart += n - zeros;
      return out;
    }
    this.pendingStart += n;
    return out;
  }

  /** End of input: the last partial frame, zero-padded, or nothing. */
  flush(): AudioFrame[] {
    if (this.fill === 0) return [];
    this.fill = this.size;
    return [this.emit()];
  }

  private emit(): AudioFrame {
    const frame: AudioFrame = { samples: this.pending, startSample: this.pendingStart };
    this.pendingStart += this.size;
    this.pending = new Float32Array(this.size);
    this.fill = 0;
    return frame;
  }
}
