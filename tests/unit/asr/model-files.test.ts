/** Parsers for ONNX metadata, Whisper/Moonshine token tables and Whisper metadata, incl. malformed input. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MoonshineTokens } from '../../../src/asr/moonshine-tokens.js';
import { onnxMetadataFromBuffer, readOnnxMetadata } from '../../../src/asr/onnx-metadata.js';
import { parseWhisperMeta } from '../../../src/asr/whisper-meta.js';
import { TokenTable } from '../../../src/asr/whisper-tokens.js';
import { AppError } from '../../../src/util/errors.js';
import { REPO_ROOT } from '../../helpers/asr-eval.js';

const WHISPER = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'whisper');
const isLoadError = (e: unknown): boolean => e instanceof AppError && e.code === 'MODEL_LOAD';

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
function lenField(field: number, payload: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}
function entry(k: string, v: string): number[] {
  return lenField(14, [...lenField(1, [...Buffer.from(k)]), ...lenField(2, [...Buffer.from(v)])]);
}

test('ONNX metadata: the exported fixture carries the sherpa-onnx Whisper keys', () => {
  const m = readOnnxMetadata(join(WHISPER, 'tiny-encoder.onnx'));
  for (const k of ['n_mels', 'n_text_layer', 'n_text_ctx', 'n_text_state', 'sot', 'eot', 'sot_sequence', 'no_timestamps', 'no_speech', 'all_language_codes']) {
    assert.ok(k in m, k);
  }
  assert.equal(m.n_text_layer, '2');
  assert.deepEqual(readOnnxMetadata(join(WHISPER, 'tiny-decoder.onnx')), {});
  // the int8 export keeps the metadata
  assert.equal(readOnnxMetadata(join(WHISPER, 'tiny-encoder.int8.onnx')).sot_sequence, m.sot_sequence);
});

test('ONNX metadata: hand-built protobuf, skipping varint/fixed fields and a nested graph', () => {
  const b = Buffer.from([...varint(1 * 8), ...varint(8), ...lenField(7, [1, 2, 3, 4]), 0x0d, 1, 2, 3, 4, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, ...entry('a', 'x'), ...entry('b', 'ünï')]);
  assert.deepEqual(onnxMetadataFromBuffer(b), { a: 'x', b: 'ünï' });
  assert.deepEqual(onnxMetadataFromBuffer(Buffer.alloc(0)), {});
});

test('ONNX metadata: malformed files are ModelLoadErrors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-onnx-'));
  try {
    const cases: Record<string, Buffer> = {
      'truncated-length.onnx': Buffer.from([...varint(7 * 8 + 2), ...varint(100), 1, 2]),
      'bad-wire-type.onnx': Buffer.from([...varint(3 * 8 + 3)]),
      'field-zero.onnx': Buffer.from([0x02, 0x00]),
      'endless-varint.onnx': Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      'text.onnx': Buffer.from('this is not protobuf at all, just text\n'),
      'entry-wrong-wire.onnx': Buffer.from(lenField(14, [0x08, 0x01])),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      writeFileSync(join(dir, name), bytes);
      assert.throws(() => readOnnxMetadata(join(dir, name)), isLoadError, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Whisper tokens: base64 lines, bytes joined before UTF-8 decoding, unknown ids skipped', () => {
  const t = TokenTable.parse(`${Buffer.from(' caf').toString('base64')} 0\n${Buffer.from([0xc3]).toString('base64')} 1\n${Buffer.from([0xa9]).toString('base64')} 2\n\n`, 'x');
  assert.equal(t.size, 3);
  assert.equal(t.decode([0, 1, 2, 99]), ' café');
  assert.equal(t.piece(99), '');
  const real = TokenTable.load(join(WHISPER, 'tiny-tokens.txt'));
  assert.equal(real.size, 50);
});

test('Whisper tokens: malformed files are ModelLoadErrors, a missing file is MODEL_MISSING', () => {
  for (const bad of ['abc\n', 'IA== x\n', '!!!! 1\n', 'IA== 1\nIA== 1\n', '', 'IHRoZQ 3\n']) {
    assert.throws(() => TokenTable.parse(bad, 'bad.txt'), isLoadError, JSON.stringify(bad));
  }
  assert.throws(() => TokenTable.load('/nonexistent/tokens.txt'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING');
});

test('Moonshine tokens: piece layout (▁, <0xNN>, control pieces) and base64 layout', () => {
  // byte pieces only where sherpa-onnx maps them: <0xNN> at id NN + 3
  const p = MoonshineTokens.parse('<unk> 0\n<s> 1\n</s> 2\n\u2581hello 3\n\u2581w 4\norld 5\n<0x21> 36\n', 'p', 'piece');
  assert.equal(p.layout, 'piece');
  assert.equal(p.decode([1, 3, 4, 5, 36, 2]), 'hello world!');
  const b = MoonshineTokens.parse(`${Buffer.from(' hi').toString('base64')} 0\n${Buffer.from(' there').toString('base64')} 1\n`, 'b', 'base64');
  assert.equal(b.layout, 'base64');
  assert.equal(b.decode([0, 1]), 'hi there');
  for (const bad of ['', 'x\n', 'a 1\nb 1\n', 'tok notanumber\n']) assert.throws(() => MoonshineTokens.parse(bad, 'bad', 'piece'), isLoadError, JSON.stringify(bad));
});

test('Whisper metadata: required keys, integer checks, language lists', () => {
  const base = readOnnxMetadata(join(WHISPER, 'tiny-encoder.onnx'));
  const m = parseWhisperMeta(base, 'f');
  assert.equal(m.isMultilingual, true);
  assert.deepEqual([...m.languages.keys()], ['en', 'de']);
  assert.equal(m.sotSequence.length, 3);
  const english = parseWhisperMeta({ ...base, is_multilingual: '0', sot_sequence: base.sot!, all_language_tokens: '', all_language_codes: '' }, 'f');
  assert.equal(english.languages.size, 0);
  const broken: Array<Record<string, string>> = [
    { ...base, n_text_layer: 'two' },
    Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'eot')),
    { ...base, all_language_codes: 'en' },
    { ...base, sot_sequence: '1,x' },
    { ...base, n_mels: '64' },
    { ...base, sot_sequence: '50' },
  ];
  for (const b of broken) assert.throws(() => parseWhisperMeta(b, 'f'), isLoadError);
});
