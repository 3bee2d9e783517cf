import assert from 'node:assert/strict';
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { crc8 } from '../../../src/serial/frame-codec.js';
import { REPO } from '../../helpers/cli.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { createPtyPair } from '../../helpers/serial-pty.js';
import { startService } from '../../helpers/service.js';

const frame = (body: string): string => `$${body}*${crc8(body).toString(16).toUpperCase().padStart(2, '0')}\n`;

function readAll(fd: number): string {
  const buf = Buffer.alloc(8192);
  let out = '';
  for (;;) {
    try {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) return out;
      out += buf.subarray(0, n).toString('latin1');
    } catch {
      return out;
    }
  }
}

test('hardware mute stops capture at the source, shows on the LED and in status, and MQTT unmute is refused', async () => {
  const pty = await createPtyPair();
  const broker = await MosquittoBroker.start();
  const yaml = [
    'device:', '  id: hm1',
    'audio:', '  source: file', `  file: ${join(REPO, 'tests', 'fixtures', 'audio', 'demo.wav')}`, '  file_realtime: true', '  file_loop: true',
    'asr:', '  engine: none',
    'serial:', '  enabled: true', `  path: ${pty.hostPath}`, '  reconnect_initial_ms: 100', '  reconnect_max_ms: 500',
    'mqtt:', '  enabled: true', `  url: ${broker.url}`,
  ].join('\n');
  const svc = await startService({ yaml });
  const client = await mqtt.connectAsync(broker.url);
  const board = openSync(pty.boardPath, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    await svc.waitFor((l) => l.msg === 'capture.opened', 60000);
    await svc.waitFor((l) => l.msg === 'serial.connected', 30000);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(readAll(board), /\$LED,recording\*/);

    writeSync(board, frame('MUTE,1'));
    await svc.waitFor((l) => l.msg === 'capture.closed', 15000);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(readAll(board), /\$LED,muted\*/);

    const responses: Record<string, unknown>[] = [];
    let status: Record<string, unknown> | undefined;
    client.on('message', (topic, payload) => {
      if (topic.endsWith('cmd/unmute/response')) responses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      if (topic === 'parley/hm1/status') status = JSON.parse(payload.toString()) as Record<string, unknown>;
    });
    await client.subscribeAsync(['parley/hm1/cmd/unmute/response', 'parley/hm1/status'], { qos: 1 });
    await client.publishAsync('parley/hm1/cmd/unmute', JSON.stringify({ id: 'u1' }), { qos: 1 });
    const t0 = Date.now();
    while (responses.length === 0 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(responses[0]?.id, 'u1');
    assert.equal(responses[0]?.ok, false, JSON.stringify(responses[0]));
    assert.match(JSON.stringify(responses[0]?.error), /hardware mute/);
    assert.equal(status?.hard_muted, true);
    assert.equal(status?.capture, 'muted');

    writeSync(board, frame('MUTE,0'));
    await svc.waitFor((l) => l.msg === 'capture.opened' && svc.logs.filter((x) => x.msg === 'capture.opened').length >= 2, 15000);
    const r = await svc.stop('SIGTERM');
    assert.equal(r.code, 0, svc.stderr());
  } finally {
    closeSync(board);
    await client.endAsync();
    svc.cleanup();
    await broker.cleanup();
    await pty.close();
  }
});
