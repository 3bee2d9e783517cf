/**
 * Multi-voice test audio made with espeak-ng: turns of known voices with known gaps,
 * so the exact RTTM is known. Requires the Debian package espeak-ng.
 *   synthTurn(voice, text) → 16 kHz mono Float32Array (trimmed of leading/trailing silence)
 *   makeConversation({ turns, gapMs, seed }) → { samples, turns (RTTM turns), transcript }
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, toMono16k } from '../../src/audio/wav-reader.js';
import type { Turn } from '../../src/diarization/rttm.js';
import { mulberry32 } from '../../src/util/prng.js';

const cache = new Map<string, Float32Array>();

function requireEspeak(): void {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error('espeak-ng is not installed: apt-get install espeak-ng (scripts/install-system-deps.sh)');
  }
}

export function synthTurn(voice: string, text: string, speedWpm = 165): Float32Array {
  const key = `${voice}|${speedWpm}|${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  requireEspeak();
  const dir = mkdtempSync(join(tmpdir(), 'parley-espeak-'));
  try {
    const out = join(dir, 'o.wav');
    execFileSync('espeak-ng', ['-v', voice, '-s', String(speedWpm), '-w', out, text], { stdio: 'pipe' });
    const x = toMono16k(decodeWav(new Uint8Array(readFileSync(out))));
    // trim silence below -45 dBFS at both ends so the RTTM is tight
    const thr = 10 ** (-45 / 20);
    let a = 0;
    let b = x.length;
    while (a < b && Math.abs(x[a]) < thr) a++;
    while (b > a && Math.abs(x[b - 1]) < thr) b--;
    const y = x.slice(a, b);
    cache.set(key, y);
    return y;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ConversationSpec {
  turns: { voice: string; text: string; speaker?: string }[];
  gapMs?: number;
  seed?: number;
  /** Low-level white noise added everywhere (linear amplitude); default 0.001. */
  noise?: number;
  file?: string;
}

const rng = mulberry32;

export function makeConversation(spec: ConversationSpec): { samples: Float32Array; turns: Turn[]; transcript: string[] } {
  const r = rng(spec.seed ?? 1);
  const gap = Math.round(((spec.gapMs ?? 600) * 16000) / 1000);
  const clips = spec.turns.map((t) => synthTurn(t.voice, t.text));
  const lead = 8000;
  const total = lead + clips.reduce((s, c) => s + c.length + gap, 0) + 8000;
  const samples = new Float32Array(total);
  const noise = spec.noise ?? 0.001;
  for (let i = 0; i < total; i++) samples[i] = (r() * 2 - 1) * noise;
  const turns: Turn[] = [];
  let pos = lead;
  spec.turns.forEach((t, i) => {
    const c = clips[i];
    for (let k = 0; k < c.length; k++) samples[pos + k] += c[k] * 0.8;
    turns.push({ file: spec.file ?? 'synth', startS: pos / 16000, durationS: c.length / 16000, speaker: t.speaker ?? t.voice });
    pos += c.length + Math.round(gap * (0.7 + 0.6 * r()));
  });
  return { samples: samples.subarray(0, Math.min(total, pos + 8000)), turns, transcript: spec.turns.map((t) => t.text) };
}

/** Segments from a simple energy VAD over 20 ms frames (threshold relative to the loudest frame). */
export function energySegments(samples: Float32Array, thresholdDb = -35, hangMs = 200): { startSample: number; endSample: number }[] {
  const F = 320;
  const n = Math.floor(samples.length / F);
  const e = new Float64Array(n);
  let max = 1e-12;
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = 0; i < F; i++) s += samples[f * F + i] ** 2;
    e[f] = s / F;
    if (e[f] > max) max = e[f];
  }
  const thr = max * 10 ** (thresholdDb / 10);
  const hang = Math.round(hangMs / 20);
  const out: { startSample: number; endSample: number }[] = [];
  let start = -1;
  let quiet = 0;
  for (let f = 0; f < n; f++) {
    if (e[f] >= thr) {
      if (start < 0) start = f;
      quiet = 0;
    } else if (start >= 0 && ++quiet > hang) {
      out.push({ startSample: start * F, endSample: (f - quiet + 1) * F });
      start = -1;
      quiet = 0;
    }
  }
  if (start >= 0) out.push({ startSample: start * F, endSample: n * F });
  return out;
}
