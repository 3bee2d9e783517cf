import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetTopic, parseFleetAnnouncement, parseUpdateCommand, rolloutBucket } from '../../../src/ota/triggers.js';
import { UsageError } from '../../../src/util/errors.js';

test('cmd/models/update payload: url or path, optional force and id; everything else refused', () => {
  assert.deepEqual(parseUpdateCommand({ url: 'http://h/x.bundle' }), { source: 'http://h/x.bundle', force: false });
  assert.deepEqual(parseUpdateCommand(Buffer.from('{"path":"/tmp/x.bundle","force":true,"id":7}')), { source: '/tmp/x.bundle', force: true });
  for (const bad of [
    '{', '[]', 'null', '{}', '{"url":"http://a","path":"/b"}', '{"url":"ftp://a"}', '{"url":"http://a b"}', '{"path":"rel/x"}',
    '{"path":"/x","force":"yes"}', '{"path":"/x","extra":1}', '{"url":5}',
  ]) {
    assert.throws(() => parseUpdateCommand(bad), UsageError, bad);
  }
});

test('fleet announcement parsing', () => {
  const a = parseFleetAnnouncement('{"bundle_url":"https://fleet/v6.bundle","manifest_url":"https://fleet/v6.json","signature":"abc","version":"6.2.0","rollout":{"group":"beta","percentage":25}}');
  assert.deepEqual(a.rollout, { group: 'beta', percentage: 25 });
  assert.equal(a.version, '6.2.0');
  assert.deepEqual(parseFleetAnnouncement({ bundle_url: 'http://x/b' }).rollout, { group: undefined, percentage: undefined });
  for (const bad of [
    {}, { bundle_url: 'file:///etc/passwd' }, { bundle_url: 'http://x', manifest_url: 'http://y' }, { bundle_url: 'http://x', signature: 'a' },
    { bundle_url: 'http://x', version: 'six' }, { bundle_url: 'http://x', rollout: { percentage: 101 } }, { bundle_url: 'http://x', rollout: { percentage: -1 } },
    { bundle_url: 'http://x', rollout: { when: 'now' } }, { bundle_url: 'http://x', rollout: [] }, { bundle_url: 'http://x', extra: 1 }, 'nope', null,
  ]) {
    assert.throws(() => parseFleetAnnouncement(typeof bad === 'string' ? bad : JSON.stringify(bad)), UsageError, JSON.stringify(bad));
  }
});

test('rollout bucket is deterministic, in 0-99, and spreads devices roughly evenly', () => {
  assert.equal(rolloutBucket('pi-01', '6.2.0'), rolloutBucket('pi-01', '6.2.0'));
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 2000; i++) {
    const b = rolloutBucket(`dev-${i}`, '6.2.0');
    assert.ok(b >= 0 && b < 100);
    counts[Math.floor(b / 10)]++;
  }
  for (const c of counts) assert.ok(c > 120 && c < 280, `decile count ${c}`);
  // A 25% rollout picks about a quarter of a fleet, and a bigger percentage keeps the earlier devices.
  const picked25 = Array.from({ length: 400 }, (_, i) => `d${i}`).filter((d) => rolloutBucket(d, 'r') < 25);
  assert.ok(picked25.every((d) => rolloutBucket(d, 'r') < 50));
  assert.equal(fleetTopic('vad'), 'parley/fleet/models/vad');
});
