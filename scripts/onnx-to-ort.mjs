#!/usr/bin/env node
// Convert an ONNX model to onnxruntime's ORT format (flatbuffer) with onnxruntime-node, the way
// upstream ships Moonshine v2 (`*.ort`). Used by the fixture and replica generators (run by hand);
// never at run time. Usage: node scripts/onnx-to-ort.mjs IN.onnx OUT.ort
import * as ort from 'onnxruntime-node';

const [src, dst] = process.argv.slice(2);
if (!src || !dst || !dst.endsWith('.ort') || process.argv.includes('--help')) {
  console.error('usage: node scripts/onnx-to-ort.mjs IN.onnx OUT.ort');
  process.exit(src === '--help' ? 0 : 2);
}
// 'basic' optimisations only: the saved graph stays hardware-independent.
const s = await ort.InferenceSession.create(src, { graphOptimizationLevel: 'basic', optimizedModelFilePath: dst });
await s.release();
console.log(`${dst}: written`);
