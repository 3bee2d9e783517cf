import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLoadAvg1, parseMeminfo, parseMilliC, parseThrottled, parseVmRssMb, readThermalZones, readThrottle, parseProcStatCpu } from '../../../src/monitor/sysfs-reader.js';
import { fixtureTree, SYSFS_FIXTURES } from '../../helpers/tiers-sysfs.js';
import { join } from 'node:path';

test('parseMilliC reads kernel millidegrees and rejects junk', () => {
  assert.equal(parseMilliC('48312\n'), 48.312);
  assert.equal(parseMilliC('-5000'), -5);
  for (const bad of ['', 'hot', '48.3', '1e5', '999999999', '0x10', '12 34']) assert.equal(parseMilliC(bad), undefined, bad);
});

test('parseThrottled decodes the Raspberry Pi bit field from sysfs and vcgencmd forms', () => {
  const s = parseThrottled('50005\n', 'sysfs');
  assert.ok(s);
  assert.equal(s.raw, 0x50005);
  assert.equal(s.underVoltageNow, true);
  assert.equal(s.throttledNow, true);
  assert.equal(s.softTempLimitNow, false);
  assert.equal(s.occurredSinceBoot, true);
  const v = parseThrottled('throttled=0x8\n', 'vcgencmd');
  assert.equal(v?.softTempLimitNow, true);
  assert.equal(v?.source, 'vcgencmd');
  for (const bad of ['', 'garbage!', 'throttled=', '0x123456789', 'throttled=0xZZ']) assert.equal(parseThrottled(bad, 'sysfs'), undefined, bad);
});

test('parseMeminfo, parseVmRssMb and parseLoadAvg1 reject malformed input', () => {
  const m = parseMeminfo('MemTotal: 2048 kB\nMemAvailable: 1024 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n');
  assert.deepEqual(m, { totalMb: 2, availableMb: 1, swapTotalMb: 0, swapFreeMb: 0 });
  assert.equal(parseMeminfo('MemTotal: lots\n'), undefined);
  assert.equal(parseMeminfo('MemTotal: 10 kB\nMemAvailable: 20 kB\n'), undefined, 'available above total');
  assert.equal(parseMeminfo(''), undefined);
  assert.equal(parseVmRssMb('Name:\tnode\nVmRSS:\t   51200 kB\n'), 50);
  assert.equal(parseVmRssMb('VmRSS: many\n'), undefined);
  assert.equal(parseLoadAvg1('0.52 0.61 0.70 1/245 12345\n'), 0.52);
  assert.equal(parseLoadAvg1('x y z'), undefined);
});

test('thermal zones: Raspberry Pi 5 and Jetson Orin fixture trees', async () => {
  const rpi = await readThermalZones(join(SYSFS_FIXTURES, 'rpi5'));
  assert.deepEqual(rpi, { zones: [{ zone: 'thermal_zone0', type: 'cpu-thermal', tempC: 52.3 }], malformed: 0 });
  const jet = await readThermalZones(join(SYSFS_FIXTURES, 'jetson-orin'));
  assert.equal(jet.zones.length, 5);
  assert.deepEqual(jet.zones.map((z) => z.type), ['CPU-therm', 'GPU-therm', 'CV0-therm', 'SOC0-therm', 'tj-therm']);
  assert.equal(Math.max(...jet.zones.map((z) => z.tempC)), 49);
});

test('thermal zones: malformed files are counted, not read as 0 °C', async () => {
  const r = await readThermalZones(join(SYSFS_FIXTURES, 'malformed'));
  assert.equal(r.malformed, 2);
  assert.deepEqual(r.zones, [{ zone: 'thermal_zone2', type: '', tempC: 51 }]);
  assert.deepEqual(await readThermalZones('/nonexistent-sysfs-root'), { zones: [], malformed: 0 });
});

test('throttle: sysfs file first; malformed → null; absent and no vcgencmd → null', async () => {
  const t = fixtureTree('rpi5');
  try {
    const r = await readThrottle(t.root, false);
    assert.equal(r?.raw, 0x50000);
    assert.equal(r?.throttledNow, false);
    assert.equal(r?.occurredSinceBoot, true);
    t.setThrottled('4');
    assert.equal((await readThrottle(t.root, false))?.throttledNow, true);
  } finally {
    t.cleanup();
  }
  assert.equal(await readThrottle(join(SYSFS_FIXTURES, 'malformed'), false), null);
  assert.equal(await readThrottle(join(SYSFS_FIXTURES, 'jetson-orin'), false), null);
  // vcgencmd is not installed on this x86 box: the lookup must come back null, not throw.
  assert.equal(await readThrottle(join(SYSFS_FIXTURES, 'jetson-orin'), true), null);
});

test('parseProcStatCpu reads the aggregate cpu line and rejects malformed text', () => {
  const text = 'cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\nintr 12345\n';
  assert.deepEqual(parseProcStatCpu(text), { idle: 820, total: 980 });
  // older kernels: only four fields
  assert.deepEqual(parseProcStatCpu('cpu 1 2 3 4\n'), { idle: 4, total: 10 });
  for (const bad of ['', 'cpu0 1 2 3 4\n', 'cpu 1 2 x 4\n', 'cpu 1 2\n', 'cpu 1 -2 3 4\n']) {
    assert.equal(parseProcStatCpu(bad), undefined, JSON.stringify(bad));
  }
});
