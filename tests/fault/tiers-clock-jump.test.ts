/** T20: clock jumps under libfaketime (FAKETIME_TIMESTAMP_FILE rewritten mid-run, DONT_FAKE_MONOTONIC=1). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const CHILD = fileURLToPath(new URL('../helpers/tiers-clock-child.ts', import.meta.url));
interface Ev { ev: string; wall: number; mono: number; rssMb: number; [k: string]: unknown }

async function runWithJump(offset: string): Promise<Ev[]> {
  if (!existsSync(LIB)) throw new Error(`${LIB} missing: apt-get install faketime`);
  const dir = mkdtempSync(join(tmpdir(), 'parley-clock-'));
  const tsFile = join(dir, 'faketime');
  writeFileSync(tsFile, '+0\n');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, LD_PRELOAD: LIB, FAKETIME_TIMESTAMP_FILE: tsFile, FAKETIME_NO_CACHE: '1', DONT_FAKE_MONOTONIC: '1', STATE_DIR: dir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const evs: Ev[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('{')) evs.push(JSON.parse(line) as Ev);
    }
  });
  try {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const deadline = Date.now() + 20_000;
    while (!evs.some((e) => e.ev === 'started') && Date.now() < deadline) await sleep(50);
    await sleep(4500);
    writeFileSync(tsFile, `${offset}\n`);
    await sleep(6500);
    child.stdin.write('retention\n');
    await sleep(800);
    child.stdin.write('exit\n');
    await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
    return evs;
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('+1 year jump: missed slots reported once (no enumeration), jobs keep running, retention keeps recent data', async () => {
  const evs = await runWithJump('+365d');
  const runs = evs.filter((e) => e.ev === 'run');
  const started = evs.find((e) => e.ev === 'started') as Ev;
  const jumpAt = runs.findIndex((e) => e.wall - started.wall > 300 * 86_400_000);
  assert.ok(jumpAt > 0, 'runs before and after the jump');
  assert.ok(runs.length - jumpAt >= 2, 'the 2-second job keeps running after the jump');
  const missed = evs.filter((e) => e.ev === 'missed' && e.name === 'tick');
  assert.equal(missed.length, 1, 'reported once');
  assert.ok((missed[0]?.missed as number) > 15_000_000, `about a year of 2 s slots (${String(missed[0]?.missed)})`);
  assert.ok(evs.some((e) => e.ev === 'jump' && (e.jumpMs as number) > 300 * 86_400_000));
  assert.equal(new Set(runs.map((r) => r.slot)).size, runs.length, 'no slot ran twice');
  assert.ok(Math.max(...evs.map((e) => e.rssMb)) < 300, 'no memory blow-up (node-cron enumerates the missed slots)');
  const ret = evs.find((e) => e.ev === 'retention');
  assert.deepEqual(ret?.left, ['today.wav', 'week.wav'], 'only the 40-day-old file went; nothing was purged by the jump');
});

test('-1 hour jump: no slot runs twice and the job resumes', async () => {
  const evs = await runWithJump('-1h');
  const runs = evs.filter((e) => e.ev === 'run');
  assert.equal(new Set(runs.map((r) => r.slot)).size, runs.length, 'no slot ran twice');
  const after = runs.filter((r) => (evs.find((e) => e.ev === 'started') as Ev).wall - r.wall > 3000_000);
  assert.ok(after.length >= 2, 'the job resumed on the new (earlier) timeline');
  const ret = evs.find((e) => e.ev === 'retention');
  assert.deepEqual(ret?.left, ['today.wav', 'week.wav']);
});
