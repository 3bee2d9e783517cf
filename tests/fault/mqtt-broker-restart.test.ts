/**
 * T06 / T10b: the broker is restarted gracefully (SIGTERM, persistence on) in the middle
 * of a stream of 300 events. Every event arrives, first arrivals are in seq order, and
 * after the restart `online` is retained again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MosquittoBroker } from '../helpers/mosquitto.js';
import { EventConsumer } from '../helpers/mqtt-consumer.js';
import { makeService } from '../helpers/mqtt-service.js';
import { tmpDbPath } from '../helpers/storage-tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('graceful broker restart mid-stream: no event lost, seq order kept, online retained again', { timeout: 60_000 }, async () => {
  const broker = await MosquittoBroker.start({ persistence: true });
  const tmp = tmpDbPath('parley-t06-');
  const consumer = await EventConsumer.connect(broker.url, 'parley/dev1', { clientId: 't06-consumer', clean: false, extraSubs: ['homeassistant/#'] });
  const h = makeService(tmp.path, broker.url);
  try {
    h.service.start();
    const discovery = () => consumer.messages('homeassistant/device/parley_dev1/config').length;
    await consumer.waitFor(() => discovery() >= 1, 5000, 'discovery on first connect');
    const total = 300;
    let sent = 0;
    while (sent < total) {
      h.addSegments(10);
      sent += 10;
      if (sent === 100) {
        await broker.stop();
        await sleep(1000);
        await broker.startAgain();
      }
      await sleep(20);
    }
    const last = h.db.outbox.stats().lastSeq;
    await consumer.waitFor(() => consumer.events.size >= last, 30_000, `${last} events (have ${consumer.events.size})`);
    assert.deepEqual(consumer.missingSeqs(last), []);
    const order = consumer.firstArrivalOrder();
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'first arrivals in seq order');
    assert.ok(consumer.duplicates <= 32, `duplicates ${consumer.duplicates} within the in-flight window`);
    const d = await h.service.drain(5000);
    assert.equal(d.pending, 0);
    const late = await EventConsumer.connect(broker.url, 'parley/dev1');
    try {
      await late.waitFor(() => late.messages('parley/dev1/availability').length > 0, 5000, 'retained availability');
      assert.equal(late.messages('parley/dev1/availability')[0].payload, 'online');
      assert.equal(late.messages('parley/dev1/availability')[0].retain, true);
    } finally {
      await late.close();
    }
    assert.ok(h.service.stats().reconnects >= 1);
    await consumer.waitFor(() => discovery() >= 2, 5000, 'discovery re-sent after the reconnect');
  } finally {
    await h.close();
    await consumer.close();
    await broker.cleanup();
    tmp.cleanup();
  }
});
