import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { MockBinding } from '@serialport/binding-mock';
import { defaultConfig } from '../../../src/config/load.js';
import { IndicatorDevice } from '../../../src/serial/device.js';
import { crc8 } from '../../../src/serial/frame-codec.js';
import { silentLogger } from '../../../src/util/logger.js';

const frame = (body: string): string => `$${body}*${crc8(body).toString(16).toUpperCase().padStart(2, '0')}\n`;
const cfg = defaultConfig({ serial: { enabled: true, path: '/dev/PARLEY0', reconnect_initial_ms: 50, reconnect_max_ms: 100 } }).serial;

function mockPort(dev: IndicatorDevice): { emitData(d: string): void; recording: Buffer } {
  return (dev as unknown as { port: { port: { emitData(d: string): void; recording: Buffer } } }).port.port;
}

test('LED state is sent on connect and on change; hardware mute and buttons are emitted once per change', async () => {
  MockBinding.reset();
  MockBinding.createPort('/dev/PARLEY0', { echo: false, record: true });
  const dev = new IndicatorDevice({ cfg, logger: silentLogger().root, binding: MockBinding });
  dev.setLed('listening');
  const connected = once(dev, 'connected');
  await dev.start();
  await connected;
  dev.setLed('recording');
  await new Promise((r) => setTimeout(r, 20));
  const port = mockPort(dev);
  const sent = port.recording.toString('latin1');
  assert.ok(sent.startsWith(frame('LED,listening')), sent);
  assert.ok(sent.includes(frame('LED,recording')));
  const mutes: boolean[] = [];
  const buttons: string[] = [];
  dev.on('mute', (m: boolean) => mutes.push(m));
  dev.on('button', (b: string) => buttons.push(b));
  port.emitData(`garbage${frame('MUTE,1')}${frame('MUTE,1')}$MU`);
  port.emitData(`TE,0*zz\n${frame('BTN,SESSION')}${frame('MUTE,0')}`);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(mutes, [true, false]);
  assert.deepEqual(buttons, ['SESSION']);
  assert.equal(dev.stats().frames, 4);
  assert.ok(dev.stats().malformed >= 1);
  await dev.stop();
});

test('a device that is absent at start is retried with backoff and picked up when it appears', async () => {
  MockBinding.reset();
  const dev = new IndicatorDevice({ cfg, logger: silentLogger().root, binding: MockBinding });
  const disc = once(dev, 'disconnected');
  await dev.start();
  await disc;
  MockBinding.createPort('/dev/PARLEY0', { echo: false, record: true });
  await once(dev, 'connected');
  assert.ok(dev.stats().reconnects >= 1);
  assert.equal(dev.stats().connected, true);
  await dev.stop();
});
