/**
 * T07: the broker is SIGKILLed mid-stream. PUBACK is hop-by-hop and mosquitto persists
 * only snapshots, so events it acknowledged can be lost (RELIABILITY.md B2.3). The
 * consumer compares what it has with status.mqtt.last_seq, sends cmd/replay for the
 * gaps, and ends with every event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MosquittoBroker } from '../helpers/mosquitto.js';
import { EventConsumer } from '../helpers/mqtt-consumer.js';
import { makeService } from '../helpers/mqtt-service.js';
import { tmpDbPath } from '../helpers/storage-tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('broker SIGKILL mid-stream: the consumer detects seq gaps, replays, and has every event', { timeout: 60_000 }, async (t) => {
  const broker = await MosquittoBroker.start({ persistence: true });
  const tmp = tmpDbPath('parley-t07-');
  const consumer = await EventConsumer.connect(broker.url, 'parley/dev1', { clientId: 't07-consumer', clean: false, reconnectPeriodMs: 1500 });
  const h = makeService(tmp.path, broker.url);
  try {
    h.service.start();
    for (let sent = 0; sent < 300; sent += 10) {
      h.addSegments(10);
      if (sent === 150) {
        await broker.kill('SIGKILL');
        await sleep(500);
        await broker.startAgain();
      }
      await sleep(30);
    }
    // mosquitto lost the consumer's session (no snapshot yet): whatever the device
    // published before the consumer came back and resubscribed went nowhere.
    await consumer.waitFor(() => consumer.client.connected, 5000, 'consumer reconnect');
    await consumer.client.subscribeAsync('parley/dev1/#', { qos: 1 });
    assert.equal((await h.service.drain(15_000)).pending, 0, 'device outbox drained');
    // Consumer-side recovery loop: ask for last_seq, replay the gaps, until complete.
    let gapsSeen = 0;
    for (let round = 0; round < 5; round++) {
      const st = await consumer.request('status', { id: `st${round}` });
      const lastSeq = (st.result as { mqtt: { last_seq: number } }).mqtt.last_seq;
      const missing = consumer.missingSeqs(lastSeq);
      if (missing.length === 0) break;
      gapsSeen += missing.length;
      const r = await consumer.request('replay', { id: `rp${round}`, from_seq: missing[0], to_seq: missing.at(-1) });
      assert.equal(r.ok, true);
      await consumer.waitFor(() => consumer.missingSeqs(lastSeq).length === 0, 5000, 'replayed events').catch(() => undefined);
    }
    const last = h.db.outbox.stats().lastSeq;
    assert.deepEqual(consumer.missingSeqs(last), [], 'every event received after replay');
    t.diagnostic(`events missing before replay: ${gapsSeen}`);
    assert.ok(gapsSeen > 0, 'the broker crash lost events (otherwise this test proves nothing about replay)');
  } finally {
    await h.close();
    await consumer.close();
    await broker.cleanup();
    tmp.cleanup();
  }
});
