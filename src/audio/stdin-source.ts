/**
 * src/audio/stdin-source.ts — raw s16le mono PCM at `audio.stdin_rate_hz` from a stream
 * (process.stdin by default). Pull-based: the stream is read only as fast as frames are
 * consumed (pipe back-pressure bounds memory), so nothing is dropped. Ends at EOF, where the
 * last partial frame is zero-padded.
 */
import type { FrozenConfig } from '../config/schema.js';
import { AudioSourceError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ABORTED, raceAbort } from './abortable.js';
import { Framer } from './framer.js';
import { StreamingResampler } from './resampler.js';
import { S16Decoder } from './s16-decoder.js';
import { SAMPLE_RATE_HZ, type AudioFrame, type AudioGap, type AudioSource, type AudioSourceStats } from './types.js';

export class StdinSource implements AudioSource {
  readonly kind = 'stdin' as const;
  onGap?: (gap: AudioGap) => void;
  private framesEmitted = 0;
  /** Frames of the current read still to be yielded. */
  private ready = 0;

  constructor(
    private readonly cfg: FrozenConfig['audio'],
    private readonly opts: { logger: Logger; stdin?: NodeJS.ReadableStream },
  ) {}

  readyFrames(): number {
    return this.ready;
  }

  stats(): AudioSourceStats {
    return { framesEmitted: this.framesEmitted, framesDropped: 0, restarts: 0, gaps: 0 };
  }

  async *frames(signal: AbortSignal): AsyncGenerator<AudioFrame> {
    const stream = this.opts.stdin ?? process.stdin;
    const rateHz = this.cfg.stdin_rate_hz;
    const decoder = new S16Decoder(1);
    const resampler = rateHz === SAMPLE_RATE_HZ ? undefined : new StreamingResampler(rateHz, SAMPLE_RATE_HZ);
    const framer = new Framer();
    const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    this.opts.logger.info({ rateHz }, 'audio.stdin_opened');
    let bytes = 0;
    try {
      for (;;) {
        let r: IteratorResult<Buffer | string> | typeof ABORTED;
        try {
          r = await raceAbort(it.next(), signal);
        } catch (e) {
          throw new AudioSourceError(`reading audio from stdin failed: ${(e as Error).message}`, { cause: e });
        }
        if (r === ABORTED) return;
        if (r.done) break;
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
        bytes += chunk.length;
        const mono = decoder.push(chunk);
        const got = framer.push(resampler ? resampler.process(mono) : mono);
        for (let k = 0; k < got.length; k++) {
          this.framesEmitted++;
          this.ready = got.length - k - 1;
          yield got[k];
        }
        this.ready = 0;
      }
      const tail = [...(resampler ? framer.push(resampler.flush()) : []), ...framer.flush()];
      for (const f of tail) {
        this.framesEmitted++;
        yield f;
      }
      if (decoder.pendingBytes > 0) this.opts.logger.warn({ bytes: decoder.pendingBytes }, 'audio.stdin_odd_trailing_byte');
      this.opts.logger.info({ bytes, framesEmitted: this.framesEmitted }, 'audio.stdin_ended');
    } finally {
      if (signal.aborted) void it.return?.();
    }
  }
}
