/**
 * Reads what onnxruntime-node does not expose from an ONNX file without loading it: the custom
 * metadata (`ModelProto.metadata_props`, field 14: StringStringEntryProto {key = 1, value = 2})
 * and the operator types of the graph (`ModelProto.graph` = 7 → `GraphProto.node` = 1 →
 * `NodeProto.op_type` = 4, including the subgraphs of If/Loop attributes). The protobuf is walked
 * field by field through a small block cache; everything else (initializers: almost the whole
 * file) is skipped by seeking, so memory stays at a few blocks whatever the model's size.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';

const METADATA_PROPS = 14;
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_GRAPH = 6;
const ATTR_GRAPHS = 11;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
/** Longest string field read (metadata values such as Whisper's language lists are a few kB). */
const MAX_STRING = 1 << 20;
const MAX_GRAPH_DEPTH = 8;

/** A positioned reader over a file or a buffer. */
export interface Source {
  size: number;
  read(pos: number, len: number): Buffer;
}

/** A varint; `forSkip` accepts values beyond 2^53 (e.g. negative int64 attributes) whose value is not used. */
function readVarint(src: Source, pos: number, forSkip = false): { value: number; next: number } {
  const head = src.read(pos, Math.min(10, src.size - pos));
  let value = 0;
  let mul = 1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (!forSkip && !Number.isSafeInteger(value)) throw new Error(`varint too large at byte ${pos}`);
      return { value, next: pos + i + 1 };
    }
    mul *= 128;
  }
  throw new Error(`truncated or overlong varint at byte ${pos}`);
}

/**
 * Calls `onLen(field, start, length)` for every length-delimited field of the message in
 * [start, end) and skips every other field (or, with `onlyLen`, rejects it); the callback does
 * not need to read the value.
 */
function walk(src: Source, start: number, end: number, onLen: (field: number, pos: number, len: number) => void, onlyLen = false): void {
  let pos = start;
  while (pos < end) {
    const tag = readVarint(src, pos);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value & 7;
    pos = tag.next;
    if (field === 0) throw new Error(`invalid field number 0 at byte ${pos}`);
    if (onlyLen && wire !== WIRE_LEN) throw new Error(`field ${field} has wire type ${wire}, expected a string`);
    if (wire === WIRE_VARINT) pos = readVarint(src, pos, true).next;
    else if (wire === WIRE_I64) pos += 8;
    else if (wire === WIRE_I32) pos += 4;
    else if (wire === WIRE_LEN) {
      const len = readVarint(src, pos);
      if (len.next + len.value > end) throw new Error(`field ${field} of ${len.value} bytes runs past the end of its message`);
      onLen(field, len.next, len.value);
      pos = len.next + len.value;
    } else throw new Error(`unsupported wire type ${wire} at byte ${pos}`);
    if (pos > end) throw new Error('truncated field at end of message');
  }
}

function readString(src: Source, pos: number, len: number, what: string): string {
  if (len > MAX_STRING) throw new Error(`${what} of ${len} bytes is implausibly long`);
  return src.read(pos, len).toString('utf8');
}

/** Parse metadata_props from the top level of a serialized ModelProto. */
export function parseOnnxMetadata(src: Source): Record<string, string> {
  const out: Record<string, string> = {};
  walk(src, 0, src.size, (field, pos, len) => {
    if (field !== METADATA_PROPS) return;
    let key = '';
    let value = '';
    walk(src, pos, pos + len, (f, p, l) => {
      if (f === 1) key = readString(src, p, l, 'metadata key');
      else if (f === 2) value = readString(src, p, l, 'metadata value');
    }, true);
    out[key] = value;
  });
  return out;
}

/** Operator types used by the model's graph and its subgraphs. */
export function parseOnnxOpTypes(src: Source): Set<string> {
  const ops = new Set<string>();
  const graph = (pos: number, len: number, depth: number): void => {
    if (depth > MAX_GRAPH_DEPTH) throw new Error('subgraphs nested too deeply');
    walk(src, pos, pos + len, (f, p, l) => {
      if (f !== GRAPH_NODE) return;
      walk(src, p, p + l, (nf, np, nl) => {
        if (nf === NODE_OP_TYPE) ops.add(readString(src, np, nl, 'op_type'));
        else if (nf === NODE_ATTRIBUTE) {
          walk(src, np, np + nl, (af, ap, al) => {
            if (af === ATTR_GRAPH || af === ATTR_GRAPHS) graph(ap, al, depth + 1);
          });
        }
      });
    });
  };
  walk(src, 0, src.size, (field, pos, len) => {
    if (field === MODEL_GRAPH) graph(pos, len, 0);
  });
  return ops;
}

/** A serialized model held in memory as a Source. */
export function bufferSource(b: Uint8Array): Source {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return { size: buf.length, read: (p, l) => buf.subarray(p, p + l) };
}

/** Metadata of a serialized model held in memory. */
export function onnxMetadataFromBuffer(b: Buffer): Record<string, string> {
  return parseOnnxMetadata(bufferSource(b));
}

const BLOCK = 64 * 1024;

/** Open `file` as a Source with a one-block cache (reads outside the block go to the file). */
function withFileSource<T>(file: string, fn: (src: Source) => T): T {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelMissingError(file, { cause: e });
    throw new ModelLoadError(file, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    let blockStart = -1;
    let block = Buffer.alloc(0);
    const src: Source = {
      size,
      read(pos, len) {
        if (pos >= blockStart && pos + len <= blockStart + block.length) return block.subarray(pos - blockStart, pos - blockStart + len);
        if (len > BLOCK) {
          const big = Buffer.alloc(len);
          return big.subarray(0, readSync(fd, big, 0, len, pos));
        }
        const buf = Buffer.alloc(Math.min(BLOCK, Math.max(0, size - pos)));
        const n = readSync(fd, buf, 0, buf.length, pos);
        blockStart = pos;
        block = buf.subarray(0, n);
        return block.subarray(0, Math.min(len, n));
      },
    };
    return fn(src);
  } catch (e) {
    if (e instanceof ModelLoadError || e instanceof ModelMissingError) throw e;
    throw new ModelLoadError(file, `not a readable ONNX model: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** Metadata of an ONNX file: a missing file is ModelMissingError, one that is not a ModelProto ModelLoadError. */
export function readOnnxMetadata(file: string): Record<string, string> {
  return withFileSource(file, parseOnnxMetadata);
}

/** Operator types of an ONNX file's graph (and subgraphs). */
export function readOnnxOpTypes(file: string): Set<string> {
  return withFileSource(file, parseOnnxOpTypes);
}

const DYNAMIC_QUANT_OPS = ['MatMulInteger', 'ConvInteger', 'DynamicQuantizeLinear', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat'];

/**
 * 'int8' when the graph uses onnxruntime's dynamic-quantization operators (how upstream int8
 * exports are made), else 'fp32'. ORT-format (.ort) files are flatbuffers, not protobuf: they
 * report 'int8' when those operator names occur in the file.
 */
export function onnxPrecision(file: string): 'int8' | 'fp32' {
  if (file.endsWith('.ort')) {
    return withFileSource(file, (src) => {
      for (let pos = 0; pos < src.size; pos += BLOCK - 64) {
        const s = src.read(pos, Math.min(BLOCK, src.size - pos)).toString('latin1');
        if (DYNAMIC_QUANT_OPS.some((op) => s.includes(op))) return 'int8';
      }
      return 'fp32';
    });
  }
  const ops = readOnnxOpTypes(file);
  return DYNAMIC_QUANT_OPS.some((op) => ops.has(op)) ? 'int8' : 'fp32';
}
