import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { IndicatorDevice } from '../../../src/serial/device.js';
import { crc8 } from '../../../src/serial/frame-codec.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createPtyPair } from '../../helpers/serial-pty.js';

const BOARD_FLAGS = constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY;
const frame = (body: string): string => `$${body}*${crc8(body).toString(16).toUpperCase().padStart(2, '0')}\n`;

/** Read whatever the host sent to the board side within `ms`. */
async function readBoard(fd: number, ms: number): Promise<string> {
  let out = '';
  const buf = Buffer.alloc(4096);
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n > 0) out += buf.subarray(0, n).toString('latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

test('real pty: LED frames reach the board, corrupted frames are skipped, unplug/replug reconnects and re-sends the LED state', async () => {
  const pty = await createPtyPair();
  const cfg = defaultConfig({ serial: { enabled: true, path: pty.hostPath, reconnect_initial_ms: 100, reconnect_max_ms: 400 } }).serial;
  const dev = new IndicatorDevice({ cfg, logger: silentLogger().root });
  try {
    dev.setLed('recording');
    const connected = once(dev, 'connected');
    await dev.start();
    await connected;
    let board = openSync(pty.boardPath, BOARD_FLAGS);
    assert.match(await readBoard(board, 300), /\$LED,recording\*[0-9A-F]{2}\n/);

    const mute = once(dev, 'mute');
    writeSync(board, Buffer.from(`\xff\xfe junk $MUTE,1*00\n$BTN,SESS${frame('MUTE,1')}`, 'latin1'));
    assert.deepEqual(await mute, [true]);
    assert.ok(dev.stats().badChecksum >= 1);

    const lost = once(dev, 'disconnected');
    closeSync(board);
    await pty.unplug();
    await lost;
    dev.setLed('muted');
    await pty.plug();
    await once(dev, 'connected');
    board = openSync(pty.boardPath, BOARD_FLAGS);
    assert.match(await readBoard(board, 1500), /\$LED,muted\*/, 'state re-sent after reconnect');
    closeSync(board);
    assert.ok(dev.stats().reconnects >= 1);
  } finally {
    await dev.stop();
    await pty.close();
  }
});
