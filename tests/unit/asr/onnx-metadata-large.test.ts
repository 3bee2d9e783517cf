/**
 * Item 5 of issue 16: reading a model's metadata and precision must never read the whole file.
 * A 1 GiB sparse ONNX file (a weight initializer of zeros between the graph's nodes and the
 * metadata, as torch/onnx serialize them) is read in a child process whose peak RSS must stay
 * far below the file size — three reads, as loading a Parakeet bundle does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/asr-eval.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80); }
  out.push(n);
  return out;
};
const len = (field: number, body: number[]): number[] => [...varint(field * 8 + 2), ...varint(body.length), ...body];
const str = (field: number, s: string): number[] => len(field, [...Buffer.from(s, 'utf8')]);

test('metadata and precision of a 1 GiB model are read with bounded memory (seek, not read)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-big-onnx-'));
  const file = join(dir, 'encoder.int8.onnx');
  const weightBytes = 1024 * 1024 * 1024;
  try {
    // TensorProto { dims, data_type, name, raw_data (field 9) = weightBytes zeros }
    const tensorHead = [...varint(1 * 8), ...varint(1024), ...varint(2 * 8), 1, ...str(8, 'w')];
    const tensorLen = tensorHead.length + 1 + varint(weightBytes).length + weightBytes;
    const node = len(1, [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'MatMulInteger')]);
    const initHead = [...varint(5 * 8 + 2), ...varint(tensorLen), ...tensorHead, ...varint(9 * 8 + 2), ...varint(weightBytes)];
    const graphLen = node.length + initHead.length + weightBytes;
    const head = [...varint(1 * 8), 8, ...varint(7 * 8 + 2), ...varint(graphLen), ...node, ...initHead];
    const tail = [...len(14, [...str(1, 'vocab_size'), ...str(2, '1024')]), ...len(14, [...str(1, 'model_type'), ...str(2, 'EncDecRNNTBPEModel')])];
    const fd = openSync(file, 'w');
    writeSync(fd, Buffer.from(head), 0, head.length, 0);
    writeSync(fd, Buffer.from(tail), 0, tail.length, head.length + weightBytes); // the gap stays a hole
    closeSync(fd);
    const script = `
      const m = await import(${JSON.stringify(join(REPO_ROOT, 'src/asr/transducer-onnx-metadata.ts'))});
      const f = ${JSON.stringify(file)};
      const meta = [m.readOnnxMetadata(f), m.readOnnxMetadata(f)][1];
      const precision = m.onnxPrecision(f);
      console.log(JSON.stringify({ meta, precision, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { meta: Record<string, string>; precision: string; maxRssKiB: number };
    assert.deepEqual(r.meta, { vocab_size: '1024', model_type: 'EncDecRNNTBPEModel' });
    assert.equal(r.precision, 'int8');
    process.stdout.write(`# peak RSS of the reader child: ${Math.round(r.maxRssKiB / 1024)} MiB\n`);
    assert.ok(r.maxRssKiB * 1024 < weightBytes / 4, `peak RSS ${Math.round(r.maxRssKiB / 1024)} MiB for a ${weightBytes / 2 ** 20} MiB file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
