/** T13: WATCHDOG=1 is gated on real progress; pings stop within 2 s of a stall and resume after it; STOPPING=1 on SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startNotifyListener } from '../helpers/tiers-notify-listener.js';

const CHILD = fileURLToPath(new URL('../helpers/tiers-notify-child.ts', import.meta.url));

test('watchdog pings follow pipeline progress (fake notify socket, WATCHDOG_USEC=2000000)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wd-'));
  const sock = join(dir, 'notify.sock');
  const l = await startNotifyListener(sock);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '2000000', STALL_AT_MS: '3000', RESUME_AT_MS: '6500' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const marks: Record<string, number> = {};
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n')) {
        const [k, v] = line.split(' ');
        if (k && v) marks[k] = Number(v);
      }
    });
    await new Promise((r) => setTimeout(r, 9500));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.equal(code, 0, 'clean exit after SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const msgs = l.messages;
    assert.match(msgs[0]?.text ?? '', /^READY=1/);
    assert.match(msgs.at(-1)?.text ?? '', /^STOPPING=1/);
    const stall = marks.STALL;
    const resume = marks.RESUME;
    assert.ok(stall && resume, 'child reported its stall window');
    const pings = msgs.filter((m) => m.text === 'WATCHDOG=1').map((m) => m.atMs);
    const before = pings.filter((t) => t < stall);
    assert.ok(before.length >= 2, `pinged ${before.length}x while healthy`);
    for (let i = 1; i < before.length; i++) assert.ok((before[i] as number) - (before[i - 1] as number) <= 1500, 'pings every ~1 s while healthy');
    const lastBefore = Math.max(...pings.filter((t) => t < resume));
    assert.ok(lastBefore - stall <= 2000, `last ping ${lastBefore - stall} ms after the stall (must be ≤ 2000)`);
    const during = pings.filter((t) => t > stall + 2000 && t < resume);
    assert.deepEqual(during, [], 'no pings while stalled');
    assert.ok(pings.some((t) => t > resume && t <= resume + 1500), 'pings resume within ~1 s of progress returning');
  } finally {
    child.kill('SIGKILL');
    l.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
