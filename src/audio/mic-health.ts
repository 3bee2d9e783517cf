/**
 * src/audio/mic-health.ts — streaming microphone health over a sliding window.
 *
 * Fed the pipeline's 16 kHz mono float32 frames (`push`), it keeps one small record per frame
 * (sum of squares, peak, clipped samples) for the last `windowMs`, and reports:
 *   - rmsDbfs         RMS level of the whole window (dBFS, full scale = 1.0)
 *   - noiseFloorDbfs  a low percentile (default 10th) of per-frame RMS: the level the room and
 *                     the microphone's self-noise never go below. All-zero frames are excluded
 *                     (they are dropouts, not noise).
 *   - peakDbfs        largest |x| in the window
 *   - clippingRate    fraction of samples with |x| ≥ 0.999 (a clipped ADC or too much gain)
 *   - dropouts        runs of exact digital zeros ≥ 20 ms (a USB/I2S stall inserts zeros; a
 *                     real microphone never yields 320 exact zeros in a row) plus capture gaps
 *                     the supervisor reports with `noteGap(durationMs)`; dropoutMs sums both.
 * dBFS values are floored at MIN_DBFS (−120) so reports stay finite JSON.
 *
 * Pure and allocation-light: O(1) amortised per frame, no I/O. `micHealthDoctorCheck` is the
 * `parley doctor` side: it records ~2 s with arecord from `audio.device` and runs this analyzer.
 */
import { spawnSync } from 'node:child_process';
import type { CheckResult } from '../cli/commands/doctor-checks.js';
import type { FrozenConfig } from '../config/schema.js';
import { resample } from './resampler.js';
import { S16Decoder } from './s16-decoder.js';
import { FRAME_SAMPLES, SAMPLE_RATE_HZ, type AudioFrame } from './types.js';

export const MIN_DBFS = -120;
export const CLIP_LEVEL = 0.999;

export interface MicHealthThresholds {
  /** Warn when the window's RMS is below this (dBFS): muted, unplugged or gain far too low. */
  quietRmsDbfs: number;
  /** Warn when the noise floor is above this (dBFS): fan, hum, or gain far too high. */
  noisyFloorDbfs: number;
  /** Warn when more than this fraction of samples clip. */
  clippingRate: number;
  /** Warn when at least this many dropouts are in the window. */
  dropouts: number;
}

export const DEFAULT_MIC_HEALTH_THRESHOLDS: Readonly<MicHealthThresholds> = Object.freeze({
  quietRmsDbfs: -70,
  noisyFloorDbfs: -40,
  clippingRate: 0.001,
  dropouts: 1,
});

export interface MicHealthOptions {
  /** Sliding window length (default 10 000 ms). */
  windowMs?: number;
  /** Rate of the pushed samples (default 16 000 Hz). */
  sampleRateHz?: number;
  /** Percentile of per-frame RMS taken as the noise floor, 0..1 (default 0.1). */
  noisePercentile?: number;
  /** Shortest run of exact zeros counted as a dropout (default 20 ms). */
  dropoutMinMs?: number;
  thresholds?: Partial<MicHealthThresholds>;
}

export interface MicHealthReport {
  rmsDbfs: number;
  noiseFloorDbfs: number;
  peakDbfs: number;
  clippingRate: number;
  dropouts: number;
  dropoutMs: number;
  /** Frames pushed since creation. */
  framesSeen: number;
  /** Frames inside the current window. */
  windowFrames: number;
}

interface FrameStat {
  sumSq: number;
  n: number;
  peak: number;
  clipped: number;
  allZero: boolean;
}

interface Dropout {
  /** Sample position (of pushed samples) where the dropout ended or the gap was noted. */
  endSample: number;
  durationMs: number;
}

export function toDbfs(linear: number): number {
  return linear > 0 ? Math.max(MIN_DBFS, 20 * Math.log10(linear)) : MIN_DBFS;
}

export class MicHealth {
  readonly windowMs: number;
  readonly thresholds: Readonly<MicHealthThresholds>;
  private readonly rateHz: number;
  private readonly windowSamples: number;
  private readonly percentile: number;
  private readonly dropoutMinSamples: number;
  private frames: FrameStat[] = [];
  private head = 0;
  private windowN = 0;
  private dropoutList: Dropout[] = [];
  private zeroRun = 0;
  private samplesSeen = 0;
  private framesSeen = 0;

  constructor(opts: MicHealthOptions = {}) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.rateHz = opts.sampleRateHz ?? SAMPLE_RATE_HZ;
    this.percentile = opts.noisePercentile ?? 0.1;
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${this.windowMs}`);
    if (!(this.rateHz > 0)) throw new RangeError(`sampleRateHz must be > 0, got ${this.rateHz}`);
    if (!(this.percentile >= 0 && this.percentile <= 1)) throw new RangeError(`noisePercentile must be in 0..1, got ${this.percentile}`);
    this.windowSamples = Math.round((this.windowMs * this.rateHz) / 1000);
    this.dropoutMinSamples = Math.max(1, Math.round(((opts.dropoutMinMs ?? 20) * this.rateHz) / 1000));
    this.thresholds = Object.freeze({ ...DEFAULT_MIC_HEALTH_THRESHOLDS, ...opts.thresholds });
  }

  /** Analyse one frame (any length; the pipeline's are FRAME_SAMPLES). */
  push(frame: AudioFrame | Float32Array): void {
    const x = frame instanceof Float32Array ? frame : frame.samples;
    let sumSq = 0;
    let peak = 0;
    let clipped = 0;
    let allZero = true;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      const a = v < 0 ? -v : v;
      sumSq += v * v;
      if (a > peak) peak = a;
      if (a >= CLIP_LEVEL) clipped++;
      if (v === 0) {
        this.zeroRun++;
      } else {
        allZero = false;
        if (this.zeroRun > 0) this.endZeroRun(this.samplesSeen + i);
      }
    }
    this.samplesSeen += x.length;
    this.framesSeen++;
    this.frames.push({ sumSq, n: x.length, peak, clipped, allZero });
    this.windowN += x.length;
    this.evict();
  }

  /** A capture gap the source reported (restart, dropped frames): counted as one dropout. */
  noteGap(durationMs: number): void {
    if (!(durationMs > 0)) return;
    this.dropoutList.push({ endSample: this.samplesSeen, durationMs });
  }

  report(): MicHealthReport {
    let sumSq = 0;
    let n = 0;
    let peak = 0;
    let clipped = 0;
    const levels: number[] = [];
    for (let i = this.head; i < this.frames.length; i++) {
      const f = this.frames[i] as FrameStat;
      sumSq += f.sumSq;
      n += f.n;
      if (f.peak > peak) peak = f.peak;
      clipped += f.clipped;
      if (!f.allZero && f.n > 0) levels.push(Math.sqrt(f.sumSq / f.n));
    }
    levels.sort((a, b) => a - b);
    const floor = levels.length === 0 ? 0 : (levels[Math.min(levels.length - 1, Math.floor(this.percentile * levels.length))] as number);
    let dropouts = this.dropoutList.length;
    let dropoutMs = this.dropoutList.reduce((s, d) => s + d.durationMs, 0);
    if (this.zeroRun >= this.dropoutMinSamples) {
      // An ongoing run of zeros, clipped to the window.
      dropouts++;
      dropoutMs += (Math.min(this.zeroRun, this.windowSamples) * 1000) / this.rateHz;
    }
    return {
      rmsDbfs: n === 0 ? MIN_DBFS : toDbfs(Math.sqrt(sumSq / n)),
      noiseFloorDbfs: toDbfs(floor),
      peakDbfs: toDbfs(peak),
      clippingRate: n === 0 ? 0 : clipped / n,
      dropouts,
      dropoutMs: Math.round(dropoutMs * 10) / 10,
      framesSeen: this.framesSeen,
      windowFrames: this.frames.length - this.head,
    };
  }

  /** Human-readable warnings for the current window (empty: healthy). */
  warnings(r: MicHealthReport = this.report()): string[] {
    const t = this.thresholds;
    if (r.windowFrames === 0) return ['no audio analysed yet'];
    const out: string[] = [];
    if (r.rmsDbfs < t.quietRmsDbfs) out.push(`too quiet: RMS ${r.rmsDbfs.toFixed(1)} dBFS < ${t.quietRmsDbfs} dBFS (microphone muted, unplugged or gain too low)`);
    if (r.noiseFloorDbfs > t.noisyFloorDbfs) out.push(`noisy: noise floor ${r.noiseFloorDbfs.toFixed(1)} dBFS > ${t.noisyFloorDbfs} dBFS (fan, mains hum, or gain too high)`);
    if (r.clippingRate > t.clippingRate) out.push(`clipping: ${(r.clippingRate * 100).toFixed(2)} % of samples at full scale > ${(t.clippingRate * 100).toFixed(2)} % (lower the gain)`);
    if (r.dropouts >= t.dropouts) out.push(`dropouts: ${r.dropouts} in the last ${this.windowMs / 1000} s (${r.dropoutMs} ms missing; USB/I2S stalls or capture restarts)`);
    return out;
  }

  private endZeroRun(atSample: number): void {
    if (this.zeroRun >= this.dropoutMinSamples) this.dropoutList.push({ endSample: atSample, durationMs: (this.zeroRun * 1000) / this.rateHz });
    this.zeroRun = 0;
  }

  private evict(): void {
    while (this.windowN - (this.frames[this.head] as FrameStat).n >= this.windowSamples) {
      this.windowN -= (this.frames[this.head] as FrameStat).n;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    const oldest = this.samplesSeen - this.windowSamples;
    while (this.dropoutList.length > 0 && (this.dropoutList[0] as Dropout).endSample < oldest) this.dropoutList.shift();
  }
}

/** Analyse raw s16le interleaved capture bytes as the pipeline would see them (mono, 16 kHz). */
export function analyseS16(bytes: Uint8Array, rateHz: number, channels: number, opts: MicHealthOptions = {}): MicHealth {
  const mono = new S16Decoder(channels).push(bytes);
  const x = rateHz === SAMPLE_RATE_HZ ? mono : resample(mono, rateHz, SAMPLE_RATE_HZ);
  const mh = new MicHealth({ windowMs: Math.max(1000, Math.ceil((x.length / SAMPLE_RATE_HZ) * 1000) + 100), ...opts });
  for (let off = 0; off < x.length; off += FRAME_SAMPLES) mh.push(x.subarray(off, Math.min(x.length, off + FRAME_SAMPLES)));
  return mh;
}

export interface MicHealthCheckOptions {
  /** Recording length (default 2000 ms). */
  durationMs?: number;
  /** Environment for arecord (tests point HOME at an ALSA file-plugin .asoundrc). */
  env?: NodeJS.ProcessEnv;
}

/** `parley doctor` check: record ~2 s from audio.device and report level, floor, clipping, dropouts. */
export async function micHealthDoctorCheck(cfg: FrozenConfig, opts: MicHealthCheckOptions = {}): Promise<CheckResult[]> {
  const name = 'mic-health';
  if (cfg.audio.source !== 'alsa') return [{ name, state: 'skip', detail: `audio.source is ${cfg.audio.source}: mic health needs a live ALSA capture device` }];
  const rate = cfg.audio.capture_rate_hz;
  const ch = cfg.audio.capture_channels;
  const durationMs = opts.durationMs ?? 2000;
  const count = Math.round((rate * durationMs) / 1000);
  const r = spawnSync('arecord', ['-q', '-D', cfg.audio.device, '-f', 'S16_LE', '-r', String(rate), '-c', String(ch), '-t', 'raw', '-s', String(count)], {
    env: opts.env ?? process.env,
    timeout: durationMs + 4000,
    maxBuffer: count * ch * 2 + 65536,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return [{ name, state: 'skip', detail: 'arecord not found, nothing recorded', fix: 'apt-get install alsa-utils' }];
  const bytes = r.stdout ?? Buffer.alloc(0);
  if (r.status !== 0 || bytes.length < count * ch * 2 * 0.5) {
    const cards = spawnSync('arecord', ['-l'], { encoding: 'utf8', env: opts.env ?? process.env }).stdout ?? '';
    const why = (r.stderr?.toString() || (r.error ? r.error.message : 'short read')).trim().split('\n')[0];
    return [{
      name, state: 'skip',
      detail: /^card /m.test(cards) ? `could not record from "${cfg.audio.device}": ${why} (see the capture check)` : `no capture device on this machine (arecord -l lists no cards): ${why}`,
      fix: 'plug in a microphone or set audio.device (arecord -l lists the cards)',
    }];
  }
  const mh = analyseS16(bytes, rate, ch);
  const rep = mh.report();
  const detail = `RMS ${rep.rmsDbfs.toFixed(1)} dBFS, noise floor ${rep.noiseFloorDbfs.toFixed(1)} dBFS, peak ${rep.peakDbfs.toFixed(1)} dBFS, clipping ${(rep.clippingRate * 100).toFixed(2)} %, dropouts ${rep.dropouts} over ${(durationMs / 1000).toFixed(1)} s from "${cfg.audio.device}"`;
  const warns = mh.warnings(rep);
  if (warns.length === 0) return [{ name, state: 'ok', detail }];
  return [{ name, state: 'warn', detail: `${detail}; ${warns.join('; ')}`, fix: 'check the microphone, its gain (alsamixer) and cabling' }];
}
