/**
 * src/vad/segmenter.ts — streaming speech segmenter over per-window VAD probabilities.
 * Pure (no I/O, injected clock), fully unit-tested.
 *
 * Rules (sample positions are absolute, from the source's monotonic sample clock):
 * - Speech begins at the first window with p ≥ threshold. While in speech, a window with
 *   p < neg_threshold starts a tentative end (hysteresis: values in between change
 *   nothing); p ≥ threshold cancels it. The segment closes once the tentative end is
 *   min_silence_ms old (hangover).
 * - A segment whose voiced span (start → tentative end / last voiced window) is shorter
 *   than min_speech_ms is discarded. `speech_start` is only emitted once the voiced span
 *   reaches min_speech_ms, so every `speech_start` is followed by exactly one `speech_end`.
 * - speech_pad_ms of audio is kept before the start (pre-roll, from a bounded ring, never
 *   reaching into the previous segment) and after the end (clamped to the audio received).
 * - A segment reaching max_segment_ms is split at the lowest-probability window of its
 *   second half (closeReason `max_length`); the rest continues as a new segment.
 * - A discontinuity in the sample clock (capture gap) closes an open segment at the gap
 *   (closeReason `end_of_input`) and clears the pre-roll.
 */
import type { SpeechSegment } from '../pipeline/types.js';

export interface SegmenterConfig {
  threshold: number;
  negThreshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  speechPadMs: number;
  maxSegmentMs: number;
  sampleRateHz: number;
}

export type VadEvent =
  | { type: 'speech_start'; startSample: number }
  | { type: 'speech_end'; segment: SpeechSegment };

export interface Window {
  startSample: number;
  samples: Float32Array;
}

const msToSamples = (ms: number, sr: number): number => Math.round((ms * sr) / 1000);

export class Segmenter {
  private readonly padSamples: number;
  private readonly minSpeechSamples: number;
  private readonly minSilenceSamples: number;
  private readonly maxSegmentSamples: number;
  /** Recent windows while idle (pre-roll), bounded to cover padSamples. */
  private ring: Window[] = [];
  private ringSamples = 0;
  private expectedNext: number | undefined;
  /** No pre-roll may start before this sample (end of the previous segment). */
  private floorSample = 0;

  private inSpeech = false;
  private confirmed = false;
  private segStart = 0;
  private speechStart = 0;
  private lastVoicedEnd = 0;
  private silenceStart: number | undefined;
  private buf = new Float32Array(0);
  private bufLen = 0;
  /** Per-window probabilities of the open segment (after the pre-roll). */
  private winProbs: { startSample: number; p: number }[] = [];

  constructor(private readonly cfg: SegmenterConfig, private readonly nowMs: () => number = () => performance.now()) {
    if (!(cfg.negThreshold < cfg.threshold)) throw new RangeError('negThreshold must be below threshold');
    this.padSamples = msToSamples(cfg.speechPadMs, cfg.sampleRateHz);
    this.minSpeechSamples = msToSamples(cfg.minSpeechMs, cfg.sampleRateHz);
    this.minSilenceSamples = msToSamples(cfg.minSilenceMs, cfg.sampleRateHz);
    this.maxSegmentSamples = msToSamples(cfg.maxSegmentMs, cfg.sampleRateHz);
  }

  /** True while a segment is open (confirmed or not). */
  get active(): boolean {
    return this.inSpeech;
  }

  /** Feed windows with their probabilities (same length arrays). */
  push(windows: readonly Window[], probs: ArrayLike<number>): VadEvent[] {
    if (windows.length !== probs.length) throw new RangeError(`${windows.length} windows but ${probs.length} probabilities`);
    const ev: VadEvent[] = [];
    for (let i = 0; i < windows.length; i++) this.step(windows[i], probs[i], ev);
    return ev;
  }

  /** End of input: close an open segment (if long enough) and reset. */
  flush(): VadEvent[] {
    const ev: VadEvent[] = [];
    if (this.inSpeech) this.close(this.expectedNext ?? this.segStart, 'end_of_input', ev, true);
    this.reset();
    return ev;
  }

  /** Drop all state (new stream). */
  reset(): void {
    this.ring = [];
    this.ringSamples = 0;
    this.expectedNext = undefined;
    this.floorSample = 0;
    this.inSpeech = false;
    this.confirmed = false;
    this.bufLen = 0;
    this.winProbs = [];
    this.silenceStart = undefined;
  }

  private step(w: Window, p: number, ev: VadEvent[]): void {
    const start = w.startSample;
    const end = start + w.samples.length;
    if (this.expectedNext !== undefined && start !== this.expectedNext) {
      if (this.inSpeech) this.close(this.expectedNext, 'end_of_input', ev, true);
      this.ring = [];
      this.ringSamples = 0;
      this.floorSample = start;
    }
    this.expectedNext = end;
    if (!this.inSpeech) {
      if (p >= this.cfg.threshold) this.open(w, p);
      else this.remember(w);
      if (this.inSpeech) this.maybeConfirm(ev);
      return;
    }
    this.append(w.samples);
    this.winProbs.push({ startSample: start, p });
    if (p >= this.cfg.threshold) {
      this.silenceStart = undefined;
      this.lastVoicedEnd = end;
    } else if (p < this.cfg.negThreshold) {
      this.silenceStart ??= start;
    } else if (this.silenceStart === undefined) {
      this.lastVoicedEnd = end;
    }
    this.maybeConfirm(ev);
    if (this.silenceStart !== undefined && end - this.silenceStart >= this.minSilenceSamples) {
      this.close(end, 'silence', ev, false);
      return;
    }
    if (end - this.segStart >= this.maxSegmentSamples) this.split(end, ev);
  }

  private remember(w: Window): void {
    this.ring.push(w);
    this.ringSamples += w.samples.length;
    while (this.ring.length > 1 && this.ringSamples - this.ring[0].samples.length >= this.padSamples) {
      this.ringSamples -= (this.ring.shift() as Window).samples.length;
    }
  }

  private open(w: Window, p: number): void {
    const preStart = Math.max(w.startSample - this.padSamples, this.floorSample);
    this.bufLen = 0;
    let first = w.startSample;
    for (const r of this.ring) {
      const rEnd = r.startSample + r.samples.length;
      if (rEnd <= preStart) continue;
      const from = Math.max(0, preStart - r.startSample);
      this.append(r.samples.subarray(from));
      first = Math.min(first, r.startSample + from);
    }
    this.ring = [];
    this.ringSamples = 0;
    this.append(w.samples);
    this.inSpeech = true;
    this.confirmed = false;
    this.segStart = first;
    this.speechStart = w.startSample;
    this.lastVoicedEnd = w.startSample + w.samples.length;
    this.silenceStart = undefined;
    this.winProbs = [{ startSample: w.startSample, p }];
  }

  private maybeConfirm(ev: VadEvent[]): void {
    if (this.confirmed) return;
    const voicedEnd = this.silenceStart ?? this.lastVoicedEnd;
    if (voicedEnd - this.speechStart >= this.minSpeechSamples) {
      this.confirmed = true;
      ev.push({ type: 'speech_start', startSample: this.segStart });
    }
  }

  /** Close the open segment; `receivedEnd` is the last sample received (exclusive). */
  private close(receivedEnd: number, reason: SpeechSegment['closeReason'], ev: VadEvent[], atInputEnd: boolean): void {
    const voicedEnd = this.silenceStart ?? (atInputEnd ? receivedEnd : this.lastVoicedEnd);
    const endSample = Math.min(voicedEnd + this.padSamples, receivedEnd);
    if (!this.confirmed && voicedEnd - this.speechStart >= this.minSpeechSamples) {
      this.confirmed = true;
      ev.push({ type: 'speech_start', startSample: this.segStart });
    }
    if (this.confirmed) ev.push({ type: 'speech_end', segment: this.cut(endSample, reason) });
    // The audio after the segment end is silence: it may serve as the next pre-roll.
    const keepFrom = Math.max(endSample, receivedEnd - this.padSamples) - this.segStart;
    const tail = this.buf.slice(Math.min(keepFrom, this.bufLen), this.bufLen);
    this.inSpeech = false;
    this.confirmed = false;
    this.bufLen = 0;
    this.winProbs = [];
    this.silenceStart = undefined;
    this.floorSample = endSample;
    this.ring = [];
    this.ringSamples = 0;
    if (tail.length > 0 && !atInputEnd) this.remember({ startSample: receivedEnd - tail.length, samples: tail });
  }

  private split(receivedEnd: number, ev: VadEvent[]): void {
    const half = this.segStart + Math.floor(this.maxSegmentSamples / 2);
    let best: { startSample: number; p: number } | undefined;
    for (const w of this.winProbs) if (w.startSample >= half && w.startSample > this.segStart && (!best || w.p < best.p)) best = w;
    const at = best ? best.startSample : receivedEnd;
    if (!this.confirmed) {
      this.confirmed = true;
      ev.push({ type: 'speech_start', startSample: this.segStart });
    }
    ev.push({ type: 'speech_end', segment: this.cut(at, 'max_length') });
    const keep = this.buf.slice(at - this.segStart, this.bufLen);
    this.bufLen = 0;
    this.append(keep);
    this.segStart = at;
    this.speechStart = at;
    this.lastVoicedEnd = Math.max(this.lastVoicedEnd, at);
    this.winProbs = this.winProbs.filter((w) => w.startSample >= at);
    if (this.silenceStart !== undefined && this.silenceStart < at) this.silenceStart = at;
    if (at < receivedEnd) ev.push({ type: 'speech_start', startSample: at });
    else {
      this.inSpeech = false;
      this.floorSample = at;
    }
    this.confirmed = at < receivedEnd;
  }

  private cut(endSample: number, reason: SpeechSegment['closeReason']): SpeechSegment {
    const n = Math.max(0, endSample - this.segStart);
    return {
      startSample: this.segStart,
      endSample: this.segStart + n,
      samples: this.buf.slice(0, n),
      closedAtMonoMs: this.nowMs(),
      closeReason: reason,
    };
  }

  private append(x: Float32Array): void {
    if (this.bufLen + x.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + x.length, 16384));
      next.set(this.buf.subarray(0, this.bufLen));
      this.buf = next;
    }
    this.buf.set(x, this.bufLen);
    this.bufLen += x.length;
  }
}
