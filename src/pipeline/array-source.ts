import { FRAME_SAMPLES, type AudioFrame, type AudioSource, type AudioSourceStats } from '../audio/types.js';

/**
 * An AudioSource over samples already in memory (a decoded file). The last partial frame
 * is zero-padded so no audio is lost. Yields to the event loop every `yieldEvery` frames.
 */
export class ArraySource implements AudioSource {
  readonly kind = 'file' as const;
  private emitted = 0;

  constructor(private readonly samples: Float32Array, private readonly yieldEvery = 256) {}

  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    for (let start = 0; start < this.samples.length; start += FRAME_SAMPLES) {
      if (signal.aborted) return;
      let chunk = this.samples.subarray(start, start + FRAME_SAMPLES);
      if (chunk.length < FRAME_SAMPLES) {
        const padded = new Float32Array(FRAME_SAMPLES);
        padded.set(chunk);
        chunk = padded;
      }
      this.emitted++;
      yield { samples: chunk, startSample: start };
      if (this.emitted % this.yieldEvery === 0) await new Promise((r) => setImmediate(r));
    }
  }

  stats(): AudioSourceStats {
    return { framesEmitted: this.emitted, framesDropped: 0, restarts: 0, gaps: 0 };
  }
}
