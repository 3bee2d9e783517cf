/**
 * Reads the custom metadata (`ModelProto.metadata_props`, field 14: repeated
 * StringStringEntryProto {key = 1, value = 2}) of an ONNX file, which onnxruntime-node
 * does not expose. Only top-level field headers are read; the graph (usually almost the
 * whole file) is skipped by seeking, so this is cheap even for large models.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelLoadError } from '../util/errors.js';

const METADATA_PROPS = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A positioned reader over a file or a buffer. */
interface Source {
  size: number;
  read(pos: number, len: number): Buffer;
}

function readVarint(src: Source, pos: number): { value: number; next: number } {
  const head = src.read(pos, Math.min(10, src.size - pos));
  let value = 0;
  let mul = 1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) throw new Error(`varint too large at byte ${pos}`);
      return { value, next: pos + i + 1 };
    }
    mul *= 128;
  }
  throw new Error(`truncated or overlong varint at byte ${pos}`);
}

/** Parse metadata_props from the top level of a serialized ModelProto. */
export function parseOnnxMetadata(src: Source): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < src.size) {
    const tag = readVarint(src, pos);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value & 7;
    pos = tag.next;
    if (field === 0) throw new Error(`invalid field number 0 at byte ${pos}`);
    if (wire === WIRE_VARINT) {
      pos = readVarint(src, pos).next;
    } else if (wire === WIRE_I64) {
      pos += 8;
    } else if (wire === WIRE_I32) {
      pos += 4;
    } else if (wire === WIRE_LEN) {
      const len = readVarint(src, pos);
      const end = len.next + len.value;
      if (end > src.size) throw new Error(`field ${field} of ${len.value} bytes runs past the end of the file`);
      if (field === METADATA_PROPS) {
        const [k, v] = parseEntry(src.read(len.next, len.value));
        out[k] = v;
      }
      pos = end;
    } else {
      throw new Error(`unsupported wire type ${wire} at byte ${pos}`);
    }
    if (pos > src.size) throw new Error('truncated field at end of file');
  }
  return out;
}

function parseEntry(b: Buffer): [string, string] {
  const src: Source = { size: b.length, read: (p, l) => b.subarray(p, p + l) };
  let key = '';
  let value = '';
  let pos = 0;
  while (pos < b.length) {
    const tag = readVarint(src, pos);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value & 7;
    if (wire !== WIRE_LEN) throw new Error(`metadata entry field ${field} has wire type ${wire}`);
    const len = readVarint(src, tag.next);
    if (len.next + len.value > b.length) throw new Error('metadata entry runs past its end');
    const s = b.toString('utf8', len.next, len.next + len.value);
    if (field === 1) key = s;
    else if (field === 2) value = s;
    pos = len.next + len.value;
  }
  return [key, value];
}

/** Metadata of a serialized model held in memory. */
export function onnxMetadataFromBuffer(b: Buffer): Record<string, string> {
  return parseOnnxMetadata({ size: b.length, read: (p, l) => b.subarray(p, p + l) });
}

/** Metadata of an ONNX file; a file that is not a ModelProto is a ModelLoadError. */
export function readOnnxMetadata(file: string): Record<string, string> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const src: Source = {
      size,
      read(pos, len) {
        const buf = Buffer.alloc(len);
        const n = readSync(fd, buf, 0, len, pos);
        return buf.subarray(0, n);
      },
    };
    return parseOnnxMetadata(src);
  } catch (e) {
    throw new ModelLoadError(file, `cannot read ONNX metadata: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}
