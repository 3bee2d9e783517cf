import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { silentLogger } from '../../../src/util/logger.js';

function host(over: Partial<ConstructorParameters<typeof WorkerHost>[0]> = {}): WorkerHost {
  return new WorkerHost({
    requestTimeoutMs: 2000, loadTimeoutMs: 20000, maxRestarts: 2, restartWindowMs: 60000, threads: 1,
    logger: silentLogger().root, env: { PARLEY_TEST_FAULTS: '1' }, ...over,
  });
}

test('a real forked child answers calls with typed arrays over IPC', async () => {
  const h = host();
  await h.start();
  try {
    await h.load('e', { kind: 'test.echo', options: { a: 1 } });
    assert.equal(await h.call('e', 'sum', [new Float32Array([1, 2, 3.5])]), 6.5);
    assert.deepEqual(await h.call('e', 'options'), { a: 1 });
    await assert.rejects(h.call('e', 'nope'), /unknown method nope/);
    await assert.rejects(h.call('missing', 'echo', [1]), (e: Error & { code?: string }) => e.code === 'INFERENCE_UNAVAILABLE');
  } finally {
    await h.stop();
  }
});

test('a crashed child is restarted and its engines reloaded', async () => {
  const h = host();
  await h.start();
  try {
    await h.load('e', { kind: 'test.echo', options: {} });
    const pid1 = h.health().pid;
    const restarted = new Promise((r) => h.once('restarted', r));
    await assert.rejects(h.call('e', 'crash'), (e: Error & { code?: string }) => e.code === 'INFERENCE_CRASHED');
    await restarted;
    assert.notEqual(h.health().pid, pid1);
    assert.equal(await h.call('e', 'echo', ['back']), 'back');
  } finally {
    await h.stop();
  }
});

test('a hung child times out, is killed and restarted', async () => {
  const h = host({ requestTimeoutMs: 500 });
  await h.start();
  try {
    await h.load('e', { kind: 'test.echo', options: {} });
    const pid1 = h.health().pid!;
    await assert.rejects(h.call('e', 'hang'), (e: Error & { code?: string }) => e.code === 'INFERENCE_TIMEOUT');
    await new Promise((r) => h.once('restarted', r));
    assert.throws(() => process.kill(pid1, 0), /ESRCH/);
    assert.equal(await h.call('e', 'echo', [7]), 7);
  } finally {
    await h.stop();
  }
});

test('too many restarts leave inference degraded instead of crash-looping', async () => {
  const h = host({ maxRestarts: 1 });
  await h.start();
  try {
    await h.load('e', { kind: 'test.echo', options: {} });
    await assert.rejects(h.call('e', 'abort'));
    await new Promise((r) => h.once('restarted', r));
    const degraded = new Promise((r) => h.once('degraded', r));
    await assert.rejects(h.call('e', 'crash'));
    await degraded;
    assert.equal(h.state, 'degraded');
    await assert.rejects(h.call('e', 'echo', [1]), (e: Error & { code?: string }) => e.code === 'INFERENCE_UNAVAILABLE');
  } finally {
    await h.stop();
  }
});

test('stop reaps the child', async () => {
  const h = host();
  await h.start();
  const pid = h.health().pid!;
  await h.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
