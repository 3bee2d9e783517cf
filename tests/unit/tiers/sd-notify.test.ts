import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SdNotifier } from '../../../src/platform/sd-notify.js';
import { Health } from '../../../src/supervisor/health.js';
import { FakeClock } from '../../../src/platform/clock.js';
import { startNotifyListener } from '../../helpers/tiers-notify-listener.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const kind of ['path', 'abstract'] as const) {
  test(`SdNotifier sends READY/STATUS/WATCHDOG/STOPPING to a ${kind} notify socket`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-notify-'));
    const addr = kind === 'path' ? join(dir, 'notify.sock') : `@parley-test-${process.pid}-${Date.now()}`;
    const l = await startNotifyListener(addr);
    try {
      const n = new SdNotifier({ env: { NOTIFY_SOCKET: addr, WATCHDOG_USEC: '2000000' } });
      assert.equal(n.enabled, true);
      assert.equal(n.watchdogIntervalMs(), 1000);
      n.ready('db, models\nand capture up');
      n.watchdog();
      n.status('tier minimal');
      n.stopping();
      await n.close();
      await until(() => l.messages.length === 4);
      assert.deepEqual(l.messages.map((m) => m.text), ['READY=1\nSTATUS=db, models and capture up', 'WATCHDOG=1', 'STATUS=tier minimal', 'STOPPING=1']);
    } finally {
      l.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('SdNotifier is a no-op without NOTIFY_SOCKET; WATCHDOG_PID for another process disarms the watchdog', () => {
  const n = new SdNotifier({ env: {} });
  assert.equal(n.enabled, false);
  assert.equal(n.watchdogIntervalMs(), undefined);
  assert.doesNotThrow(() => { n.ready(); n.watchdog(); n.stopping(); });
  assert.equal(new SdNotifier({ env: { WATCHDOG_USEC: '2000000', WATCHDOG_PID: '1' } }).watchdogIntervalMs(), undefined);
  assert.equal(new SdNotifier({ env: { WATCHDOG_USEC: 'soon' } }).watchdogIntervalMs(), undefined);
});

test('Health pings only while every component progresses or is idle', () => {
  const clock = new FakeClock(0, 0);
  const h = new Health(clock);
  let inferenceIdle = true;
  h.watch('capture', 1000);
  h.watch('inference', 5000, () => inferenceIdle);
  let pings = 0;
  const sink = { watchdog: () => pings++ };
  assert.equal(h.tick(sink), false, 'capture never beat yet');
  h.beat('capture');
  assert.equal(h.tick(sink), true);
  clock.advance(900);
  assert.equal(h.tick(sink), true);
  clock.advance(200);
  assert.equal(h.tick(sink), false, 'capture silent 1100 ms');
  h.beat('capture');
  inferenceIdle = false; // a request is outstanding and inference never answered
  assert.equal(h.tick(sink), false);
  h.beat('inference');
  assert.equal(h.tick(sink), true);
  clock.advance(800);
  h.beat('capture');
  assert.equal(h.tick(sink), true);
  assert.equal(pings, 4);
  h.unwatch('inference');
  assert.deepEqual(h.components().map((c) => c.name), ['capture']);
});

test('a missing python3 is logged as an error, never thrown into the watchdog path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-notify-'));
  const lines: string[] = [];
  const log = { error: (_o: unknown, msg: string) => lines.push(msg), warn: (_o: unknown, msg: string) => lines.push(msg) };
  try {
    const n = new SdNotifier({ env: { NOTIFY_SOCKET: join(dir, 'n.sock') }, python: '/nonexistent/python3', log: log as never });
    await until(() => lines.includes('sdnotify.relay_failed'));
    await new Promise((r) => setTimeout(r, 50));
    assert.doesNotThrow(() => { n.watchdog(); n.watchdog(); });
    assert.equal(lines.filter((l) => l === 'sdnotify.relay_dead').length, 1, 'logged once');
    await n.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
