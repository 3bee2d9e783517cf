/**
 * src/audio/file-source.ts — WAV file as an AudioSource.
 *
 * The file is read once (memory = file size); decoding, down-mixing and resampling to
 * 16 kHz happen incrementally, 100 ms of input at a time, so a long 48 kHz stereo file
 * never exists as float arrays in full. Pull-based: frames are produced only as the consumer
 * asks for them, so nothing is ever dropped. `file_realtime` paces frames at wall-clock
 * speed (a frame is released when its last sample "has been captured"); `file_loop` starts
 * over at the end with the sample clock continuing.
 */
import type { FrozenConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { WavFormatError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { sleep } from './abortable.js';
import { Framer } from './framer.js';
import { StreamingResampler } from './resampler.js';
import { SAMPLE_RATE_HZ, type AudioFrame, type AudioGap, type AudioSource, type AudioSourceStats } from './types.js';
import { parseWavHeader, type WavLayout } from './wav-header.js';
import { decodeFrames, downmix, readWavBytes } from './wav-reader.js';

export interface FileSourceOptions {
  logger: Logger;
  path: string;
  clock?: Clock;
}

export class FileSource implements AudioSource {
  readonly kind = 'file' as const;
  onGap?: (gap: AudioGap) => void;
  private framesEmitted = 0;
  private readonly realtime: boolean;
  private readonly loop: boolean;

  constructor(cfg: FrozenConfig['audio'], private readonly opts: FileSourceOptions) {
    this.realtime = cfg.file_realtime;
    this.loop = cfg.file_loop;
  }

  stats(): AudioSourceStats {
    return { framesEmitted: this.framesEmitted, framesDropped: 0, restarts: 0, gaps: 0 };
  }

  async *frames(signal: AbortSignal): AsyncGenerator<AudioFrame> {
    const { path, logger } = this.opts;
    const clock = this.opts.clock ?? systemClock;
    const bytes = await readWavBytes(path);
    let layout: WavLayout;
    try {
      layout = parseWavHeader(bytes);
    } catch (e) {
      if (e instanceof WavFormatError) {
        throw new WavFormatError(`${path}: ${e.message.replace(/ \(field .*\)$/, '')}`, e.offset, e.field, { hint: 'convert it with `sox in.ext -b 16 out.wav`' });
      }
      throw e;
    }
    for (const note of layout.notes) logger.warn({ file: path, note }, 'audio.wav_lenient_read');
    logger.info({ file: path, sampleRateHz: layout.sampleRateHz, channels: layout.channels, bitsPerSample: layout.bitsPerSample, frameCount: layout.frameCount, realtime: this.realtime, loop: this.loop }, 'audio.file_opened');
    const resampler = layout.sampleRateHz === SAMPLE_RATE_HZ ? undefined : new StreamingResampler(layout.sampleRateHz, SAMPLE_RATE_HZ);
    const framer = new Framer();
    const block = Math.max(1, Math.round(layout.sampleRateHz / 10));
    const t0 = clock.monoMs();
    const release = async function* (this: FileSource, frames: AudioFrame[]): AsyncGenerator<AudioFrame> {
      for (const f of frames) {
        if (signal.aborted) return;
        if (this.realtime) await sleep(t0 + ((f.startSample + f.samples.length) * 1000) / SAMPLE_RATE_HZ - clock.monoMs(), signal);
        if (signal.aborted) return;
        this.framesEmitted++;
        yield f;
      }
    }.bind(this);
    let pass = 0;
    do {
      if (pass > 0) logger.debug({ file: path, pass }, 'audio.file_loop');
      for (let start = 0; start < layout.frameCount; start += block) {
        if (signal.aborted) return;
        const mono = downmix(decodeFrames(bytes, layout, start, block));
        yield* release(framer.push(resampler ? resampler.process(mono) : mono));
        // Yield to the event loop between blocks so a fast consumer cannot starve timers.
        if (!this.realtime && start % (block * 50) === 0) await new Promise((r) => setImmediate(r));
      }
      pass++;
    } while (this.loop && layout.frameCount > 0 && !signal.aborted);
    if (signal.aborted) return;
    if (resampler) yield* release(framer.push(resampler.flush()));
    yield* release(framer.flush());
    logger.info({ file: path, framesEmitted: this.framesEmitted }, 'audio.file_ended');
  }
}
