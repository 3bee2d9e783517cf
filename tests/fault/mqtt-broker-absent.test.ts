/**
 * T08: no broker at boot. start() returns at once, the service keeps storing events,
 * the outbox stays bounded (drop-oldest, counted), and once the broker appears every
 * queued event is delivered in seq order with the dropped counter in status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MosquittoBroker } from '../helpers/mosquitto.js';
import { EventConsumer } from '../helpers/mqtt-consumer.js';
import { makeService } from '../helpers/mqtt-service.js';
import { tmpDbPath } from '../helpers/storage-tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('broker absent at boot, started later: queued events delivered in order; outbox bounded', { timeout: 60_000 }, async () => {
  // Create the consumer's persistent session first, then take the broker down.
  const broker = await MosquittoBroker.start({ persistence: true });
  const consumer = await EventConsumer.connect(broker.url, 'parley/dev1', { clientId: 't08-consumer', clean: false });
  await broker.stop();
  const tmp = tmpDbPath('parley-t08-');
  const h = makeService(tmp.path, broker.url, { mqtt: { outbox: { max_rows: 150 } } });
  try {
    const t0 = performance.now();
    h.service.start();
    assert.ok(performance.now() - t0 < 200, 'start() does not wait for the broker');
    h.addSegments(200);
    await sleep(700);
    const st = h.service.stats();
    assert.equal(st.connected, false);
    assert.equal(st.pending, 150, 'bounded at max_rows');
    assert.equal(st.dropped, 51, 'session event + 50 oldest segments dropped');
    assert.ok(h.service.stats().reconnects >= 1, 'kept retrying');
    await broker.startAgain();
    const last = h.db.outbox.stats().lastSeq;
    await consumer.waitFor(() => consumer.events.size >= 150, 20_000, `150 events (have ${consumer.events.size})`);
    const order = consumer.firstArrivalOrder();
    assert.deepEqual(order, Array.from({ length: 150 }, (_, i) => last - 149 + i));
    assert.equal((await h.service.drain(5000)).pending, 0);
    const status = await consumer.request('status', { id: 's' });
    assert.equal((status.result as { mqtt: { dropped: number } }).mqtt.dropped, 51);
  } finally {
    await h.close();
    await consumer.close();
    await broker.cleanup();
    tmp.cleanup();
  }
});
