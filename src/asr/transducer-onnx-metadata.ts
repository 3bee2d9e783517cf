import { readFileSync } from 'node:fs';
import { ModelLoadError, ModelMissingError } from '../util/errors.js';

/**
 * Reads the custom metadata (`ModelProto.metadata_props`, field 14) of an ONNX file without
 * decoding the graph: onnxruntime-node does not expose it. Walks the top-level protobuf fields
 * and skips everything else by length.
 */
export function readOnnxMetadata(file: string): Record<string, string> {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new ModelMissingError(file, { cause: e });
  }
  return parseOnnxMetadata(buf, file);
}

/**
 * 'int8' when the graph uses onnxruntime's dynamic-quantization operators (MatMulInteger,
 * ConvInteger, DynamicQuantizeLinear), which is how upstream int8 exports are made; else 'fp32'.
 */
export function onnxPrecision(file: string): 'int8' | 'fp32' {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new ModelMissingError(file, { cause: e });
  }
  return ['MatMulInteger', 'ConvInteger', 'DynamicQuantizeLinear'].some((op) => buf.includes(op)) ? 'int8' : 'fp32';
}

export function parseOnnxMetadata(buf: Uint8Array, file = 'model.onnx'): Record<string, string> {
  const out: Record<string, string> = {};
  const r = new Reader(buf, file);
  while (!r.done()) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 14 && wire === 2) {
      const end = r.lengthEnd();
      let k = '';
      let v = '';
      while (r.pos < end) {
        const kk = r.varint();
        if ((kk & 7) !== 2) { r.skip(kk & 7); continue; }
        const e = r.lengthEnd();
        const s = Buffer.from(buf.subarray(r.pos, e)).toString('utf8');
        r.pos = e;
        if (kk >> 3 === 1) k = s;
        else if (kk >> 3 === 2) v = s;
      }
      if (r.pos !== end) throw new ModelLoadError(file, 'malformed metadata entry');
      out[k] = v;
    } else {
      r.skip(wire);
    }
  }
  return out;
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array, private readonly file: string) {}

  done(): boolean {
    return this.pos >= this.b.length;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.b.length) throw new ModelLoadError(this.file, 'truncated ONNX protobuf (not an ONNX file?)');
      const byte = this.b[this.pos++];
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ModelLoadError(this.file, 'malformed varint in ONNX protobuf');
  }

  lengthEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.b.length) throw new ModelLoadError(this.file, 'truncated ONNX protobuf (not an ONNX file?)');
    return end;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; break;
      case 2: this.pos = this.lengthEnd(); return;
      case 5: this.pos += 4; break;
      default: throw new ModelLoadError(this.file, `unsupported protobuf wire type ${wire} (not an ONNX file?)`);
    }
    if (this.pos > this.b.length) throw new ModelLoadError(this.file, 'truncated ONNX protobuf');
  }
}

/** Typed accessors with clear errors for missing/invalid keys. */
export class MetadataReader {
  constructor(readonly values: Record<string, string>, private readonly file: string) {}

  has(key: string): boolean {
    return key in this.values;
  }

  str(key: string, fallback?: string): string {
    const v = this.values[key];
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new ModelLoadError(this.file, `metadata key "${key}" missing (not the expected export?)`);
    }
    return v;
  }

  int(key: string, fallback?: number): number {
    const raw = this.values[key];
    if (raw === undefined && fallback !== undefined) return fallback;
    const n = Number(this.str(key));
    if (!Number.isInteger(n)) throw new ModelLoadError(this.file, `metadata key "${key}" is not an integer: ${raw}`);
    return n;
  }

  ints(key: string): number[] {
    const parts = this.str(key).split(',').map((s) => s.trim()).filter((s) => s !== '');
    const nums = parts.map(Number);
    if (nums.length === 0 || nums.some((n) => !Number.isInteger(n))) throw new ModelLoadError(this.file, `metadata key "${key}" is not a list of integers: ${this.values[key]}`);
    return nums;
  }
}
