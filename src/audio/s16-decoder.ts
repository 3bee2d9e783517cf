/**
 * src/audio/s16-decoder.ts — raw interleaved s16le bytes (any chunking, even 1 byte at a
 * time) to mono float32. Bytes of an incomplete frame are carried to the next chunk.
 */
export class S16Decoder {
  private carry: Buffer = Buffer.alloc(0);
  private readonly frameBytes: number;

  constructor(readonly channels = 1) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`invalid channel count ${channels}`);
    this.frameBytes = channels * 2;
  }

  /** Bytes held back (an incomplete frame). */
  get pendingBytes(): number {
    return this.carry.length;
  }

  /** Decode a chunk; channels are averaged. */
  push(chunk: Uint8Array): Float32Array {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const frames = Math.floor(buf.length / this.frameBytes);
    const used = frames * this.frameBytes;
    this.carry = Buffer.from(buf.subarray(used)); // copy: the caller may reuse its buffer
    const out = new Float32Array(frames);
    const ch = this.channels;
    const scale = 1 / (32768 * ch);
    let off = 0;
    for (let i = 0; i < frames; i++) {
      let acc = 0;
      for (let c = 0; c < ch; c++) {
        acc += buf.readInt16LE(off);
        off += 2;
      }
      out[i] = acc * scale;
    }
    return out;
  }

  /** Drop a carried partial frame (after a capture restart). */
  reset(): void {
    this.carry = Buffer.alloc(0);
  }
}
