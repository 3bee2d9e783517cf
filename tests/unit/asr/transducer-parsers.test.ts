import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseTokens, readTokens } from '../../../src/asr/tokens.js';
import { MetadataReader, onnxPrecision, parseOnnxMetadata, readOnnxMetadata } from '../../../src/asr/transducer-onnx-metadata.js';
import { tokensToText } from '../../../src/asr/transducer-text.js';
import { fixtureFiles } from '../../helpers/asr-transducer-fixtures.js';

const isLoadError = (e: Error & { code?: string }): boolean => e.code === 'MODEL_LOAD';

test('tokens.txt: parses symbols with spaces, rejects malformed files', () => {
  const t = parseTokens('<blk> 0\n▁THE 1\n  2\nA 3\r\n');
  assert.equal(t.size, 4);
  assert.equal(t.symbol(1), '▁THE');
  assert.equal(t.symbol(2), ' ');
  assert.equal(t.id('A'), 3);
  assert.throws(() => t.symbol(9), RangeError);
  assert.throws(() => parseTokens(''), isLoadError);
  assert.throws(() => parseTokens('onlyonefield'), isLoadError);
  assert.throws(() => parseTokens('a x'), isLoadError);
  assert.throws(() => parseTokens('a -1'), isLoadError);
  assert.throws(() => parseTokens('a 0\nb 0'), /duplicate/);
  assert.throws(() => parseTokens('a 0\nb 2'), /id 1 missing/);
  assert.throws(() => readTokens('/nonexistent/tokens.txt'), (e: Error & { code?: string }) => e.code === 'MODEL_MISSING');
});

test('ONNX metadata: reads the fixture keys, rejects truncated or non-ONNX bytes', () => {
  const meta = readOnnxMetadata(fixtureFiles('zipformer-streaming', 'int8').encoder);
  assert.equal(meta.T, '45');
  assert.equal(meta.decode_chunk_len, '32');
  assert.equal(meta.encoder_dims, '24,32');
  const r = new MetadataReader(meta, 'enc');
  assert.deepEqual(r.ints('left_context_len'), [16, 8]);
  assert.equal(r.int('missing', 7), 7);
  assert.throws(() => r.int('missing'), /missing/);
  assert.throws(() => new MetadataReader({ a: 'x,1' }, 'f').ints('a'), /not a list of integers/);
  assert.throws(() => new MetadataReader({ a: '1.5' }, 'f').int('a'), /not an integer/);
  const bytes = readFileSync(fixtureFiles('zipformer-streaming', 'fp32').decoder);
  assert.throws(() => parseOnnxMetadata(bytes.subarray(0, bytes.length - 7)), isLoadError);
  assert.throws(() => parseOnnxMetadata(Buffer.from('this is not an onnx file at all')), isLoadError);
  assert.deepEqual(parseOnnxMetadata(new Uint8Array(0)), {});
  assert.equal(onnxPrecision(fixtureFiles('zipformer-offline', 'int8').encoder), 'int8');
  assert.equal(onnxPrecision(fixtureFiles('zipformer-offline', 'fp32').encoder), 'fp32');
});

test('token ids → text and word timestamps', () => {
  const t = parseTokens('<blk> 0\n<unk> 1\n▁ASK 2\n▁NOT 3\nS 4\n▁WHAT 5');
  const r = tokensToText([2, 4, 1, 3, 5], [1, 2, 3, 5, 9], [0.5, 1, 1, 1, 0.5], t, 40);
  assert.equal(r.text, 'ASKS NOT WHAT');
  assert.deepEqual(r.words.map((w) => [w.word, w.startMs, w.endMs]), [['ASKS', 40, 200], ['NOT', 200, 360], ['WHAT', 360, 400]]);
  assert.equal(r.words[0].confidence, 0.75);
  assert.equal(r.confidence, 0.8);
  assert.equal(tokensToText([], [], [], t, 40).text, '');
});
