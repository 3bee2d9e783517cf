import { ModelLoadError } from '../util/errors.js';
import { bufferSource, onnxPrecision, parseOnnxMetadata as parseMetadataSource, readOnnxMetadata } from './onnx-metadata.js';

/**
 * Custom metadata and precision of ONNX files for the transducer and diarization runners. The
 * readers live in onnx-metadata.ts: they walk the protobuf and seek past the weights, so a
 * 650 MB Parakeet encoder costs a few 64 kB blocks of memory, not the file size.
 */
export { onnxPrecision, readOnnxMetadata };

/** Metadata of a serialized model held in memory; malformed bytes are a ModelLoadError. */
export function parseOnnxMetadata(buf: Uint8Array, file = 'model.onnx'): Record<string, string> {
  try {
    return parseMetadataSource(bufferSource(buf));
  } catch (e) {
    throw new ModelLoadError(file, `not an ONNX model: ${(e as Error).message}`, { cause: e });
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
