import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxPublisher, type PublishFn } from '../../../src/mqtt/outbox-publisher.js';
import { Topics } from '../../../src/mqtt/topics.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openTestDb, tmpDbPath } from '../../helpers/storage-tmp.js';

const tick = () => new Promise((r) => setImmediate(r));
async function settle(n = 5) {
  for (let i = 0; i < n; i++) await tick();
}

function fakeLink() {
  const sent: { topic: string; seq: number; cb: (err?: Error) => void }[] = [];
  const publish: PublishFn = (topic, payload, _o, cb) => sent.push({ topic, seq: JSON.parse(payload).seq, cb });
  return { sent, publish };
}

test('drains in seq order within the in-flight window; delivered only on PUBACK; resends after reconnect', async () => {
  const t = tmpDbPath();
  const p = openTestDb(t.path);
  try {
    for (let i = 0; i < 10; i++) p.events.append('speech', { i });
    const pub = new OutboxPublisher(p.outbox, new Topics('parley', 'd'), 4, silentLogger().root);
    const a = fakeLink();
    pub.attach(a.publish);
    await settle();
    assert.deepEqual(a.sent.map((s) => s.seq), [1, 2, 3, 4], 'window of 4');
    assert.equal(a.sent[0].topic, 'parley/d/event/speech');
    assert.equal(p.outbox.stats().pending, 10, 'nothing delivered before PUBACK');
    a.sent[0].cb();
    a.sent[1].cb(new Error('connection closed'));
    await settle();
    assert.equal(p.outbox.stats().pending, 9);
    assert.deepEqual(a.sent.map((s) => s.seq), [1, 2, 3, 4, 5, 6]);
    // Link drops; seq 2..6 unacknowledged. A new link starts from the oldest undelivered row.
    pub.detach();
    const b = fakeLink();
    pub.attach(b.publish);
    await settle();
    assert.deepEqual(b.sent.map((s) => s.seq), [2, 3, 4, 5]);
    a.sent[2].cb(); // a late PUBACK from the old link still counts
    for (const s of b.sent) s.cb();
    await settle();
    for (let round = 0; round < 20 && !b.sent.some((s) => s.seq === 10); round++) {
      for (const s of b.sent) s.cb();
      await settle();
    }
    for (const s of b.sent) s.cb();
    await settle();
    assert.equal(await pub.waitDrained(1000), 0);
    const seqs = b.sent.map((s) => s.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  } finally {
    p.close();
    t.cleanup();
  }
});

test('waitDrained times out with the pending count when nothing is acknowledged', async () => {
  const t = tmpDbPath();
  const p = openTestDb(t.path);
  try {
    p.events.append('speech', {});
    const pub = new OutboxPublisher(p.outbox, new Topics('parley', 'd'), 4, silentLogger().root);
    const t0 = Date.now();
    assert.equal(await pub.waitDrained(150), 1);
    assert.ok(Date.now() - t0 < 1000);
    const r = pub.replay(1, 10, 5);
    assert.equal(r.count, 0, 'replay without a link sends nothing');
  } finally {
    p.close();
    t.cleanup();
  }
});
