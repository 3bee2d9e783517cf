import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClockGuard, type GuardClock } from '../../../src/jobs/clock-guard.js';
import { runRetention } from '../../../src/jobs/retention.js';
import { DiskBudget } from '../../../src/storage/disk-budget.js';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const T0 = Date.UTC(2026, 5, 1);

function fakeGuardClock(): GuardClock & { wall: number; mono: number; boot: string } {
  const c = { wall: T0, mono: 1000, boot: 'boot-a', wallMs: () => c.wall, bootMonoMs: () => c.mono, bootId: () => c.boot };
  return c;
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'parley-guard-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('+1 year wall jump within a boot: the trusted clock moves by monotonic time only', () => withDir((dir) => {
  const c = fakeGuardClock();
  const g = new ClockGuard({ stateFile: join(dir, 'clock.json'), maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false });
  assert.equal(g.observe().trustedMs, T0);
  c.wall += YEAR + 60_000;
  c.mono += 60_000;
  const o = g.observe();
  assert.equal(o.trustedMs, T0 + 60_000);
  assert.ok(Math.abs(o.jumpMs - YEAR) < 1000);
  assert.equal(g.cutoffMs(30 * DAY), T0 + 60_000 - 30 * DAY, 'data from before the jump is judged by trusted time');
  assert.equal(g.sanitizedWallMs(), c.wall);
}));

test('across boots: wall advance is trusted up to maxJumpS; a boot in 1970 does not move it back', () => withDir((dir) => {
  const c = fakeGuardClock();
  const file = join(dir, 'clock.json');
  new ClockGuard({ stateFile: file, maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false }).observe();
  c.boot = 'boot-b';
  c.mono = 5000;
  c.wall = T0 + DAY; // off for a day: trusted
  let g = new ClockGuard({ stateFile: file, maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false });
  assert.equal(g.observe().trustedMs, T0 + DAY);
  c.boot = 'boot-c';
  c.mono = 5000;
  c.wall = T0 + DAY + YEAR; // RTC says a year later: only 2 days trusted
  g = new ClockGuard({ stateFile: file, maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false });
  assert.equal(g.observe().trustedMs, T0 + 3 * DAY);
  c.boot = 'boot-d';
  c.mono = 5000;
  c.wall = 0; // 1970
  g = new ClockGuard({ stateFile: file, maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false });
  assert.equal(g.observe().trustedMs, T0 + 3 * DAY);
  assert.equal(g.sanitizedWallMs(), T0 + 3 * DAY, 'records made in "1970" are stamped after the last known time');
  assert.equal(g.cutoffMs(DAY), 0 - DAY, 'nothing is older than a day before 1970');
}));

test('a synchronized wall clock may pull the trusted clock forward; corrupt state starts fresh', () => withDir((dir) => {
  const c = fakeGuardClock();
  const file = join(dir, 'clock.json');
  let synced = false;
  const g = new ClockGuard({ stateFile: file, maxJumpS: 86400, clock: c, wallIsSynced: () => synced });
  g.observe();
  c.wall += 10 * DAY;
  c.mono += 1000;
  assert.equal(g.observe().trustedMs, T0 + 1000);
  synced = true;
  assert.equal(g.observe().trustedMs, T0 + 10 * DAY);
  writeFileSync(file, '{not json');
  rmSync(`${file}.bak`, { force: true });
  assert.equal(new ClockGuard({ stateFile: file, maxJumpS: 86400, clock: c, wallIsSynced: () => false }).observe().jumpMs, 0);
}));

test('retention after a +1 year jump deletes only what was already old; the backlog is never touched', () => withDir((dir) => {
  const c = fakeGuardClock();
  const audio = join(dir, 'audio');
  const backlog = join(audio, 'backlog');
  mkdirSync(backlog, { recursive: true });
  const file = (name: string, ageDays: number) => {
    const p = join(name.startsWith('backlog/') ? audio : audio, name);
    writeFileSync(p, 'x');
    const t = (T0 - ageDays * DAY) / 1000;
    utimesSync(p, t, t);
    return p;
  };
  file('old.wav', 40);
  file('recent.wav', 2);
  file('backlog/old-pending.wav', 90);
  const rows = [{ created: T0 - 400 * DAY }, { created: T0 - 10 * DAY }, { created: T0 - DAY }];
  const store = { deleteTranscriptsOlderThan: (cut: number) => { const before = rows.length; for (let i = rows.length - 1; i >= 0; i--) if ((rows[i] as { created: number }).created < cut) rows.splice(i, 1); return before - rows.length; } };
  const guard = new ClockGuard({ stateFile: join(dir, 'clock.json'), maxJumpS: 2 * 86400, clock: c, wallIsSynced: () => false });
  guard.observe();
  c.wall += YEAR; // the jump
  c.mono += 3600_000;
  const disk = new DiskBudget({ dataDir: dir, audioDir: audio, protectDirs: [backlog], reserveMb: 1, resumeMarginMb: 1, retentionTargetMb: 1 });
  const r = runRetention({ guard, disk, store, audioDir: audio, protectDirs: [backlog], audioRetentionDays: 30, transcriptRetentionDays: 365, });
  assert.equal(r.agedAudioFiles, 1, 'only the 40-day-old audio');
  assert.equal(existsSync(join(audio, 'recent.wav')), true);
  assert.equal(existsSync(join(backlog, 'old-pending.wav')), true);
  assert.equal(r.agedTranscripts, 1, 'only the 400-day-old transcript');
  assert.equal(rows.length, 2);
}));
