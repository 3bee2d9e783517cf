/**
 * T23 real pressure: a bounded `stress-ng --vm 1 --vm-bytes 30% --timeout 20s` run observed
 * by the real monitor (systeminformation on the live /proc). Thresholds are set relative to
 * the measured baseline so the test means the same on any machine size.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { SystemMetricsSource } from '../../../src/monitor/metrics-source.js';
import { TierController, type TierChange } from '../../../src/supervisor/tiers.js';

test('stress-ng memory pressure moves the tier to reduced and back', async () => {
  if (spawnSync('stress-ng', ['--version']).status !== 0) throw new Error('stress-ng is required (apt-get install stress-ng)');
  const base = defaultConfig({ monitor: { sysfs_root: '/nonexistent', use_vcgencmd: false } });
  const src = new SystemMetricsSource(base);
  const first = await src.readAll();
  const pct0 = first.memAvailablePct;
  assert.ok(pct0 !== null && pct0 > 40, `need ≥ 40 % memory available to run this test (have ${String(pct0)})`);
  const enter = pct0 - 12;
  const cfg = defaultConfig({
    monitor: { sysfs_root: '/nonexistent', use_vcgencmd: false },
    tiers: {
      enter_confirm_s: 1, exit_confirm_s: 1, dwell_s: 2,
      memory_available_pct: { reduced: { enter, exit: enter + 5 }, minimal: { enter: 1, exit: 2 }, paused: { enter: 0.5, exit: 1 } },
      memory_available_mb: { reduced: { enter: 1, exit: 2 }, minimal: { enter: 1, exit: 2 }, paused: { enter: 0.5, exit: 1 } },
    },
  });
  const tiers = new TierController(cfg.tiers, performance.now());
  const changes: TierChange[] = [];
  let minPct = pct0;
  const stress = spawn('stress-ng', ['--vm', '1', '--vm-bytes', '30%', '--vm-keep', '--timeout', '20s', '--quiet'], { stdio: 'ignore' });
  const done = new Promise<void>((r) => stress.once('exit', () => r()));
  try {
    const end = Date.now() + 45_000;
    let exited = false;
    void done.then(() => { exited = true; });
    while (Date.now() < end) {
      const r = await new SystemMetricsSource(cfg).readAll();
      minPct = Math.min(minPct, r.memAvailablePct ?? 100);
      const ch = tiers.update(r, performance.now());
      if (ch) changes.push(ch);
      if (exited && tiers.current() === 'normal' && changes.length >= 2) break;
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    stress.kill('SIGKILL');
    await done;
  }
  assert.ok(minPct < enter, `memory available fell to ${minPct.toFixed(1)} % (baseline ${pct0.toFixed(1)} %)`);
  assert.deepEqual(changes.map((c) => `${c.from}->${c.to}`), ['normal->reduced', 'reduced->normal']);
  assert.match(changes[0]?.reason ?? '', /memory_available_pct .* ≤ /);
});
