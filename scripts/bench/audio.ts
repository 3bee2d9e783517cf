/**
 * scripts/bench/audio.ts — audio figures: WAV decode throughput, worst-case parse time over
 * a malformed-header sweep, resampler real-time factor (48k/44.1k -> 16k), framing cost.
 * Throughput and RTF use process CPU time (robust on a shared machine); the malformed-parse
 * worst case uses wall time.
 * Run alone: node --import tsx scripts/bench/audio.ts
 */
import { fileURLToPath } from 'node:url';
import { Framer } from '../../src/audio/framer.js';
import { StreamingResampler, resample } from '../../src/audio/resampler.js';
import { decodeWav, toMono16k } from '../../src/audio/wav-reader.js';
import { WavFormatError } from '../../src/util/errors.js';

import type { BenchRow } from '../bench.js';

function wavImage(seconds: number, rateHz: number, channels: number, bits: 16 | 24 | 32, float = false): Buffer {
  const frames = Math.round(seconds * rateHz);
  const bps = bits / 8;
  const data = Buffer.alloc(frames * channels * bps);
  for (let i = 0; i < frames * channels; i++) {
    const v = Math.sin(i / 7) * 0.5;
    if (float) data.writeFloatLE(v, i * 4);
    else if (bits === 16) data.writeInt16LE(Math.round(v * 32767), i * 2);
    else if (bits === 24) data.writeIntLE(Math.round(v * 8388607), i * 3, 3);
    else data.writeInt32LE(Math.round(v * 2147483647), i * 4);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(float ? 3 : 1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rateHz, 24);
  h.writeUInt32LE(rateHz * channels * bps, 28);
  h.writeUInt16LE(channels * bps, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/**
 * Median CPU time (user + system of this process) of `fn` in ms. CPU time rather than wall
 * time keeps the figures meaningful on a machine shared with other work.
 */
function timeMs(fn: () => void, reps: number): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const area = 'audio';
  for (const [label, img] of [
    ['16-bit mono 16 kHz', wavImage(60, 16000, 1, 16)],
    ['16-bit stereo 48 kHz', wavImage(20, 48000, 2, 16)],
    ['24-bit stereo 48 kHz', wavImage(10, 48000, 2, 24)],
    ['float32 mono 44.1 kHz', wavImage(20, 44100, 1, 32, true)],
  ] as const) {
    const ms = timeMs(() => decodeWav(img), 5);
    rows.push({ area, metric: `wav decode ${label}`, value: +(img.length / 1e6 / (ms / 1000)).toFixed(1), unit: 'MB/s', note: `${(img.length / 1e6).toFixed(1)} MB image` });
  }

  // Worst case over header mutations of a ~1 MB file (each header byte set to extreme values, lengths varied).
  const base = wavImage(30, 16000, 1, 16);
  let worst = 0;
  let rejected = 0;
  for (let off = 0; off < 44; off++) {
    for (const v of [0x00, 0xff, 0x7f, 0x80, 0x01]) {
      const b = Buffer.from(base.subarray(0, base.length - off * 977)); // also varies the length
      b[off] = v;
      const t0 = performance.now(); // wall time here: a hang must show
      try {
        decodeWav(b);
      } catch (e) {
        if (!(e instanceof WavFormatError)) throw e;
        rejected++;
      }
      worst = Math.max(worst, performance.now() - t0);
    }
  }
  rows.push({ area, metric: 'malformed WAV parse, worst case', value: +worst.toFixed(3), unit: 'ms', target: '< 50 ms (T17)', note: `220 header mutations, ${rejected} rejected` });

  for (const fromHz of [48000, 44100, 22050, 8000]) {
    const seconds = 30;
    const x = new Float32Array(fromHz * seconds);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i / 11) * 0.3;
    const ms = timeMs(() => {
      const r = new StreamingResampler(fromHz, 16000);
      for (let off = 0; off < x.length; off += fromHz / 50) r.process(x.subarray(off, off + fromHz / 50));
      r.flush();
    }, 3);
    rows.push({ area, metric: `resampler RTF ${fromHz / 1000}k->16k (20 ms chunks)`, value: +(ms / 1000 / seconds).toFixed(5), unit: 'x', target: '< 0.01' });
  }
  const st = wavImage(30, 48000, 2, 16);
  const toMonoMs = timeMs(() => toMono16k(decodeWav(st)), 3);
  rows.push({ area, metric: 'decode + downmix + resample 48k stereo -> 16k mono RTF', value: +(toMonoMs / 1000 / 30).toFixed(5), unit: 'x' });
  const sig = resample(new Float32Array(16000 * 60).fill(0.1), 16000, 16000);
  const frameMs = timeMs(() => {
    const f = new Framer();
    for (let off = 0; off < sig.length; off += 320) f.push(sig.subarray(off, off + 320));
  }, 5);
  rows.push({ area, metric: 'framer cost per 512-sample frame', value: +((frameMs * 1000) / (sig.length / 512)).toFixed(2), unit: 'µs' });
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await run();
  for (const r of rows) console.log(`${r.metric.padEnd(58)} ${String(r.value).padStart(10)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}${r.note ? `  ${r.note}` : ''}`);
}
