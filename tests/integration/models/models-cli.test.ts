import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

function setup(): { env: NodeJS.ProcessEnv; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'parley-models-cli-'));
  copyFileSync(join(ROOT, 'models/manifest.json'), join(root, 'manifest.json'));
  const env = { ...process.env, PARLEY_MODELS_DIR: join(root, 'models'), PARLEY_MODELS_MANIFEST: join(root, 'manifest.json') };
  return { env, dir: join(root, 'models') };
}

function parley(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 200_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('models fetch / verify / list round trip on a fresh models dir, corruption detected', { timeout: 300_000 }, () => {
  const { env, dir } = setup();
  let r = parley(['models', 'verify'], env);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^MISSING\s+silero-vad-v6\.2: silero-vad-v6\.2\/silero_vad\.onnx/m);

  r = parley(['models', 'fetch', 'silero-vad-v5'], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^fetched\s+silero-vad-v5: silero-vad-v5\/silero_vad_v5\.onnx \(from npm /m);
  assert.match(r.err, /fetching from npm/);

  r = parley(['models', 'verify', 'silero-vad-v5'], env);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^ok\s+silero-vad-v5/m);

  r = parley(['models', 'list', '--json'], env);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const v5 = rows.find((x) => x.name === 'silero-vad-v5');
  assert.deepEqual([v5.role, v5.family, v5.precision, v5.sizeBytes, v5.state], ['vad', 'silero-vad', 'fp32', 2327524, 'verified']);
  assert.equal(rows.find((x) => x.name === 'silero-vad-v6.2').state, 'missing');
  r = parley(['models', 'list'], env);
  assert.match(r.out, /^NAME\s+ROLE\s+FAMILY\s+PRECISION\s+SIZE\s+STATE/m);
  assert.match(r.out, /^silero-vad-v5 \*\s+vad\s+silero-vad\s+fp32\s+2\.3 MB\s+verified/m);

  writeFileSync(join(dir, 'silero-vad-v5/silero_vad_v5.onnx'), 'junk');
  r = parley(['models', 'verify', 'silero-vad-v5'], env);
  assert.equal(r.code, 1);
  assert.match(r.out, /^CORRUPT\s+silero-vad-v5: .*size is 4 bytes, expected 2327524/m);

  r = parley(['models', 'fetch', 'silero-vad-v5'], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /fetching it again/);
});

test('fetching an internet-only bundle here fails with one clear line listing each source', { timeout: 120_000 }, () => {
  const { env } = setup();
  const r = parley(['models', 'fetch', 'pyannote-segmentation-3.0-int8'], { ...env, PARLEY_MODELS_DOWNLOAD_TIMEOUT_MS: '5000' });
  assert.equal(r.code, 1);
  const last = r.err.trim().split('\n').pop() ?? '';
  assert.match(last, /^parley: could not fetch sherpa-onnx-pyannote-segmentation-3-0\/model\.int8\.onnx .* from any of 2 source\(s\): \[1\] https:\/\/github\.com\/k2-fsa.*\[2\] https:\/\/huggingface\.co/);
  assert.match(last, /connected device/);
  // A bundle without published hashes is refused before any network access, unless trusted on first use.
  const t = parley(['models', 'fetch', 'sherpa-onnx-moonshine-tiny-en-int8'], env);
  assert.equal(t.code, 1);
  assert.match(t.err, /refusing to download sherpa-onnx-moonshine-tiny-en-int8\/preprocess\.onnx .*no published sha256/);
  assert.match(t.err, /--trust-on-first-use/);
  const tofu = parley(['models', 'fetch', 'sherpa-onnx-moonshine-tiny-en-int8', '--trust-on-first-use'], { ...env, PARLEY_MODELS_DOWNLOAD_TIMEOUT_MS: '5000' });
  assert.equal(tofu.code, 1, 'offline here: the trusted fetch gets past the refusal and fails on the network');
  assert.match(tofu.err, /could not fetch sherpa-onnx-moonshine-tiny-en-int8\/preprocess\.onnx/);
  const list = parley(['models', 'list'], env);
  assert.match(list.out, /^NAME\s+ROLE\s+FAMILY\s+PRECISION\s+SIZE\s+STATE\s+TRUST/m);
  assert.match(list.out, /^sherpa-onnx-moonshine-tiny-en-int8\s.*missing\s+none$/m);
  assert.match(list.out, /^sherpa-onnx-nemo-parakeet-tdt-0\.6b-v2-int8\s.*manifest\+none$/m);
  const u = parley(['models', 'fetch', 'no-such-bundle'], env);
  assert.equal(u.code, 2);
  assert.match(u.err, /no model bundle named no-such-bundle/);
});

test('scripts/models-fetch.mjs fetches the defaults with progress and is idempotent', { timeout: 300_000 }, () => {
  assert.ok(existsSync(join(ROOT, 'dist/models/fetch.js')), 'dist/ is missing: run `npm run build` before the integration tests');
  const { env } = setup();
  const run = () => spawnSync(process.execPath, [join(ROOT, 'scripts/models-fetch.mjs')], { cwd: ROOT, env, encoding: 'utf8', timeout: 250_000 });
  let r = run();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\[models\] silero-vad-v6\.2/);
  assert.match(r.stderr, /\[models\] done: 2 file\(s\) fetched, 2 bundle\(s\) verified/);
  r = run();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /present and verified/);
  assert.match(r.stderr, /\[models\] done: 0 file\(s\) fetched/);
  const h = spawnSync(process.execPath, [join(ROOT, 'scripts/models-fetch.mjs'), '--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /^usage: npm run models:fetch/);
});
