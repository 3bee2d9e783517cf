/**
 * Update triggers over a real Mosquitto (spawned per test file): a retained fleet
 * announcement on parley/fleet/models/vad (manifest pre-checked before download, rollout
 * bucket), and the cmd/models/update command through the real MqttService.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { openBundle } from '../../../src/ota/bundle-file.js';
import { FleetSubscriber } from '../../../src/ota/fleet-subscriber.js';
import { fleetTopic, rolloutBucket, updateCommandHandler, type TriggerDecision } from '../../../src/ota/triggers.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { makeService } from '../../helpers/mqtt-service.js';
import { buildBundle, makeKey, type TestKey } from '../../helpers/ota-bundles.js';
import { otaConfig, serveDir, updater, type FileServer } from '../../helpers/ota-env.js';
import { sileroFiles } from '../../helpers/ota-silero.js';

const work = mkdtempSync(join(tmpdir(), 'ota-trig-'));
const bundles = join(work, 'bundles');
let broker: MosquittoBroker;
let http: FileServer;
let K: TestKey;
let v5Sha: string;
let v6Sha: string;
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

before(async () => {
  const f = sileroFiles();
  v5Sha = sha(f.v5);
  v6Sha = sha(f.v6);
  K = makeKey();
  broker = await MosquittoBroker.start();
  http = await serveDir(bundles);
  await buildBundle({ dir: bundles, name: 'v5', version: '5.0.0', model: readFileSync(f.v5), key: K });
  const v6 = await buildBundle({ dir: bundles, name: 'v6', version: '6.2.0', model: readFileSync(f.v6), key: K });
  const b = openBundle(v6.file);
  writeFileSync(join(bundles, 'v6.manifest.json'), JSON.stringify(b.manifest));
  writeFileSync(join(bundles, 'v6.sig'), b.signature.trim());
});
after(async () => {
  await http?.close();
  await broker?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function publishRetained(topic: string, payload: string): Promise<void> {
  const c = await mqtt.connectAsync(broker.url, { clientId: `fleet-admin-${process.pid}` });
  await c.publishAsync(topic, payload, { qos: 1, retain: true });
  await c.endAsync();
}

test('a retained fleet announcement installs the new VAD bundle on a device in the rollout', async () => {
  const dataDir = join(work, 'fleet');
  const u = updater(otaConfig(dataDir, [K]));
  await u.install(join(bundles, 'v5.bundle'));
  await publishRetained(fleetTopic('vad'), JSON.stringify({
    bundle_url: `${http.url}/v6.bundle`, manifest_url: `${http.url}/v6.manifest.json`,
    signature: readFileSync(join(bundles, 'v6.sig'), 'utf8'), version: '6.2.0', rollout: { percentage: 100 },
  }));
  const sub = new FleetSubscriber({ url: broker.url, updater: u, ctx: { deviceId: 'pi-01', group: '' }, logger: silentLogger().root });
  const got = new Promise<TriggerDecision>((resolve, reject) => {
    sub.once('decision', (d: { decision: TriggerDecision }) => resolve(d.decision));
    sub.once('failed', (d: { error: Error }) => reject(d.error));
  });
  sub.start();
  try {
    const d = await got;
    assert.equal(d.action, 'install');
    assert.equal(sha(u.activeModelPath('vad')!), v6Sha);
  } finally {
    await sub.stop();
  }
  // Seen again after a reconnect: a no-op.
  const sub2 = new FleetSubscriber({ url: broker.url, updater: u, ctx: { deviceId: 'pi-01', group: '' }, logger: silentLogger().root });
  const again = new Promise<TriggerDecision>((resolve, reject) => {
    sub2.once('decision', (d: { decision: TriggerDecision }) => resolve(d.decision));
    sub2.once('failed', (d: { error: Error }) => reject(d.error));
  });
  sub2.start();
  try {
    assert.deepEqual((await again).reason, 'up_to_date');
  } finally {
    await sub2.stop();
  }
});

test('devices outside the rollout percentage or group skip the announcement, and a bad signature is refused before download', async () => {
  const dataDir = join(work, 'skip');
  const u = updater(otaConfig(dataDir, [K]));
  await u.install(join(bundles, 'v5.bundle'));
  let outside = 'x';
  for (let i = 0; i < 1000 && rolloutBucket(outside, '6.2.0') < 10; i++) outside = `dev-${i}`;
  const { handleFleetAnnouncement } = await import('../../../src/ota/triggers.js');
  const base = { bundle_url: `${http.url}/v6.bundle`, version: '6.2.0' };
  assert.match((await handleFleetAnnouncement(u, 'vad', JSON.stringify({ ...base, rollout: { percentage: 10 } }), { deviceId: outside, group: '' })).reason, /not_in_rollout/);
  assert.equal((await handleFleetAnnouncement(u, 'vad', JSON.stringify({ ...base, rollout: { group: 'beta' } }), { deviceId: outside, group: 'stable' })).reason, 'group_mismatch');
  const before = http.requests.length;
  await assert.rejects(handleFleetAnnouncement(u, 'vad', JSON.stringify({ ...base, manifest_url: `${http.url}/v6.manifest.json`, signature: Buffer.alloc(64, 1).toString('base64') }), { deviceId: outside, group: '' }),
    (e: Error & { reason?: string }) => e.reason === 'bad_signature');
  assert.deepEqual(http.requests.slice(before), ['v6.manifest.json'], 'only the manifest was fetched');
  assert.equal(sha(u.activeModelPath('vad')!), v5Sha);
});

test('cmd/models/update through the real MqttService starts an install; progress and result arrive as events', async () => {
  const dataDir = join(work, 'cmd');
  const u = updater(otaConfig(dataDir, [K]));
  await u.install(join(bundles, 'v5.bundle'));
  const events: { type: string }[] = [];
  u.on('event', (e: { type: string }) => events.push(e));
  const h = makeService(join(work, 'cmd.db'), broker.url, { deviceId: 'dev-cmd', commands: { 'models/update': updateCommandHandler(u) } });
  h.service.start();
  const c = await mqtt.connectAsync(broker.url, { clientId: `ctl-${process.pid}` });
  try {
    await c.subscribeAsync('parley/dev-cmd/cmd/models/update/response', { qos: 1 });
    const response = new Promise<{ ok: boolean; result: { accepted: boolean } }>((resolve) => c.once('message', (_t, p) => resolve(JSON.parse(p.toString()))));
    const committed = new Promise<void>((resolve) => u.on('event', (e: { type: string }) => e.type === 'ota.committed' && resolve()));
    for (let i = 0; i < 50; i++) {
      await c.publishAsync('parley/dev-cmd/cmd/models/update', JSON.stringify({ id: 1, url: `${http.url}/v6.bundle` }), { qos: 1 });
      const r = await Promise.race([response, new Promise<undefined>((r2) => setTimeout(() => r2(undefined), 200))]);
      if (r) {
        assert.equal(r.ok, true);
        assert.equal(r.result.accepted, true);
        break;
      }
    }
    await committed;
    assert.equal(sha(u.activeModelPath('vad')!), v6Sha);
    assert.ok(events.some((e) => e.type === 'ota.progress'));
    assert.ok(events.some((e) => e.type === 'ota.activated'));
  } finally {
    await c.endAsync();
    await h.close();
  }
});
