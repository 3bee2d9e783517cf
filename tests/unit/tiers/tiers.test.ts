import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig } from '../../../src/config/load.js';
import { SystemMetricsSource } from '../../../src/monitor/metrics-source.js';
import { emptyReadings, type Readings } from '../../../src/monitor/readings.js';
import { TierController, type TierChange } from '../../../src/supervisor/tiers.js';
import { FakeClock } from '../../../src/platform/clock.js';
import { fixtureTree } from '../../helpers/tiers-sysfs.js';

const cfg = defaultConfig().tiers;
const at = (over: Partial<Readings>): Readings => ({ ...emptyReadings(), memAvailableMb: 4000, memAvailablePct: 50, diskFreeMb: 20000, ...over });

/** Run a temperature series sampled every stepMs; returns the tier after every sample and the changes. */
function runTemps(temps: number[], stepMs = 1000, c = new TierController(cfg)) {
  const tiers: string[] = [];
  const changes: TierChange[] = [];
  temps.forEach((t, i) => {
    const ch = c.update(at({ maxTempC: t }), i * stepMs);
    if (ch) changes.push(ch);
    tiers.push(c.current());
  });
  return { tiers, changes };
}

test('temperature ramp: enters reduced then minimal after confirmation, recovers step by step after dwell', () => {
  const series = [...Array(10).fill(60), ...Array(10).fill(76), ...Array(40).fill(81), ...Array(60).fill(70)];
  const { changes } = runTemps(series);
  assert.deepEqual(changes.map((c) => `${c.from}->${c.to}@${c.atMonoMs / 1000}`), [
    'normal->reduced@15', // 76 from t=10, confirmed after 5 s
    'reduced->minimal@25', // 81 from t=20
    'minimal->reduced@70', // 70 from t=60, exit confirmed 10 s; dwell 30 s since 25 already passed
    'reduced->normal@100', // dwell 30 s in reduced
  ]);
  assert.match(changes[1]?.reason ?? '', /temperature_c 81°C ≥ 80 \(minimal\.enter\)/);
  assert.equal(changes[1]?.readings.maxTempC, 81);
  assert.match(changes[2]?.reason ?? '', /recovered/);
});

test('a jump straight to 86 °C goes to paused; hysteresis keeps paused at 83 °C', () => {
  const { tiers, changes } = runTemps([...Array(10).fill(86), ...Array(60).fill(83)]);
  assert.deepEqual(changes.map((c) => c.to), ['paused']);
  assert.equal(tiers.at(-1), 'paused', '83 °C is above paused.exit (82)');
  const c2 = runTemps([...Array(10).fill(86), ...Array(60).fill(81.9)]).changes;
  assert.deepEqual(c2.map((c) => c.to), ['paused', 'minimal'], 'below 82 for 10 s after 30 s dwell → one step down');
});

test('single spikes never move the tier (enter_confirm_s)', () => {
  const series = Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? 90 : 60));
  assert.deepEqual(runTemps(series).changes, []);
});

test('property: a noisy series never flaps faster than the dwell time', () => {
  fc.assert(
    fc.property(fc.array(fc.float({ min: 60, max: 90, noNaN: true }), { minLength: 50, maxLength: 400 }), fc.integer({ min: 200, max: 5000 }), (temps, stepMs) => {
      const { changes } = runTemps(temps, stepMs);
      for (let i = 1; i < changes.length; i++) {
        const prev = changes[i - 1] as TierChange;
        const cur = changes[i] as TierChange;
        const improving = ['normal', 'reduced', 'minimal', 'paused'].indexOf(cur.to) < ['normal', 'reduced', 'minimal', 'paused'].indexOf(cur.from);
        if (improving) assert.ok(cur.atMonoMs - prev.atMonoMs >= cfg.dwell_s * 1000, `improved ${cur.atMonoMs - prev.atMonoMs} ms after the previous change`);
        else assert.ok(cur.atMonoMs - prev.atMonoMs >= cfg.enter_confirm_s * 1000);
      }
    }),
    { numRuns: 300 },
  );
});

test('memory, disk, RTF/queue, throttling and inference are pressure too; unknown readings are not', () => {
  const c = new TierController(cfg);
  const feed = (r: Partial<Readings>, fromS: number, toS: number) => {
    let last: TierChange | undefined;
    for (let s = fromS; s <= toS; s++) last = c.update(at(r), s * 1000) ?? last;
    return last;
  };
  assert.equal(feed({ memAvailableMb: 300, memAvailablePct: 30 }, 0, 6)?.to, 'reduced');
  assert.equal(feed({ memAvailableMb: 100, memAvailablePct: 2 }, 7, 13)?.to, 'paused');
  const c2 = new TierController(cfg);
  for (let s = 0; s <= 6; s++) c2.update(at({ pipeline: { rtf: 1.3, queueDepth: 3, queueDurationMs: 8000 } }), s * 1000);
  assert.equal(c2.current(), 'reduced');
  for (let s = 7; s <= 13; s++) c2.update(at({ pipeline: { rtf: 1.3, queueDepth: 30, queueDurationMs: 90000 } }), s * 1000);
  assert.equal(c2.current(), 'minimal');
  const c3 = new TierController(cfg);
  for (let s = 0; s <= 6; s++) c3.update(at({ inferenceDegraded: true }), s * 1000);
  assert.equal(c3.current(), 'minimal');
  const c4 = new TierController(cfg);
  const thr = { raw: 4, underVoltageNow: false, freqCappedNow: false, throttledNow: true, softTempLimitNow: false, occurredSinceBoot: false, source: 'sysfs' as const };
  for (let s = 0; s <= 6; s++) c4.update(at({ throttle: thr }), s * 1000);
  assert.equal(c4.current(), 'reduced');
  const c5 = new TierController(cfg);
  for (let s = 0; s <= 6; s++) c5.update(at({ diskFreeMb: 200 }), s * 1000);
  assert.equal(c5.current(), 'paused');
  const c6 = new TierController(cfg);
  for (let s = 0; s <= 60; s++) c6.update(emptyReadings(), s * 1000);
  assert.equal(c6.current(), 'normal');
});

test('actions are data from config; disabled engine returns to normal', () => {
  const c = new TierController(cfg, 0, 'minimal');
  assert.deepEqual(c.actions(), { asr: 'deferred', partials: false, diarization: 'deferred', capture: true, threads: 1 });
  assert.equal(c.actions('paused').capture, false);
  assert.equal(c.actions('normal').partials, true);
  const off = new TierController(defaultConfig({ tiers: { enabled: false } }).tiers, 0, 'minimal');
  assert.equal(off.update(at({ maxTempC: 99 }), 1)?.to, 'normal');
  assert.equal(c.snapshot().tier, 'minimal');
});

test('config: exit thresholds on the wrong side of enter are rejected', () => {
  assert.throws(() => defaultConfig({ tiers: { temperature_c: { reduced: { enter: 75, exit: 78 } } } }), /tiers\.temperature_c\.reduced\.exit must be on the healthy side/);
  assert.throws(() => defaultConfig({ tiers: { memory_available_mb: { paused: { enter: 120, exit: 100 } } } }), /memory_available_mb\.paused\.exit/);
  assert.throws(() => defaultConfig({ tiers: { temprature_c: {} } }), /temprature_c/);
});

test('scripted sysfs series: rewriting fixture temp and meminfo files moves the tier and back', async () => {
  const t = fixtureTree('rpi5');
  try {
    const conf = defaultConfig({ monitor: { sysfs_root: t.root, proc_root: t.procRoot, use_vcgencmd: false, data_dir: t.root } });
    const clock = new FakeClock(0, 0);
    const src = new SystemMetricsSource(conf, clock);
    const c = new TierController(conf.tiers);
    const seen: string[] = [];
    const script: Array<[number, number, number]> = [ // [seconds, °C, MB available]
      [10, 55, 6000], [10, 78, 6000], [20, 83, 6000], [10, 83, 200], [40, 70, 3000], [40, 60, 3000], [40, 60, 3000],
    ];
    for (const [secs, temp, mem] of script) {
      t.setTempC(temp + 0.4);
      t.setMemAvailableMb(mem);
      for (let i = 0; i < secs; i++) {
        clock.advance(1000);
        const ch = c.update(await src.readAll(), clock.monoMs());
        if (ch) seen.push(`${ch.from}->${ch.to}`);
      }
    }
    assert.deepEqual(seen, ['normal->reduced', 'reduced->minimal', 'minimal->paused', 'paused->minimal', 'minimal->reduced', 'reduced->normal']);
  } finally {
    t.cleanup();
  }
});

test('tier runtime: monitor samples drive the controller; changes are logged and handed over with actions', async () => {
  const { Monitor } = await import('../../../src/monitor/monitor.js');
  const { startTierRuntime } = await import('../../../src/supervisor/tier-runtime.js');
  let t = 0;
  let temp = 60;
  const source = { readAll: async () => at({ atMonoMs: (t += 1000), maxTempC: temp }), reportPipeline() {}, reportInference() {} };
  const monitor = new Monitor(source, 1000);
  const lines: Array<{ msg: string; to: string }> = [];
  const log = { warn: (o: { to: string }, msg: string) => lines.push({ msg, to: o.to }), info: (o: { to: string }, msg: string) => lines.push({ msg, to: o.to }) };
  const got: Array<[string, boolean]> = [];
  startTierRuntime({ monitor, controller: new TierController(cfg), log: log as never, onChange: (c, a) => got.push([c.to, a.capture]) });
  temp = 86;
  for (let i = 0; i < 8; i++) await monitor.sample();
  assert.deepEqual(got, [['paused', false]]);
  assert.deepEqual(lines, [{ msg: 'tier.changed', to: 'paused' }]);
});
