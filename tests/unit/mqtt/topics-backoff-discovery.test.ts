import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backoff } from '../../../src/util/backoff.js';
import { buildClientOptions } from '../../../src/mqtt/client-options.js';
import { discoveryMessage } from '../../../src/mqtt/discovery.js';
import { resolveDeviceId, sanitizeDeviceId, Topics } from '../../../src/mqtt/topics.js';
import { defaultConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/util/errors.js';
import { validateConfigFile } from '../../../src/config/load.js';

test('topics follow <base>/<device>/<suffix> and command names exclude responses', () => {
  const t = new Topics('parley/', 'pi-01');
  assert.equal(t.availability, 'parley/pi-01/availability');
  assert.equal(t.status, 'parley/pi-01/status');
  assert.equal(t.event('segment'), 'parley/pi-01/event/segment');
  assert.equal(t.commandFilter, 'parley/pi-01/cmd/#');
  assert.equal(t.response('session/start'), 'parley/pi-01/cmd/session/start/response');
  assert.equal(t.commandName('parley/pi-01/cmd/session/start'), 'session/start');
  assert.equal(t.commandName('parley/pi-01/cmd/session/start/response'), undefined);
  assert.equal(t.commandName('parley/pi-01/cmd/response'), undefined);
  assert.equal(t.commandName('parley/pi-01/cmd/'), undefined);
  assert.equal(t.commandName('parley/other/cmd/mute'), undefined);
});

test('backoff doubles with jitter in [d/2, d], is capped, and resets', () => {
  const lo = new Backoff(100, 1000, () => 0);
  const hi = new Backoff(100, 1000, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => lo.next()), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => hi.next()), [100, 200, 400, 800, 1000]);
  hi.reset();
  assert.equal(hi.next(), 100);
  const r = new Backoff(100, 60000);
  for (let i = 0; i < 100; i++) {
    const d = r.next();
    assert.ok(d >= 0 && d <= 60000);
  }
});

test('discovery: one device-based message with every entity, unique ids and topics', () => {
  const m = discoveryMessage('homeassistant', new Topics('parley', 'pi-01'), '1.2.3');
  assert.equal(m.topic, 'homeassistant/device/parley_pi-01/config');
  const p = JSON.parse(m.payload);
  assert.equal(p.dev.sw, '1.2.3');
  assert.equal(p.o.name, 'parley');
  const cmps = Object.entries(p.cmps as Record<string, Record<string, unknown>>);
  assert.equal(cmps.length, 8);
  for (const [key, c] of cmps) assert.equal(c.unique_id, key);
  const byName = Object.fromEntries(cmps.map(([, c]) => [c.name as string, c]));
  assert.equal(byName.Mute.command_topic, 'parley/pi-01/cmd/mute/set');
  assert.equal(byName.Segment.state_topic, 'parley/pi-01/event/segment');
  assert.equal(byName['CPU temperature'].unit_of_measurement, '°C');
  for (const n of ['Tier', 'Last transcript', 'Last speaker', 'Speaking', 'Recording']) assert.equal(byName[n].state_topic, 'parley/pi-01/status');
});

test('client options: LWT, no auto-reconnect, password_file and TLS files; missing file → ConfigError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mqtt-opts-'));
  try {
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const cfg = defaultConfig({ mqtt: { username: 'u', password_file: join(dir, 'pw'), tls: { ca_file: join(dir, 'ca.pem') } } }).mqtt;
    const o = buildClientOptions(cfg, new Topics('parley', 'd'));
    assert.equal(o.clientId, 'parley-d');
    assert.equal(o.reconnectPeriod, 0);
    assert.equal(o.password, 's3cret');
    assert.equal(o.username, 'u');
    assert.equal(String(o.ca), 'CA');
    assert.deepEqual({ ...o.will, payload: String(o.will?.payload) }, { topic: 'parley/d/availability', payload: 'offline', qos: 1, retain: true });
    const missing = defaultConfig({ mqtt: { password_file: join(dir, 'nope') } }).mqtt;
    assert.throws(() => buildClientOptions(missing, new Topics('parley', 'd')), (e: unknown) => e instanceof ConfigError && e.issues[0].path === 'mqtt.password_file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mqtt config: semantic checks and bad values are reported with their paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mqtt-cfg-'));
  try {
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'mqtt:\n  reconnect_min_ms: 5000\n  reconnect_max_ms: 1000\n  url: http://x\n  tls:\n    cert_file: /a.pem\n');
    const paths = validateConfigFile(f).map((i) => i.path).sort();
    assert.deepEqual(paths, ['mqtt.url']);
    writeFileSync(f, 'mqtt:\n  reconnect_min_ms: 5000\n  reconnect_max_ms: 1000\n  tls:\n    cert_file: /a.pem\n');
    assert.deepEqual(validateConfigFile(f).map((i) => i.path).sort(), ['mqtt.reconnect_min_ms', 'mqtt.tls.cert_file']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('device id: configured wins, else a topic-safe hostname', () => {
  assert.equal(resolveDeviceId('pi-01', () => 'host'), 'pi-01');
  assert.equal(resolveDeviceId('', () => 'my host/#+'), 'my_host___');
  assert.equal(sanitizeDeviceId(''), 'parley');
});
