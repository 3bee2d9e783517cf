/**
 * tests/helpers/espeak.ts — test speech made with espeak-ng, with exact timings.
 *
 * STABLE API (used by the audio, VAD, diarization, ASR and end-to-end tests):
 *
 *   synthesize(text, { voice = 'en-us', wpm = 160, pitch? }): Float32Array
 *       16 kHz mono float32 speech, leading/trailing silence trimmed by energy
 *       (10 ms frames, threshold 40 dB below the loudest frame), so sample 0 is the
 *       first speech frame and the last sample ends the last speech frame.
 *
 *   makeConversation({ turns: [{ voice, text, speaker?, wpm? }], gapMs = 1000, leadMs?, tailMs?,
 *                      seed = 1, noiseAmplitude = 0 }): Conversation
 *       Concatenates the trimmed utterances with silence between them.
 *       gapMs is a number or a [min, max] range (drawn with the seeded PRNG); leadMs/tailMs
 *       default to gapMs (the first value of a range). noiseAmplitude adds seeded white noise.
 *       Returns {
 *         samples: Float32Array (16 kHz mono),
 *         sampleRateHz: 16000,
 *         durationS,
 *         rttm: { speaker, startS, endS }[]           // one entry per turn, exact to the sample
 *         turns: { speaker, voice, text, startS, endS }[],
 *         transcript: string                          // turn texts joined with a space
 *       }
 *       `speaker` defaults to the voice name, so two turns with the same voice share a label.
 *
 *   writeConversationWav(path, conversation)  // 16-bit WAV for CLI tests
 *   toRttmText(rttm, fileId)                  // NIST RTTM lines ("SPEAKER <id> 1 <start> <dur> <NA> <NA> <spk> <NA> <NA>")
 *   ESPEAK_VOICES                             // voices known to exist in Debian's espeak-ng-data
 *
 * Utterances are cached under os.tmpdir()/parley-espeak-cache keyed by a sha256 of
 * (espeak-ng version, voice, wpm, pitch, text). espeak-ng missing = a loud error saying
 * what to install.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, toMono16k } from '../../src/audio/wav-reader.js';
import { writeWavFile } from '../../src/audio/wav-writer.js';
import { mulberry32 } from '../../src/util/prng.js';

export const SAMPLE_RATE_HZ = 16000;
/** Distinct-sounding voices present in Debian 12's espeak-ng-data (checked with `espeak-ng --voices=en`). */
export const ESPEAK_VOICES = ['en-us', 'en-gb', 'en-gb-scotland', 'en-us+f2', 'en-us+f3', 'en-us+m3', 'en-gb-x-rp', 'en-029'] as const;

export interface SynthOptions {
  voice?: string;
  wpm?: number;
  /** espeak-ng pitch 0..99 (default: the voice's own). */
  pitch?: number;
}

export interface Turn {
  voice: string;
  text: string;
  /** RTTM speaker label (default: the voice name). */
  speaker?: string;
  wpm?: number;
}

export interface ConversationOptions {
  turns: Turn[];
  /** Silence between turns in ms, or a [min, max] range drawn per gap with the seeded PRNG. */
  gapMs?: number | [number, number];
  leadMs?: number;
  tailMs?: number;
  seed?: number;
  /** Peak amplitude of seeded uniform white noise added everywhere (0 = none). */
  noiseAmplitude?: number;
}

export interface RttmTurn {
  speaker: string;
  startS: number;
  endS: number;
}

export interface Conversation {
  samples: Float32Array;
  sampleRateHz: 16000;
  durationS: number;
  rttm: RttmTurn[];
  turns: (RttmTurn & { voice: string; text: string })[];
  transcript: string;
}

const CACHE_DIR = join(tmpdir(), 'parley-espeak-cache');
let versionCache: string | undefined;

function espeakVersion(): string {
  if (versionCache !== undefined) return versionCache;
  const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('espeak-ng is not installed or not runnable: install it with `apt-get install espeak-ng` (scripts/install-system-deps.sh)');
  }
  versionCache = r.stdout.trim();
  return versionCache;
}

/** Index range [start, end) of speech by frame energy (10 ms frames, -40 dB re. the loudest frame). */
export function speechBounds(x: Float32Array, frameSamples = 160, belowPeakDb = 40): [number, number] {
  const frames = Math.floor(x.length / frameSamples);
  if (frames === 0) return [0, 0];
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * frameSamples; i < (f + 1) * frameSamples; i++) e += x[i]! * x[i]!;
    energy[f] = e / frameSamples;
    peak = Math.max(peak, energy[f]!);
  }
  if (peak === 0) return [0, 0];
  const thr = peak * 10 ** (-belowPeakDb / 10);
  let first = 0;
  while (first < frames && energy[first]! < thr) first++;
  let last = frames - 1;
  while (last > first && energy[last]! < thr) last--;
  return [first * frameSamples, (last + 1) * frameSamples];
}

/** Synthesize `text`: 16 kHz mono float32, silence trimmed (cached). */
export function synthesize(text: string, opts: SynthOptions = {}): Float32Array {
  const voice = opts.voice ?? 'en-us';
  const wpm = opts.wpm ?? 160;
  const key = createHash('sha256').update(JSON.stringify([espeakVersion(), voice, wpm, opts.pitch ?? null, text])).digest('hex').slice(0, 32);
  const cached = join(CACHE_DIR, `${key}.f32`);
  if (existsSync(cached)) {
    const b = readFileSync(cached);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  const work = mkdtempSync(join(tmpdir(), 'parley-espeak-'));
  try {
    const wav = join(work, 'out.wav');
    const args = ['-v', voice, '-s', String(wpm), ...(opts.pitch !== undefined ? ['-p', String(opts.pitch)] : []), '-w', wav, '--', text];
    const r = spawnSync('espeak-ng', args, { encoding: 'utf8', timeout: 30_000 });
    if (r.error || r.status !== 0 || !existsSync(wav)) {
      throw new Error(`espeak-ng failed for voice ${voice}: ${r.error?.message ?? r.stderr}`.trim());
    }
    const mono = toMono16k(decodeWav(readFileSync(wav)));
    const [s, e] = speechBounds(mono);
    if (e <= s) throw new Error(`espeak-ng produced no audible speech for voice ${voice} and text ${JSON.stringify(text)}`);
    const out = mono.slice(s, e);
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    renameSync(tmp, cached); // atomic: parallel test files may race on the same key
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const prng = mulberry32;

/** Build a multi-speaker conversation with exact RTTM turn times. */
export function makeConversation(opts: ConversationOptions): Conversation {
  if (opts.turns.length === 0) throw new Error('makeConversation needs at least one turn');
  const rand = prng(opts.seed ?? 1);
  const gapSpec = opts.gapMs ?? 1000;
  const gapMs = (): number => (Array.isArray(gapSpec) ? gapSpec[0] + rand() * (gapSpec[1] - gapSpec[0]) : gapSpec);
  const base = Array.isArray(gapSpec) ? gapSpec[0] : gapSpec;
  const toSamples = (ms: number): number => Math.round((ms * SAMPLE_RATE_HZ) / 1000);
  const clips = opts.turns.map((t) => synthesize(t.text, { voice: t.voice, ...(t.wpm !== undefined ? { wpm: t.wpm } : {}) }));
  const gaps = opts.turns.map((_, k) => (k === 0 ? 0 : toSamples(gapMs())));
  const lead = toSamples(opts.leadMs ?? base);
  const tail = toSamples(opts.tailMs ?? base);
  const total = lead + tail + clips.reduce((s, c, k) => s + c.length + gaps[k]!, 0);
  const samples = new Float32Array(total);
  const turns: Conversation['turns'] = [];
  let pos = lead;
  opts.turns.forEach((t, k) => {
    pos += gaps[k]!;
    const clip = clips[k]!;
    samples.set(clip, pos);
    turns.push({ speaker: t.speaker ?? t.voice, voice: t.voice, text: t.text, startS: pos / SAMPLE_RATE_HZ, endS: (pos + clip.length) / SAMPLE_RATE_HZ });
    pos += clip.length;
  });
  const noise = opts.noiseAmplitude ?? 0;
  if (noise > 0) for (let i = 0; i < total; i++) samples[i]! += noise * (2 * rand() - 1);
  return {
    samples,
    sampleRateHz: SAMPLE_RATE_HZ,
    durationS: total / SAMPLE_RATE_HZ,
    rttm: turns.map(({ speaker, startS, endS }) => ({ speaker, startS, endS })),
    turns,
    transcript: opts.turns.map((t) => t.text).join(' '),
  };
}

/** Write a conversation as a 16-bit 16 kHz mono WAV. */
export function writeConversationWav(path: string, c: Conversation): void {
  writeWavFile(path, c.samples, SAMPLE_RATE_HZ);
}

/** NIST RTTM text for the turns. */
export function toRttmText(rttm: RttmTurn[], fileId = 'conversation'): string {
  return rttm.map((t) => `SPEAKER ${fileId} 1 ${t.startS.toFixed(3)} ${(t.endS - t.startS).toFixed(3)} <NA> <NA> ${t.speaker} <NA> <NA>\n`).join('');
}
