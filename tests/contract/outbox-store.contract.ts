/**
 * Contract every outbox store must meet (MQTT.js `abstract_store.ts` pattern):
 *   outboxStoreContract(name, build) registers node:test cases; `build()` returns a fresh
 *   store plus a `dispose()`. Run from a *.test.ts file for each implementation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxRepo } from '../../src/storage/outbox-repo.js';

export interface OutboxStoreUnderTest {
  store: OutboxRepo;
  dispose(): void;
}

export function outboxStoreContract(name: string, build: () => OutboxStoreUnderTest): void {
  const withStore = (fn: (s: OutboxRepo) => void) => () => {
    const b = build();
    try {
      fn(b.store);
    } finally {
      b.dispose();
    }
  };

  test(`${name}: enqueue assigns increasing seqs and unique ULID event ids`, withStore((s) => {
    const a = s.enqueue('speech', { x: 1 });
    const b = s.enqueue('speech', { x: 2 });
    assert.ok(b.seq > a.seq);
    assert.notEqual(a.eventId, b.eventId);
    assert.match(a.eventId, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  }));

  test(`${name}: reserved envelope keys in data cannot override the envelope`, withStore((s) => {
    const { seq, eventId } = s.enqueue('speech', { seq: 999, event_id: 'fake', kind: 'x', other: 1 });
    const msg = JSON.parse(OutboxRepo.message(s.get(seq)!));
    assert.equal(msg.seq, seq);
    assert.equal(msg.event_id, eventId);
    assert.equal(msg.kind, 'speech');
    assert.equal(msg.other, 1);
  }));

  test(`${name}: pending is ordered, honours afterSeq and limit; delivered rows leave pending but stay in range`, withStore((s) => {
    const seqs = [1, 2, 3, 4, 5].map((i) => s.enqueue('speech', { i }).seq);
    assert.deepEqual(s.pending(0, 3).map((r) => r.seq), seqs.slice(0, 3));
    assert.deepEqual(s.pending(seqs[2], 10).map((r) => r.seq), seqs.slice(3));
    assert.equal(s.markDeliveredMany([seqs[0], seqs[1]]), 2);
    assert.deepEqual(s.pending(0, 10).map((r) => r.seq), seqs.slice(2));
    assert.deepEqual(s.range(seqs[0], seqs[4], 10).map((r) => r.seq), seqs);
    const st = s.stats();
    assert.equal(st.pending, 3);
    assert.equal(st.rows, 5);
    assert.equal(st.lastSeq, seqs[4]);
  }));

  test(`${name}: get of a missing seq is undefined; marking it is a no-op`, withStore((s) => {
    assert.equal(s.get(12345), undefined);
    assert.equal(s.markDelivered(12345), false);
  }));

  test(`${name}: qos and retain round-trip`, withStore((s) => {
    const { seq } = s.enqueue('tier', { t: 1 }, { qos: 0, retain: true });
    const r = s.get(seq)!;
    assert.equal(r.qos, 0);
    assert.equal(r.retain, 1);
  }));
}
