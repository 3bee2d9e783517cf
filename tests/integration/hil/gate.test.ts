/**
 * The HIL suite's own guard rails, run on a machine without the hardware (CI): in the real
 * profile every check is reported as skipped (not passed), each with its reason, and the run
 * fails because nothing was exercised — unless PARLEY_HIL_ALLOW_SKIP=1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listCaptureCards } from '../../hil/lib/audio.js';

const SUITE = join('tests', 'hil', 'hil.test.ts');

function runReal(extra: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const empty = mkdtempSync(join(tmpdir(), 'parley-hil-nosys-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_HIL_PROFILE: 'real', PARLEY_HIL_SYSFS: empty, PARLEY_HIL_SERIAL: '', PARLEY_HIL_SPEAKER: '', PATH: process.env.PATH, ...extra };
    delete env.PARLEY_HIL_ALLOW_SKIP;
    delete env.NODE_TEST_CONTEXT; // else the child test runner reports to us instead of exiting with its status
    Object.assign(env, extra);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', SUITE], { env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

test('real profile without hardware: all checks skipped with reasons, and the run fails', (t) => {
  if (listCaptureCards().cards.length > 0) return t.skip('this machine has an ALSA capture card: the no-hardware path cannot be shown here');
  const r = runReal({});
  assert.notEqual(r.status, 0, 'a run that skipped everything must fail');
  assert.match(r.out, /# skipped 8\b/);
  assert.match(r.out, /# pass 0\b/);
  assert.match(r.out, /every HIL check was skipped/);
  assert.match(r.out, /HIL SKIP microphone level.*no ALSA capture card/);
  assert.match(r.out, /HIL SKIP the board connects and says HELLO: PARLEY_HIL_SERIAL is not set/);
  assert.match(r.out, /HIL SKIP thermal zones.*no thermal zones under/);
});

test('real profile without hardware and PARLEY_HIL_ALLOW_SKIP=1: exits 0, everything reported as skipped', (t) => {
  if (listCaptureCards().cards.length > 0) return t.skip('this machine has an ALSA capture card: the no-hardware path cannot be shown here');
  const r = runReal({ PARLEY_HIL_ALLOW_SKIP: '1' });
  assert.equal(r.status, 0, r.out.slice(-2000));
  assert.match(r.out, /# skipped 9\b/);
  assert.match(r.out, /# pass 0\b/);
});
