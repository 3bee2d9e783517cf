/**
 * Moonshine tokens.txt in the formats sherpa-onnx's exporters write (item 1 of issue 16):
 * v1 `scripts/moonshine/export-onnx.py` writes `token.strip() + TAB + id`, so whitespace-only
 * tokens become id-only lines (`\t8655`) that sherpa-onnx reads as " "; v2
 * `scripts/moonshine/v2/generate_tokens.py` writes `base64(bytes) id`, an empty token as ` 0`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MoonshineTokens } from '../../../src/asr/moonshine-tokens.js';
import { AppError } from '../../../src/util/errors.js';
import { REPO_ROOT } from '../../helpers/asr-eval.js';

const V1 = ['<unk>\t0', '<s>\t1', '</s>\t2', '<0x0A>\t13', '<0x41>\t68', '\u2581the\t278', 's\t29879', '\t8655', '\t17891', '\u2581ni\u00f1o\t30000', ''].join('\n');

test('v1 piece tokens: id-only lines (tokens that strip to nothing) load as a space, like sherpa-onnx', () => {
  const t = MoonshineTokens.parse(V1, 'tokens.txt', 'piece');
  assert.equal(t.layout, 'piece');
  assert.equal(t.size, 7); // <unk>, <s>, </s> decode to nothing
  assert.equal(t.decode([278, 29879, 8655, 30000]), 'thes niño');
  assert.equal(t.decode([68, 13, 278]), 'A the'); // byte pieces: 0x41 'A', 0x0A newline (whitespace collapsed)
  assert.equal(t.decode([0, 1, 2, 278]), 'the');
});

test('v1 piece tokens: a CRLF file and trailing blanks are accepted; malformed lines name the line', () => {
  assert.equal(MoonshineTokens.parse(V1.replace(/\n/g, '\r\n'), 't', 'piece').decode([278]), 'the');
  for (const bad of ['a b 3', 'x\ty', '\u2581the']) {
    assert.throws(() => MoonshineTokens.parse(`<unk>\t0\n${bad}\n`, 'tokens.txt', 'piece'),
      (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD' && /line 2/.test(e.message), bad);
  }
  assert.throws(() => MoonshineTokens.parse('a\t1\nb\t1\n', 't', 'piece'), /duplicate token id 1/);
});

test('v2 base64 tokens: an empty token (id-only line) decodes to nothing; ▁ becomes a space', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const text = [` 0`, `${b64('<s>')} 1`, `${b64('</s>')} 2`, `${b64('\u2581hello')} 3`, `${b64('\u2581w\u00f6rld')} 4`, `${b64('.')} 5`].join('\n');
  const t = MoonshineTokens.parse(text, 'tokens.txt', 'base64');
  assert.equal(t.decode([0, 3, 4, 5]), 'hello wörld.');
  assert.throws(() => MoonshineTokens.parse('not-base64! 3\n', 'tokens.txt', 'base64'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
});

test('the committed fixtures are written the way the exporters write them', () => {
  const dir = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'moonshine');
  const v1 = readFileSync(join(dir, 'tokens.txt'), 'utf8').split('\n').filter((l) => l !== '');
  assert.ok(v1.every((l) => /^[^\t]*\t\d+$/.test(l)), 'v1: "<piece>\\t<id>"');
  assert.ok(v1.some((l) => /^\t\d+$/.test(l)), 'v1 fixture has tokens that strip to nothing');
  const v2 = readFileSync(join(dir, 'v2', 'tokens.txt'), 'utf8').split('\n').filter((l) => l !== '');
  assert.ok(v2.every((l) => /^[A-Za-z0-9+/=]* \d+$/.test(l)), 'v2: "<base64> <id>"');
  assert.ok(v2.some((l) => /^ \d+$/.test(l)), 'v2 fixture has an empty token');
});
