/**
 * The `parley transcribe --mqtt URL --device-id t1` path, at the API level: a throwaway
 * ':memory:' database, segments stored, drain(), stop(). The consumer gets exactly one
 * parley/t1/event/segment per stored segment, unique event_ids, strictly increasing seq.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/load.js';
import { MqttService } from '../../../src/mqtt/mqtt-service.js';
import { openDatabase } from '../../../src/storage/db.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { EventConsumer } from '../../helpers/mqtt-consumer.js';
import { speech } from '../../helpers/storage-tmp.js';

test('batch run over a :memory: DB publishes one event/segment per segment, then drains and stops', { timeout: 30_000 }, async () => {
  const broker = await MosquittoBroker.start();
  const consumer = await EventConsumer.connect(broker.url, 'parley/t1');
  try {
    const cfg = defaultConfig({ mqtt: { enabled: true, url: broker.url } });
    const logger = silentLogger().root;
    const db = openDatabase(cfg.storage, { logger, path: ':memory:' });
    const mqtt = new MqttService({ cfg: cfg.mqtt, deviceId: 't1', db, logger, status: () => ({}), commands: {}, version: 'test' });
    mqtt.start();
    const { sessionId } = db.sessions.start({ source: 'file', deviceId: 't1', wallStartMs: Date.now() });
    for (let i = 0; i < 20; i++) {
      db.segments.insert(sessionId, speech(i * 16000, i * 16000 + 8000, { text: null }), { tier: 'normal', wallStartMs: Date.now(), deviceId: 't1' });
      mqtt.notifyOutbox();
    }
    db.sessions.end(sessionId, Date.now());
    assert.equal((await mqtt.drain(10_000)).pending, 0);
    await mqtt.stop();
    db.close();
    await consumer.waitFor(() => consumer.messages('parley/t1/event/segment').length >= 20, 5000, '20 segments');
    await new Promise((r) => setTimeout(r, 200));
    const segs = consumer.messages('parley/t1/event/segment').map((m) => JSON.parse(m.payload) as { seq: number; event_id: string; text: unknown });
    assert.equal(segs.length, 20);
    assert.equal(new Set(segs.map((s) => s.event_id)).size, 20);
    for (let i = 1; i < segs.length; i++) assert.ok(segs[i].seq > segs[i - 1].seq);
    assert.equal(segs[0].text, null);
  } finally {
    await consumer.close();
    await broker.cleanup();
  }
});
