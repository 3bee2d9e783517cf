import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SegmentQueue } from '../../../src/pipeline/segment-queue.js';

test('FIFO order, waiting consumers, close drains then ends', async () => {
  const q = new SegmentQueue<number>(10);
  const waiting = q.next();
  q.push(1);
  assert.equal(await waiting, 1);
  q.push(2);
  q.push(3);
  q.close();
  assert.equal(await q.next(), 2);
  assert.equal(await q.next(), 3);
  assert.equal(await q.next(), undefined);
  assert.throws(() => q.push(4), /closed/);
});

test('a full queue drops the oldest item and counts it', () => {
  const q = new SegmentQueue<number>(2);
  assert.equal(q.push(1), true);
  assert.equal(q.push(2), true);
  assert.equal(q.push(3), false);
  assert.equal(q.dropped, 1);
  assert.equal(q.size, 2);
});
