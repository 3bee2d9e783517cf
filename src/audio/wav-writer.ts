/**
 * src/audio/wav-writer.ts — 16-bit PCM mono WAV encoding (canonical 44-byte header).
 * Samples are clamped to [-1, 1] and rounded to the nearest 16-bit value; NaN becomes 0.
 */
import { writeFileAtomic } from '../platform/atomic-file.js';

/** Encode float samples in [-1, 1] as a 16-bit PCM mono WAV image. */
export function encodeWav16(samples: Float32Array, sampleRateHz: number): Buffer {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0) throw new RangeError(`invalid sample rate ${sampleRateHz}`);
  const dataBytes = samples.length * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRateHz, 24);
  b.writeUInt32LE(sampleRateHz * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(floatToS16(samples[i]!), 44 + i * 2);
  return b;
}

export function floatToS16(v: number): number {
  if (!(v === v)) return 0; // NaN
  const x = Math.round(v * 32768);
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

/** Write a 16-bit mono WAV durably (tmp + fsync + rename, see platform/atomic-file.ts). */
export function writeWavFile(path: string, samples: Float32Array, sampleRateHz: number): void {
  writeFileAtomic(path, encodeWav16(samples, sampleRateHz), { backup: false });
}
