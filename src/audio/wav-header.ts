/**
 * src/audio/wav-header.ts — RIFF/WAVE header parser.
 *
 * Invariants (RELIABILITY.md T17):
 * - Never allocates from a header size: every size is clamped to the bytes that exist.
 * - Always terminates: each chunk step advances the cursor by at least 8 bytes.
 * - Rejects with WavFormatError(message, offset, field); never any other error type.
 *
 * Lenient reads (documented in docs/audio.md), recorded in `notes`:
 * - RIFF size different from the file size (streaming writers, truncated copies).
 * - data size 0xFFFFFFFF or larger than the file: read the bytes that exist.
 * - data length not a multiple of block_align: the trailing partial frame is ignored.
 * - odd-sized chunk without its pad byte: the next chunk is found one byte earlier.
 */
import { WavFormatError } from '../util/errors.js';

export type WavSampleFormat = 'pcm' | 'float';

export interface WavLayout {
  sampleRateHz: number;
  channels: number;
  /** Container bits per sample (8/16/24/32 PCM, 32/64 float). */
  bitsPerSample: number;
  format: WavSampleFormat;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data that actually exist in the input (whole frames only). */
  dataBytes: number;
  frameCount: number;
  /** Lenient-read notes, e.g. `data chunk truncated`. Empty for a clean file. */
  notes: string[];
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Tail of the KSDATAFORMAT_SUBTYPE_* GUIDs (bytes 2..15): 00 00 00 00 10 00 80 00 00 AA 00 38 9B 71. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Highest accepted sample rate; 10^9 Hz headers are rejected. */
export const MAX_SAMPLE_RATE_HZ = 768000;
export const MAX_CHANNELS = 64;

interface FmtInfo {
  format: WavSampleFormat;
  channels: number;
  sampleRateHz: number;
  bitsPerSample: number;
  blockAlign: number;
}

function fourcc(b: Uint8Array, off: number): string {
  return String.fromCharCode(b[off]!, b[off + 1]!, b[off + 2]!, b[off + 3]!);
}

function isChunkId(b: Uint8Array, off: number): boolean {
  if (off < 0 || off + 4 > b.length) return false;
  for (let i = 0; i < 4; i++) {
    const c = b[off + i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Parse the header and locate the sample data. Throws WavFormatError only. */
export function parseWavHeader(bytes: Uint8Array): WavLayout {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  if (len < 12) throw new WavFormatError(`file is ${len} bytes, too short for a RIFF/WAVE header`, 0, 'riff');
  const riff = fourcc(bytes, 0);
  if (riff !== 'RIFF') {
    const what = riff === 'RIFX' ? 'big-endian RIFX is not supported' : riff === 'RF64' ? 'RF64 is not supported' : 'not a RIFF file';
    throw new WavFormatError(what, 0, 'riff.id');
  }
  if (fourcc(bytes, 8) !== 'WAVE') throw new WavFormatError('RIFF file is not of form WAVE', 8, 'riff.form');
  const notes: string[] = [];
  const riffSize = dv.getUint32(4, true);
  if (riffSize + 8 !== len) notes.push(`RIFF size ${riffSize} does not match file size ${len}`);

  let fmt: FmtInfo | undefined;
  let dataOffset = -1;
  let dataDeclared = 0;
  let off = 12;
  while (off + 8 <= len) {
    const id = fourcc(bytes, off);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    const avail = len - body;
    if (id === 'fmt ') {
      if (fmt === undefined) fmt = parseFmt(bytes, dv, body, size, avail);
    } else if (id === 'data') {
      if (dataOffset < 0) {
        dataOffset = body;
        dataDeclared = size;
      }
      if (size > avail) {
        // Streaming writers (arecord to a pipe) leave 0xFFFFFFFF; truncated copies leave the old size.
        notes.push(size === 0xffffffff ? 'data size 0xFFFFFFFF (streamed): read to end of file' : `data chunk declares ${size} bytes, ${avail} present`);
        break;
      }
    }
    if (size > avail) break; // a chunk claiming more than exists ends the scan (miniaudio #1151 class)
    let next = body + size + (size & 1);
    // ni-media #65: odd chunk written without its pad byte. Prefer the unpadded position when only it holds an id.
    if ((size & 1) === 1 && !isChunkId(bytes, next) && isChunkId(bytes, next - 1)) {
      next -= 1;
      notes.push(`chunk '${id.replace(/[^\x20-\x7e]/g, '?')}' at byte ${off} has an odd size without a pad byte`);
    }
    off = next; // advances by >= 8: termination guaranteed
  }
  if (fmt === undefined) throw new WavFormatError('no fmt chunk found', Math.min(off, len), 'fmt');
  if (dataOffset < 0) throw new WavFormatError('no data chunk found', Math.min(off, len), 'data');
  const present = Math.max(0, Math.min(dataDeclared, len - dataOffset));
  const frameCount = Math.floor(present / fmt.blockAlign);
  const dataBytes = frameCount * fmt.blockAlign;
  if (dataBytes !== present) notes.push(`data length ${present} is not a multiple of block_align ${fmt.blockAlign}: ${present - dataBytes} trailing bytes ignored`);
  return { ...fmt, dataOffset, dataBytes, frameCount, notes };
}

function parseFmt(bytes: Uint8Array, dv: DataView, body: number, size: number, avail: number): FmtInfo {
  if (size < 16) throw new WavFormatError(`fmt chunk size ${size} is smaller than 16`, body - 4, 'fmt.size');
  if (size > avail) throw new WavFormatError(`fmt chunk size ${size} exceeds the ${avail} bytes left in the file`, body - 4, 'fmt.size');
  let tag = dv.getUint16(body, true);
  const channels = dv.getUint16(body + 2, true);
  const sampleRateHz = dv.getUint32(body + 4, true);
  const blockAlign = dv.getUint16(body + 12, true);
  const bitsPerSample = dv.getUint16(body + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavFormatError(`WAVE_FORMAT_EXTENSIBLE fmt chunk size ${size} is smaller than 40`, body - 4, 'fmt.size');
    const cbSize = dv.getUint16(body + 16, true);
    if (cbSize < 22) throw new WavFormatError(`WAVE_FORMAT_EXTENSIBLE cbSize ${cbSize} is smaller than 22`, body + 16, 'fmt.cbSize');
    const guid = body + 24;
    for (let i = 0; i < GUID_TAIL.length; i++) {
      if (bytes[guid + 2 + i] !== GUID_TAIL[i]) throw new WavFormatError('unknown WAVE_FORMAT_EXTENSIBLE subformat GUID', guid, 'fmt.subFormat');
    }
    tag = dv.getUint16(guid, true);
  }
  let format: WavSampleFormat;
  if (tag === WAVE_FORMAT_PCM) {
    format = 'pcm';
    if (![8, 16, 24, 32].includes(bitsPerSample)) {
      throw new WavFormatError(`unsupported PCM bits per sample ${bitsPerSample} (8, 16, 24 or 32)`, body + 14, 'fmt.bitsPerSample');
    }
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    format = 'float';
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new WavFormatError(`unsupported float bits per sample ${bitsPerSample} (32 or 64)`, body + 14, 'fmt.bitsPerSample');
    }
  } else {
    throw new WavFormatError(`unsupported audio format tag 0x${tag.toString(16)} (PCM, IEEE float or extensible)`, body, 'fmt.audioFormat');
  }
  if (channels === 0) throw new WavFormatError('channel count is 0', body + 2, 'fmt.channels');
  if (channels > MAX_CHANNELS) throw new WavFormatError(`channel count ${channels} exceeds ${MAX_CHANNELS}`, body + 2, 'fmt.channels');
  if (sampleRateHz === 0 || sampleRateHz > MAX_SAMPLE_RATE_HZ) {
    throw new WavFormatError(`sample rate ${sampleRateHz} Hz is outside 1..${MAX_SAMPLE_RATE_HZ}`, body + 4, 'fmt.sampleRate');
  }
  const expectAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectAlign) {
    throw new WavFormatError(`block_align ${blockAlign} does not match ${channels} channels x ${bitsPerSample} bits (${expectAlign})`, body + 12, 'fmt.blockAlign');
  }
  return { format, channels, sampleRateHz, bitsPerSample, blockAlign };
}
