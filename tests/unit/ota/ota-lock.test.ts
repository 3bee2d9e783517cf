import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireLock } from '../../../src/ota/ota-lock.js';
import { OtaPaths } from '../../../src/ota/ota-state.js';

const dir = mkdtempSync(join(tmpdir(), 'ota-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a live holder blocks, a dead holder is taken over, release removes the lock', () => {
  const p = new OtaPaths(dir);
  mkdirSync(p.otaDir, { recursive: true });
  const lock = join(p.otaDir, 'lock');
  writeFileSync(lock, String(process.ppid));
  assert.throws(() => acquireLock(p), /another OTA operation \(pid \d+\) is running/);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, dead.stdout);
  const release = acquireLock(p);
  assert.ok(existsSync(lock));
  release();
  assert.equal(existsSync(lock), false);
  writeFileSync(lock, 'garbage');
  acquireLock(p)();
});
