/**
 * Updater behaviour with real bundles: resumable HTTP download, waiting for a recording
 * session, probation commit by healthy segments, and the automatic rollback of a bundle
 * that passes golden but crash-loops the real inference child (T16 probation).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { shippedModelPath } from '../../../src/ota/active-model.js';
import { silentLogger } from '../../../src/util/logger.js';
import { buildBundle, makeKey, type TestKey } from '../../helpers/ota-bundles.js';
import { otaConfig, serveDir, updater, type FileServer } from '../../helpers/ota-env.js';
import { sileroFiles } from '../../helpers/ota-silero.js';

const work = mkdtempSync(join(tmpdir(), 'ota-upd-'));
const bundles = join(work, 'bundles');
let v5: Buffer;
let v6: Buffer;
let K: TestKey;
let http: FileServer;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const activeSha = (p: string | undefined): string => sha(readFileSync(p!));

before(async () => {
  const f = sileroFiles();
  v5 = readFileSync(f.v5);
  v6 = readFileSync(f.v6);
  K = makeKey();
  http = await serveDir(bundles);
  await buildBundle({ dir: bundles, name: 'v5', version: '5.0.0', model: v5, key: K });
  await buildBundle({ dir: bundles, name: 'v6', version: '6.2.0', model: v6, key: K });
});
after(async () => {
  await http?.close();
  rmSync(work, { recursive: true, force: true });
});

test('an interrupted download keeps its .part and the next attempt resumes with Range', async () => {
  const dataDir = join(work, 'resume');
  const u = updater(otaConfig(dataDir, [K], { download_timeout_ms: 2000 }));
  http.cutNext.set('v6.bundle', 1_000_000);
  await assert.rejects(u.install(`${http.url}/v6.bundle`), (e: Error & { code?: string }) => e.code === 'DOWNLOAD');
  assert.ok(existsSync(join(dataDir, 'ota', 'downloads', 'v6.bundle.part')), 'partial download kept for resume');
  const progress: number[] = [];
  u.on('event', (e: { type: string; done_bytes?: number; phase?: string }) => {
    if (e.type === 'ota.progress' && e.phase === 'downloading') progress.push(e.done_bytes!);
  });
  const r = await u.install(`${http.url}/v6.bundle`);
  assert.equal(r.ok, true);
  assert.ok(http.rangeRequests.some((x) => /^v6\.bundle:bytes=[1-9]\d*-$/.test(x)), 'second attempt resumed with an open Range');
  assert.ok(progress.length > 0 && progress[0] > 1_000_000, 'progress resumes past the first attempt');
  assert.equal(activeSha(u.activeModelPath('vad')), sha(v6));
  assert.equal(existsSync(join(dataDir, 'ota', 'downloads', 'v6.bundle.part')), false);
});

test('a download larger than ota.max_bundle_bytes is refused and not kept', async () => {
  const dataDir = join(work, 'cap');
  const cfg = otaConfig(dataDir, [K], { max_bundle_bytes: 100_000 });
  const u = updater(cfg);
  await assert.rejects(u.install(`${http.url}/v6.bundle`), /over ota.max_bundle_bytes/);
  const shipped = shippedModelPath(cfg, 'vad');
  assert.match(shipped ?? '', /\.onnx$/, 'without an OTA bundle the shipped model from models/manifest.json is used');
  assert.equal(u.activeModelPath('vad'), shipped);
});

test('activation waits for the recording session to end, and gives up after the maximum', async () => {
  const dataDir = join(work, 'session');
  let active = true;
  const u = updater(otaConfig(dataDir, [K], { max_wait_for_session_s: 30 }), { isSessionActive: () => active, sessionPollMs: 20 });
  const events: string[] = [];
  u.on('event', (e: { type: string }) => events.push(e.type));
  const p = u.install(join(bundles, 'v5.bundle'));
  while (!events.includes('ota.waiting_for_session')) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(u.activeModelPath('vad'), shippedModelPath(u.config, 'vad'), 'no switch while the session is active');
  active = false;
  await p;
  assert.equal(activeSha(u.activeModelPath('vad')), sha(v5));

  const u2 = updater(otaConfig(dataDir, [K], { max_wait_for_session_s: 0 }), { isSessionActive: () => true, sessionPollMs: 20 });
  await assert.rejects(u2.install(join(bundles, 'v6.bundle')), /session still active/);
  assert.equal(activeSha(u2.activeModelPath('vad')), sha(v5));
  assert.equal((u2.status() as { phase: string }).phase, 'idle');
});

test('probation commits after enough healthy segments', async () => {
  const dataDir = join(work, 'segments');
  const u = updater(otaConfig(dataDir, [K], { probation_minutes: 60, probation_segments: 3 }));
  await u.install(join(bundles, 'v5.bundle'));
  assert.equal((u.status() as { phase: string }).phase, 'probation');
  u.reportHealthy();
  u.reportHealthy();
  assert.equal((u.status() as { phase: string }).phase, 'probation');
  u.reportHealthy();
  assert.equal((u.status() as { phase: string }).phase, 'idle');
  assert.equal((u.status() as { last_result: { action: string } }).last_result.action, 'commit');
  u.stop();
});

test('a bundle that passes golden but crash-loops the inference child is rolled back without an operator', async () => {
  const dataDir = join(work, 'probation');
  const cfg = otaConfig(dataDir, [K], { probation_minutes: 60, probation_segments: 0, probation_max_crashes: 3 });
  const u = updater(cfg);
  await u.install(join(bundles, 'v5.bundle'));
  u.commit();
  await u.install(join(bundles, 'v6.bundle'));
  assert.equal((u.status() as { phase: string }).phase, 'probation');
  assert.equal(activeSha(u.activeModelPath('vad')), sha(v6));

  // The supervisor side: a real inference child loading whatever the updater says is active.
  const host = new WorkerHost({
    requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 10, restartWindowMs: 60000, threads: 1, logger: silentLogger().root,
    env: { PARLEY_TEST_FAULTS: '1', PARLEY_FAULT_CRASH_MODEL_SHA256: sha(v6) },
  });
  const rolledBack = new Promise<void>((resolve) => u.on('model-changed', () => resolve()));
  host.on('restarted', () => void u.reportCrash());
  await host.start();
  try {
    await host.load('vad', { kind: 'ota.vad-probe', options: { modelPath: u.activeModelPath('vad') } });
    let crashes = 0;
    for (let i = 0; i < 6 && (u.status() as { phase: string }).phase === 'probation'; i++) {
      await assert.rejects(host.call('vad', 'process', [new Float32Array(512)]), (e: Error & { code?: string }) => e.code === 'INFERENCE_CRASHED');
      crashes++;
      await new Promise<void>((r) => host.once('restarted', () => r()));
    }
    await rolledBack;
    assert.equal(crashes, 3);
    const st = u.status() as { phase: string; bad_versions: string[]; last_result: { action: string; reason: string } };
    assert.equal(st.phase, 'idle');
    assert.deepEqual(st.bad_versions, ['6.2.0']);
    assert.equal(st.last_result.action, 'rollback');
    assert.equal(activeSha(u.activeModelPath('vad')), sha(v5));
    // The supervisor reloads the active (previous) model and inference works again.
    await host.load('vad', { kind: 'ota.vad-probe', options: { modelPath: u.activeModelPath('vad') } });
    const p = await host.call<number>('vad', 'process', [new Float32Array(512)]);
    assert.ok(p >= 0 && p <= 1);
  } finally {
    await host.stop();
  }
  // The bad version is not retried without --force.
  await assert.rejects(u.install(join(bundles, 'v6.bundle')), /marked bad/);
  u.stop();
});

test('recover() falls back when the active slot was damaged on disk', async () => {
  const dataDir = join(work, 'damaged');
  const u = updater(otaConfig(dataDir, [K]));
  await u.install(join(bundles, 'v5.bundle'));
  await u.install(join(bundles, 'v6.bundle'));
  writeFileSync(u.activeModelPath('vad')!, 'garbage');
  const r = await updater(otaConfig(dataDir, [K])).recover();
  assert.equal(r?.reason, 'active_slot_broken');
  assert.equal(activeSha(u.activeModelPath('vad')), sha(v5));
});

test('a probation started by another process (the CLI) is seen by the service updater', async () => {
  const dataDir = join(work, 'crossproc');
  const cfg = otaConfig(dataDir, [K], { probation_minutes: 60, probation_segments: 0, probation_max_crashes: 3 });
  const service = updater(cfg);
  await service.recover();
  const cli = updater(cfg);
  await cli.install(join(bundles, 'v5.bundle'));
  cli.commit();
  await cli.install(join(bundles, 'v6.bundle'));
  cli.stop();
  for (let i = 0; i < 3; i++) await service.reportCrash();
  const st = service.status() as { phase: string; bad_versions: string[] };
  assert.equal(st.phase, 'idle');
  assert.deepEqual(st.bad_versions, ['6.2.0']);
  assert.equal(activeSha(service.activeModelPath('vad')), sha(v5));
  service.stop();
});
