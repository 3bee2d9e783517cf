import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBroker } from '../../../src/mqtt/broker-check.js';
import { defaultConfig } from '../../../src/config/load.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';

test('checkBroker: ok against a running broker, a clear failure on a dead port and a missing password file', async () => {
  const broker = await MosquittoBroker.start();
  try {
    const ok = await checkBroker(defaultConfig({ mqtt: { url: broker.url } }).mqtt, 'd');
    assert.equal(ok.ok, true, ok.detail);
    assert.equal(typeof ok.connectMs, 'number');
    const port = await MosquittoBroker.freePort();
    const down = await checkBroker(defaultConfig({ mqtt: { url: `mqtt://127.0.0.1:${port}` } }).mqtt, 'd', 2000);
    assert.equal(down.ok, false);
    assert.match(down.detail, new RegExp(String(port)));
    const pw = await checkBroker(defaultConfig({ mqtt: { url: broker.url, password_file: '/nonexistent/pw' } }).mqtt, 'd');
    assert.equal(pw.ok, false);
    assert.match(pw.detail, /password_file/);
  } finally {
    await broker.cleanup();
  }
});
