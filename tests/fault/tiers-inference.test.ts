/**
 * T22 through the tier/health layer: a real forked inference child (test echo engine with
 * PARLEY_TEST_FAULTS=1) hangs, then crashes until the restart budget is spent. Health stops
 * the watchdog pings while a request hangs; a degraded child forces tier minimal (ASR deferred,
 * audio spooled) instead of a crash loop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config/load.js';
import { WorkerHost } from '../../src/inference/worker-host.js';
import { emptyReadings } from '../../src/monitor/readings.js';
import { Health } from '../../src/supervisor/health.js';
import { TierController } from '../../src/supervisor/tiers.js';
import { silentLogger } from '../../src/util/logger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('hung inference stops watchdog pings; a degraded child drives the tier to minimal and back', async () => {
  const host = new WorkerHost({ requestTimeoutMs: 3000, loadTimeoutMs: 20000, maxRestarts: 2, restartWindowMs: 60000, threads: 1, logger: silentLogger().root, env: { PARLEY_TEST_FAULTS: '1' } });
  const health = new Health();
  health.watch('inference', 1500, () => host.health().pending === 0);
  const call = async (m: string, args: unknown[] = []) => {
    const r = await host.call('e', m, args);
    health.beat('inference');
    return r;
  };
  let pings = 0;
  const sink = { watchdog: () => pings++ };
  await host.start();
  try {
    await host.load('e', { kind: 'test.echo', options: {} });
    assert.equal(await call('echo', [1]), 1);
    assert.equal(health.tick(sink), true);
    const hung = call('hang').catch((e: Error & { code?: string }) => e.code);
    await sleep(1800);
    assert.equal(health.tick(sink), false, 'no ping while a request hangs past maxSilenceMs');
    assert.equal(await hung, 'INFERENCE_TIMEOUT');
    await new Promise((r) => host.once('restarted', r));
    assert.equal(health.tick(sink), true, 'idle again after the restart: pings resume');
    assert.equal(await call('echo', [2]), 2);

    // Crash until the restart budget is exhausted.
    const degraded = new Promise<void>((r) => host.once('degraded', () => r()));
    for (let i = 0; i < 4 && host.state !== 'degraded'; i++) {
      await call('crash').catch(() => undefined);
      await Promise.race([new Promise((r) => host.once('restarted', r)), degraded, sleep(10_000)]);
    }
    await degraded;
    assert.equal(host.state, 'degraded');
    const tiers = new TierController(defaultConfig().tiers);
    const r = { ...emptyReadings(), inferenceDegraded: host.state === 'degraded' };
    let to: string | undefined;
    for (let s = 0; s <= 6; s++) to = tiers.update(r, s * 1000)?.to ?? to;
    assert.equal(to, 'minimal');
    assert.equal(tiers.actions().asr, 'deferred', 'ASR deferred: speech goes to the backlog');
    assert.match(tiers.snapshot().lastReason, /inference degraded/);
    for (let s = 7; s <= 100; s++) tiers.update({ ...emptyReadings(), inferenceDegraded: false }, s * 1000);
    assert.equal(tiers.current(), 'normal', 'recovers once inference is healthy again');
  } finally {
    await host.stop();
  }
});
