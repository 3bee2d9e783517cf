/**
 * Acceptance (issue 7): keygen → bundle → install switches the active VAD model (shown
 * by `parley models status`), rollback returns to the previous one; a bundle with one
 * flipped model byte, or signed by an unknown key, is refused with a non-zero exit, a
 * one-line reason, and the active model unchanged. Real CLI processes, real Silero files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { GOLDEN_WAV } from '../../helpers/ota-bundles.js';
import { sileroFiles } from '../../helpers/ota-silero.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ota-cli-'));
const cfgFile = join(work, 'config.yaml');

function parley(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The pointer file itself (cheaper than a CLI process for the intermediate checks). */
function activeVersion(): string {
  return (JSON.parse(readFileSync(join(work, 'data', 'models', 'active.json'), 'utf8')) as { roles: { vad: { version: string } } }).roles.vad.version;
}
function status(): { active: { vad: { version: string; sha256: string } }; model_paths: { vad: string } } {
  const r = parley('models', 'status', '--config', cfgFile, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(() => {
  const f = sileroFiles();
  for (const [v, src] of [['v5', f.v5], ['v6', f.v6]] as const) {
    mkdirSync(join(work, v));
    copyFileSync(src, join(work, v, 'silero_vad.onnx'));
    copyFileSync(GOLDEN_WAV, join(work, v, 'golden-jfk.wav'));
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

test('keygen → bundle → install → status → rollback, and refusals leave the active model alone', () => {
  const kg = parley('models', 'keygen', '--out', join(work, 'keys'));
  assert.equal(kg.code, 0, kg.stderr);
  assert.match(kg.stdout, /trusted_keys:\n {4}- key_id: [0-9a-f]{16}\n {6}public_key: \S{44}\n/);
  writeFileSync(cfgFile, `${kg.stdout.replace(/^#.*\n/, '')}  data_dir: ${join(work, 'data')}\n  probation_minutes: 0\n`);
  const key = join(work, 'keys', 'ota-signing.key');
  for (const [v, ver] of [['v5', '5.0.0'], ['v6', '6.2.0']]) {
    const b = parley('models', 'bundle', join(work, v), '--key', key, '--out', join(work, `${v}.bundle`), '--version', ver, '--name', `silero-vad-${v}`);
    assert.equal(b.code, 0, b.stderr);
  }
  const i5 = parley('models', 'install', join(work, 'v5.bundle'), '--config', cfgFile);
  assert.equal(i5.code, 0, i5.stderr);
  assert.equal(activeVersion(), '5.0.0');

  const i6 = parley('models', 'install', join(work, 'v6.bundle'), '--config', cfgFile);
  assert.equal(i6.code, 0, i6.stderr);
  const human = parley('models', 'status', '--config', cfgFile);
  assert.match(human.stdout, /active vad: silero-vad-v6 6\.2\.0 .*slot b/);
  assert.match(human.stdout, /previous vad: silero-vad-v5 5\.0\.0/);
  assert.match(human.stdout, /sha256 1a153a22f450/);

  const rb = parley('models', 'rollback', '--config', cfgFile);
  assert.equal(rb.code, 0, rb.stderr);
  const afterRollback = status();
  assert.equal(afterRollback.active.vad.version, '5.0.0');

  // One flipped byte inside the v6.2 model file of a copied bundle: refused, exit 16.
  const flipped = readFileSync(join(work, 'v6.bundle'));
  const at = flipped.length - 1024 - 512 - 1_000_000;
  flipped[at] ^= 0x01;
  writeFileSync(join(work, 'flipped.bundle'), flipped);
  const before = afterRollback.model_paths.vad;
  const f = parley('models', 'install', join(work, 'flipped.bundle'), '--config', cfgFile, '--force');
  assert.equal(f.code, 16, f.stderr);
  const lines = f.stderr.trim().split('\n').filter((l) => l.startsWith('parley:'));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^parley: rejected: hash_mismatch: silero_vad\.onnx has sha256 /);
  assert.equal(activeVersion(), '5.0.0');
  assert.equal(readFileSync(before).length, 2327524);

  // Signed by a key the device does not trust: refused, exit 11.
  assert.equal(parley('models', 'keygen', '--out', join(work, 'other')).code, 0);
  const o = parley('models', 'bundle', join(work, 'v6'), '--key', join(work, 'other', 'ota-signing.key'), '--out', join(work, 'other.bundle'), '--version', '7.0.0');
  assert.equal(o.code, 0, o.stderr);
  const u = parley('models', 'install', join(work, 'other.bundle'), '--config', cfgFile);
  assert.equal(u.code, 11, u.stderr);
  assert.match(u.stderr.trim().split('\n').pop()!, /^parley: rejected: unknown_key: key [0-9a-f]{16} is not in ota\.trusted_keys \(add the key/);
  const final = status();
  assert.equal(final.active.vad.version, '5.0.0');
  assert.equal(final.model_paths.vad, before);

  const usage = parley('models', 'install', '--config', cfgFile);
  assert.equal(usage.code, 2);
});
