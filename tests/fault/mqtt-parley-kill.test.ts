/**
 * T09 + T10a: parley (a child running MqttService) is SIGKILLed with 500 events queued
 * while the broker is down; after both come back every event is delivered in order
 * from the SQLite outbox. Killing the child while connected makes the broker publish
 * the retained `offline` last will.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MosquittoBroker } from '../helpers/mosquitto.js';
import { EventConsumer } from '../helpers/mqtt-consumer.js';
import { tmpDbPath } from '../helpers/storage-tmp.js';

const CHILD = fileURLToPath(new URL('../helpers/mqtt-service-child.ts', import.meta.url));

function spawnParley(dbPath: string, url: string, count: number): { proc: ChildProcess; waitLine(prefix: string, ms: number): Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, url, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return {
    proc,
    async waitLine(prefix, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const l = lines.find((x) => x.startsWith(prefix));
        if (l) return l;
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`no '${prefix}' from child (exit ${proc.exitCode}): ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function killAndWait(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

test('parley SIGKILLed with a full outbox while the broker is down: all delivered after both return; LWT offline retained', { timeout: 90_000 }, async () => {
  const broker = await MosquittoBroker.start({ persistence: true });
  const consumer = await EventConsumer.connect(broker.url, 'parley/kid', { clientId: 't09-consumer', clean: false });
  await broker.stop();
  const tmp = tmpDbPath('parley-t09-');
  let child = spawnParley(tmp.path, broker.url, 500);
  try {
    const queued = await child.waitLine('queued ', 30_000);
    const lastSeq = Number(queued.split(' ')[1]);
    assert.equal(lastSeq, 501, 'session event + 500 segments');
    await killAndWait(child.proc);
    await broker.startAgain();
    child = spawnParley(tmp.path, broker.url, 0);
    await child.waitLine('connected', 30_000);
    await consumer.waitFor(() => consumer.events.size >= lastSeq, 30_000, `${lastSeq} events (have ${consumer.events.size})`);
    assert.deepEqual(consumer.missingSeqs(lastSeq), []);
    const order = consumer.firstArrivalOrder();
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    // T10a: kill the connected parley; the broker publishes the retained last will.
    await consumer.waitFor(() => consumer.messages('parley/kid/availability').at(-1)?.payload === 'online', 5000, 'online');
    await killAndWait(child.proc);
    await consumer.waitFor(() => consumer.messages('parley/kid/availability').at(-1)?.payload === 'offline', 10_000, 'LWT offline');
    const late = await EventConsumer.connect(broker.url, 'parley/kid');
    try {
      await late.waitFor(() => late.messages('parley/kid/availability').length > 0, 5000, 'retained availability');
      const av = late.messages('parley/kid/availability')[0];
      assert.equal(av.payload, 'offline');
      assert.equal(av.retain, true);
    } finally {
      await late.close();
    }
  } finally {
    await killAndWait(child.proc);
    await consumer.close();
    await broker.cleanup();
    tmp.cleanup();
  }
});
