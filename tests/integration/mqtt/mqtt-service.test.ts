/**
 * MqttService against a real mosquitto: events in seq order with the full envelope,
 * retained availability/status, HA discovery (and its re-send on homeassistant/status
 * online), commands with request/response, malformed/unknown/oversized requests,
 * replay, clean stop publishing offline.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { EventConsumer } from '../../helpers/mqtt-consumer.js';
import { makeService, type ServiceHarness } from '../../helpers/mqtt-service.js';
import { tmpDbPath } from '../../helpers/storage-tmp.js';
import { AppError } from '../../../src/util/errors.js';

let broker: MosquittoBroker;
let h: ServiceHarness;
let consumer: EventConsumer;
let tmp: ReturnType<typeof tmpDbPath>;
const calls: string[] = [];
let muted = false;

before(async () => {
  broker = await MosquittoBroker.start();
  tmp = tmpDbPath('parley-mqtt-it-');
  consumer = await EventConsumer.connect(broker.url, 'parley/dev1', { extraSubs: ['homeassistant/#'] });
  h = makeService(tmp.path, broker.url, {
    status: () => ({ tier: 'normal', muted, recording: true, speaking: false, cpu_temp_c: 41.5 }),
    commands: {
      mute: async () => { calls.push('mute'); muted = true; return { muted }; },
      unmute: async () => { calls.push('unmute'); muted = false; return { muted }; },
      'session/start': async (p) => { calls.push(`start:${String(p.id)}`); return { session_id: 'x' }; },
      'session/stop': async () => { throw new AppError('USAGE', 'no active session'); },
    },
  });
  h.service.start();
});

after(async () => {
  await h?.close();
  await consumer?.close();
  await broker?.cleanup();
  tmp?.cleanup();
});

test('events arrive once, in seq order, with envelope; drain reports 0 pending', async () => {
  const seqs = h.addSegments(50);
  const r = await h.service.drain(10_000);
  assert.equal(r.pending, 0);
  await consumer.waitFor(() => consumer.events.size >= 51, 10_000, '51 events');
  assert.deepEqual(consumer.firstArrivalOrder(), [1, ...seqs]);
  assert.equal(consumer.duplicates, 0);
  const seg = [...consumer.events.values()].find((e) => e.seq === seqs[0])!;
  for (const k of ['event_id', 'seq', 'kind', 'stream_id', 'ts_wall', 'ts_mono_ms', 'boot_id', 'segment_id', 'rev', 'session_id', 'start_ms', 'wall_start', 'text']) {
    assert.ok(k in seg, `segment event has ${k}`);
  }
  assert.equal(seg.kind, 'segment');
  assert.equal(consumer.messages('parley/dev1/event/segment').length, 50);
  assert.equal(consumer.messages('parley/dev1/event/session').length, 1);
  const st = h.service.stats();
  assert.equal(st.connected, true);
  assert.equal(st.pending, 0);
  assert.ok(st.lastPubackMs);
});

test('availability online, status and discovery are retained', async () => {
  const late = await EventConsumer.connect(broker.url, 'parley/dev1', { extraSubs: ['homeassistant/#'] });
  try {
    await late.waitFor(() => late.messages('parley/dev1/availability').length > 0 && late.messages('parley/dev1/status').length > 0
      && late.messages('homeassistant/device/parley_dev1/config').length > 0, 5000, 'retained messages');
    const av = late.messages('parley/dev1/availability')[0];
    assert.equal(av.payload, 'online');
    assert.equal(av.retain, true);
    const st = JSON.parse(late.messages('parley/dev1/status').at(-1)!.payload);
    assert.equal(st.tier, 'normal');
    assert.equal(st.cpu_temp_c, 41.5);
    assert.equal(typeof st.mqtt.pending, 'number');
    assert.equal(typeof st.mqtt.dropped, 'number');
    const disc = JSON.parse(late.messages('homeassistant/device/parley_dev1/config')[0].payload);
    assert.equal(disc.availability_topic, 'parley/dev1/availability');
    const platforms = Object.values(disc.cmps as Record<string, { p: string }>).map((c) => c.p).sort();
    assert.deepEqual(platforms, ['binary_sensor', 'binary_sensor', 'event', 'sensor', 'sensor', 'sensor', 'sensor', 'switch']);
  } finally {
    await late.close();
  }
});

test('discovery and status are re-sent when homeassistant/status says online', async () => {
  const topic = 'homeassistant/device/parley_dev1/config';
  const n = consumer.messages(topic).length;
  await consumer.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await consumer.waitFor(() => consumer.messages(topic).length > n, 5000, 'discovery re-sent');
  await consumer.client.publishAsync('homeassistant/status', 'offline', { qos: 1 });
});

test('commands: request/response with id, handler errors, built-ins', async () => {
  const ok = await consumer.request('session/start', { id: 'a1' });
  assert.deepEqual(ok, { id: 'a1', ok: true, result: { session_id: 'x' } });
  const failed = await consumer.request('session/stop', { id: 7 });
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.error, { code: 'USAGE', message: 'no active session' });
  const status = await consumer.request('status', { id: 's' });
  assert.equal(status.ok, true);
  assert.equal((status.result as { tier: string }).tier, 'normal');
  const mute = await consumer.request('mute/set', { id: 'm', muted: true });
  assert.equal(mute.ok, true);
  assert.ok(calls.includes('mute'));
  await consumer.waitFor(() => consumer.messages('parley/dev1/status').some((m) => JSON.parse(m.payload).muted === true), 5000, 'status after mute');
  const badMute = await consumer.request('mute/set', { id: 'm2', muted: 'yes' });
  assert.equal(badMute.ok, false);
});

test('malformed JSON, non-object, unknown command and a 1 MB payload get error responses', async () => {
  const bad = await consumer.request('status', '{"id": "x", oops');
  assert.equal(bad.ok, false);
  assert.equal(bad.id, null);
  assert.equal((bad.error as { code: string }).code, 'BAD_JSON');
  const arr = await consumer.request('status', '[1,2]');
  assert.equal((arr.error as { code: string }).code, 'BAD_REQUEST');
  const unknown = await consumer.request('self-destruct', { id: 'u' });
  assert.equal(unknown.id, 'u');
  assert.equal((unknown.error as { code: string }).code, 'UNKNOWN_COMMAND');
  const big = await consumer.request('status', Buffer.alloc(1024 * 1024, 0x61), 10_000);
  assert.equal((big.error as { code: string }).code, 'PAYLOAD_TOO_LARGE');
  // Still alive and publishing.
  const before = consumer.events.size;
  h.addSegments(1);
  await consumer.waitFor(() => consumer.events.size === before + 1, 5000, 'event after bad commands');
});

test('replay re-sends stored events with their original event_id and seq', async () => {
  const n = consumer.arrivals.length;
  const res = await consumer.request('replay', { id: 'r', from_seq: 2, to_seq: 6 });
  assert.equal(res.ok, true);
  assert.equal((res.result as { count: number }).count, 5);
  await consumer.waitFor(() => consumer.arrivals.length >= n + 5, 5000, 'replayed events');
  assert.deepEqual(consumer.arrivals.slice(n, n + 5), [2, 3, 4, 5, 6]);
  assert.equal(consumer.duplicates, 5, 'replays are duplicates by event_id');
  const bad = await consumer.request('replay', { id: 'r2', from_seq: 'x' });
  assert.equal(bad.ok, false);
});

test('partials are QoS 0 and not stored', async () => {
  const rows = h.db.outbox.stats().rows;
  h.service.publishPartial({ text: 'hel' });
  await consumer.waitFor(() => consumer.messages('parley/dev1/event/partial').length === 1, 5000, 'partial');
  assert.equal(h.db.outbox.stats().rows, rows);
});

test('stop publishes offline (retained)', async () => {
  await h.service.stop();
  await consumer.waitFor(() => consumer.messages('parley/dev1/availability').at(-1)?.payload === 'offline', 5000, 'offline');
  h.service.start();
  await consumer.waitFor(() => consumer.messages('parley/dev1/availability').at(-1)?.payload === 'online', 5000, 'online again');
});
