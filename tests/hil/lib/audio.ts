/**
 * tests/hil/lib/audio.ts — recording with the real arecord, listing capture devices, and the
 * emulated microphone's stimulus clip (speech + a noise floor + one 50 ms dropout + 40 ms of
 * hard clipping), whose true mic-health figures are computed from the clip itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { floatToS16le } from '../../../src/asr/pocketsphinx-recognizer.js';
import { synthesize } from '../../helpers/espeak.js';

export interface CaptureCards {
  cards: string[];
  /** Why there are none (arecord's message), when empty. */
  why?: string;
}

/** `arecord -l`: the capture cards the kernel knows. */
export function listCaptureCards(env: NodeJS.ProcessEnv = process.env): CaptureCards {
  const r = spawnSync('arecord', ['-l'], { encoding: 'utf8', env });
  if (r.error) throw new Error(`arecord not runnable (${r.error.message}): apt-get install alsa-utils`);
  const cards = r.stdout.split('\n').filter((l) => l.startsWith('card '));
  return cards.length > 0 ? { cards } : { cards, why: (r.stderr.trim().split('\n')[0] ?? '') || 'arecord -l lists no cards' };
}

/** `arecord -L`: every PCM name alsa-lib knows (cards and .asoundrc definitions). */
export function listPcmNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const r = spawnSync('arecord', ['-L'], { encoding: 'utf8', env });
  return r.stdout.split('\n').filter((l) => l !== '' && !/^\s/.test(l));
}

export interface Recording {
  bytes: Buffer;
  code: number | null;
  stderr: string;
}

/** Record exactly `samples` frames of s16le with arecord; bounded by `timeoutMs`. */
export function recordS16(device: string, o: { env: NodeJS.ProcessEnv; rateHz: number; channels: number; samples: number; timeoutMs: number }): Promise<Recording> {
  return new Promise((resolve) => {
    const cp = spawn('arecord', ['-q', '-D', device, '-f', 'S16_LE', '-r', String(o.rateHz), '-c', String(o.channels), '-t', 'raw', '-s', String(o.samples)], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    cp.stdout.on('data', (d: Buffer) => out.push(d));
    cp.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => cp.kill('SIGKILL'), o.timeoutMs);
    cp.on('error', (e) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.alloc(0), code: -1, stderr: e.message });
    });
    cp.on('close', (code) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(out), code, stderr: stderr.trim() });
    });
  });
}

/** Deterministic uniform noise in ±amp without exact zeros. */
export function noise(samples: number, amp: number, seed: number): Float32Array {
  const x = new Float32Array(samples);
  let s = seed >>> 0;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = amp * ((s / 0xffffffff) * 2 - 1);
    x[i] = Math.abs(v) < 1 / 32768 ? amp / 2 : v;
  }
  return x;
}

export const HIL_PHRASE = 'turn on the kitchen light';
export const NOISE_AMP = 0.004;
export const DROPOUT_MS = 50;
export const CLIP_MS = 40;

const addNoise = (x: Float32Array, n: Float32Array): Float32Array => x.map((v, i) => v + (n[i] as number));

/** The emulated microphone's clip as s16le bytes (16 kHz mono), ~3.5 s. */
export function emulatedMicClip(): Buffer {
  const rate = 16000;
  const speech = synthesize(HIL_PHRASE);
  let peak = 0;
  for (const v of speech) peak = Math.max(peak, Math.abs(v));
  const scaled = speech.map((v) => (v / peak) * 0.5);
  const clipped = new Float32Array((CLIP_MS * rate) / 1000).map((_, i) => Math.max(-1, Math.min(1, 1.5 * Math.sin((2 * Math.PI * 200 * i) / rate))));
  const parts = [noise(0.6 * rate, NOISE_AMP, 1), addNoise(scaled, noise(scaled.length, NOISE_AMP, 9)), noise(0.3 * rate, NOISE_AMP, 2), new Float32Array((DROPOUT_MS * rate) / 1000), noise(0.3 * rate, NOISE_AMP, 3), clipped, noise(0.5 * rate, NOISE_AMP, 4)];
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return floatToS16le(all);
}
