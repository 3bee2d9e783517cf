import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monotonicUlid, ulidTimeMs } from '../../../src/storage/ulid.js';

test('ULIDs are 26 Crockford chars and carry the timestamp', () => {
  const gen = monotonicUlid(() => 1_700_000_000_123);
  const id = gen();
  assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(ulidTimeMs(id), 1_700_000_000_123);
});

test('ids strictly increase within one ms and when the clock steps back', () => {
  let now = 1000;
  const gen = monotonicUlid(() => now);
  const ids: string[] = [];
  for (let i = 0; i < 2000; i++) {
    if (i === 1000) now = 500; // wall clock jumped backwards
    ids.push(gen());
  }
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `${ids[i]} > ${ids[i - 1]} at ${i}`);
  assert.equal(new Set(ids).size, ids.length);
});
