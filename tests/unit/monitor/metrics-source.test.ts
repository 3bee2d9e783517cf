import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { describeReadings } from '../../../src/monitor/describe-readings.js';
import { SystemMetricsSource } from '../../../src/monitor/metrics-source.js';
import { Monitor } from '../../../src/monitor/monitor.js';
import { FakeClock } from '../../../src/platform/clock.js';
import { fixtureTree } from '../../helpers/tiers-sysfs.js';

test('SystemMetricsSource on a fixture tree: temps, throttling, fixture meminfo, pipeline and RSS', async () => {
  const t = fixtureTree('rpi5');
  try {
    const cfg = defaultConfig({ monitor: { sysfs_root: t.root, proc_root: t.procRoot, use_vcgencmd: false, data_dir: t.root } });
    const src = new SystemMetricsSource(cfg, new FakeClock(0, 1234));
    src.reportPipeline({ rtf: 0.4, queueDepth: 2, queueDurationMs: 3000 });
    const r = await src.readAll();
    assert.equal(r.atMonoMs, 1234);
    assert.equal(r.maxTempC, 52.3);
    assert.equal(r.memAvailableMb, 6144);
    assert.ok(Math.abs((r.memAvailablePct ?? 0) - 76.3) < 0.1);
    assert.equal(r.swapUsedMb, 0);
    assert.equal(r.loadAvg1, 0.52);
    assert.equal(r.throttle?.raw, 0x50000);
    assert.deepEqual(r.pipeline, { rtf: 0.4, queueDepth: 2, queueDurationMs: 3000 });
    assert.ok(r.rssMb !== null && r.rssMb > 10, 'own RSS from /proc/self/status');
    assert.ok(r.diskFreeMb !== null && r.diskFreeMb > 0, 'free space from statfs of the data directory');
    t.setTempC(81.5);
    t.setMemAvailableMb(200);
    const r2 = await src.readAll();
    assert.equal(r2.maxTempC, 81.5);
    assert.equal(r2.memAvailableMb, 200);
  } finally {
    t.cleanup();
  }
});

test('SystemMetricsSource on the live system (systeminformation): memory, swap, load, disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mon-'));
  try {
    const cfg = defaultConfig({ storage: { db_path: join(dir, 'x.db') }, monitor: { sysfs_root: '/nonexistent', use_vcgencmd: false } });
    const r = await new SystemMetricsSource(cfg).readAll();
    assert.ok(r.memTotalMb !== null && r.memTotalMb > 100);
    assert.ok(r.memAvailableMb !== null && r.memAvailableMb > 0 && r.memAvailableMb <= r.memTotalMb);
    assert.ok(r.swapTotalMb !== null && r.swapUsedMb !== null);
    assert.ok(r.cpuLoadPct !== null && r.cpuLoadPct >= 0);
    assert.ok(r.diskFreeMb !== null && r.diskTotalMb !== null && r.diskFreeMb <= r.diskTotalMb);
    assert.equal(r.maxTempC, null, 'no zones under a missing sysfs root: null, not 0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed fixture tree: unknowns stay null and are counted', async () => {
  const t = fixtureTree('malformed');
  try {
    const cfg = defaultConfig({ monitor: { sysfs_root: t.root, proc_root: t.procRoot, use_vcgencmd: false, data_dir: t.root } });
    const src = new SystemMetricsSource(cfg);
    const r = await src.readAll();
    assert.equal(r.memAvailableMb, null);
    assert.equal(r.loadAvg1, null);
    assert.equal(r.throttle, null);
    assert.equal(r.maxTempC, 51);
    assert.equal(src.malformedReads, 4);
  } finally {
    t.cleanup();
  }
});

test('describeReadings: every reading with its budget and state', async () => {
  const t = fixtureTree('rpi5');
  try {
    const cfg = defaultConfig({ monitor: { sysfs_root: t.root, proc_root: t.procRoot, use_vcgencmd: false, data_dir: t.root } });
    const src = new SystemMetricsSource(cfg);
    t.setTempC(77);
    src.reportInference(true);
    src.reportPipeline({ rtf: 1.2, queueDepth: 5, queueDurationMs: 65000 });
    const rows = describeReadings(await src.readAll(), cfg);
    const by = Object.fromEntries(rows.map((x) => [x.name, x]));
    assert.deepEqual(by['temperature.thermal_zone0(cpu-thermal)'], { name: 'temperature.thermal_zone0(cpu-thermal)', value: 77, unit: '°C', budget: 'warn ≥ 75, critical ≥ 80', state: 'warn' });
    assert.equal(by.memory_available?.state, 'ok');
    assert.equal(by.pipeline_rtf?.state, 'warn');
    assert.equal(by.queue?.state, 'critical');
    assert.equal(by.throttling?.state, 'warn', '0x50000: occurred since boot');
    assert.equal(by.inference?.state, 'critical');
    for (const name of ['memory_available_pct', 'swap_used', 'cpu_load', 'disk_free', 'service_rss']) assert.ok(by[name], name);
  } finally {
    t.cleanup();
  }
});

test('Monitor samples, notifies listeners and never overlaps samples', async () => {
  let calls = 0;
  let release: (() => void) | undefined;
  const source = {
    readAll: () => new Promise<never>((resolve) => { calls++; release = () => resolve({ atMonoMs: calls } as never); }),
    reportPipeline() {},
    reportInference() {},
  };
  const m = new Monitor(source, 1000);
  const seen: number[] = [];
  m.onReadings((r) => seen.push(r.atMonoMs));
  const first = m.sample();
  assert.equal(await m.sample(), undefined, 'second sample while busy is skipped');
  release?.();
  await first;
  assert.equal(calls, 1);
  assert.deepEqual(seen, [1]);
  assert.equal(m.latest()?.atMonoMs, 1);
});
