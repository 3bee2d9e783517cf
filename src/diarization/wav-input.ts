import { readFileSync } from 'node:fs';
import { WavFormatError } from '../util/errors.js';

/**
 * Minimal WAV reader for enrollment clips and tools: PCM 16-bit or IEEE float 32-bit,
 * mono, 16 kHz (what the pipeline uses). Anything else is a WavFormatError with a
 * `sox` hint.
 */
export function readWav16kMono(path: string): Float32Array {
  return decodeWav16kMono(readFileSync(path));
}

const HINT = 'convert with: sox IN.wav -r 16000 -c 1 -b 16 OUT.wav';

export function decodeWav16kMono(buf: Buffer): Float32Array {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file', 0, 'riff', { hint: HINT });
  }
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError('fmt chunk too short', off, 'fmt', { hint: HINT });
      let format = buf.readUInt16LE(body);
      if (format === 0xfffe && size >= 40) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk', off, 'data', { hint: HINT });
      if (fmt.channels !== 1) throw new WavFormatError(`expected mono, got ${fmt.channels} channels`, off, 'channels', { hint: HINT });
      if (fmt.rate !== 16000) throw new WavFormatError(`expected 16000 Hz, got ${fmt.rate} Hz`, off, 'sample_rate', { hint: HINT });
      const end = Math.min(buf.length, body + size);
      if (fmt.format === 1 && fmt.bits === 16) {
        const n = Math.floor((end - body) / 2);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(body + 2 * i) / 32768;
        return out;
      }
      if (fmt.format === 3 && fmt.bits === 32) {
        const n = Math.floor((end - body) / 4);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(body + 4 * i);
        return out;
      }
      throw new WavFormatError(`unsupported encoding (format ${fmt.format}, ${fmt.bits} bits)`, off, 'format', { hint: HINT });
    }
    off = body + size + (size & 1);
  }
  throw new WavFormatError('no data chunk', off, 'data', { hint: HINT });
}
