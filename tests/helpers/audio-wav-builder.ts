/**
 * tests/helpers/audio-wav-builder.ts — build RIFF/WAVE byte images chunk by chunk, including
 * deliberately broken ones (forged sizes, missing pad bytes) for the malformed-WAV corpus.
 */

export interface FmtSpec {
  tag?: number;
  channels?: number;
  rateHz?: number;
  bits?: number;
  blockAlign?: number;
  byteRate?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this subformat tag (1 PCM, 3 float). */
  extensibleSubTag?: number;
  cbSize?: number;
  validBits?: number;
  guidTail?: number[];
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function fmtBody(spec: FmtSpec = {}): Uint8Array {
  const channels = spec.channels ?? 1;
  const rate = spec.rateHz ?? 16000;
  const bits = spec.bits ?? 16;
  const align = spec.blockAlign ?? channels * (bits / 8);
  const ext = spec.extensibleSubTag !== undefined;
  const b = Buffer.alloc(ext ? 40 : 16);
  b.writeUInt16LE(ext ? 0xfffe : (spec.tag ?? 1), 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate >>> 0, 4);
  b.writeUInt32LE((spec.byteRate ?? rate * align) >>> 0, 8);
  b.writeUInt16LE(align & 0xffff, 12);
  b.writeUInt16LE(bits, 14);
  if (ext) {
    b.writeUInt16LE(spec.cbSize ?? 22, 16);
    b.writeUInt16LE(spec.validBits ?? bits, 18);
    b.writeUInt32LE(channels === 1 ? 4 : 3, 20);
    b.writeUInt16LE(spec.extensibleSubTag!, 24);
    Buffer.from(spec.guidTail ?? GUID_TAIL).copy(b, 26);
  }
  return b;
}

/** A chunk: id, size (or a forged `declaredSize`), body, pad byte for odd sizes unless `pad: false`. */
export function chunk(id: string, body: Uint8Array, opts: { declaredSize?: number; pad?: boolean } = {}): Uint8Array {
  const head = Buffer.alloc(8);
  head.write(id.padEnd(4, ' ').slice(0, 4), 0, 'latin1');
  head.writeUInt32LE((opts.declaredSize ?? body.length) >>> 0, 4);
  const pad = body.length % 2 === 1 && opts.pad !== false ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([head, body, pad]);
}

/** RIFF/WAVE container around `chunks`; `declaredSize` forges the RIFF size. */
export function riff(chunks: Uint8Array[], opts: { declaredSize?: number; id?: string; form?: string } = {}): Buffer {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write(opts.id ?? 'RIFF', 0, 'latin1');
  head.writeUInt32LE((opts.declaredSize ?? body.length + 4) >>> 0, 4);
  head.write(opts.form ?? 'WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

export function pcm16Body(samples: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]!))), i * 2);
  return b;
}

/** A well-formed 16-bit mono WAV of `samples` (integer sample values). */
export function simpleWav16(samples: ArrayLike<number>, rateHz = 16000, channels = 1): Buffer {
  return riff([chunk('fmt ', fmtBody({ channels, rateHz, bits: 16 })), chunk('data', pcm16Body(samples))]);
}
