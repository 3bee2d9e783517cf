import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeAlsaDevice } from '../../../src/audio/alsa-probe.js';
import { createAlsaFileDevice } from '../../helpers/alsa-file-device.js';

test('probe: a working capture device (ALSA file plugin) is ok', async () => {
  const dev = createAlsaFileDevice({ mode: 'file', bytes: new Uint8Array(64000) });
  try {
    const r = await probeAlsaDevice(dev.device, { env: dev.env });
    assert.equal(r.ok, true, r.message);
    assert.ok(r.bytes >= 3200);
  } finally {
    dev.cleanup();
  }
});

test('probe: an unknown device fails with arecord\'s reason', async () => {
  const dev = createAlsaFileDevice({ mode: 'file' });
  try {
    const r = await probeAlsaDevice('nosuchdevice', { env: dev.env });
    assert.equal(r.ok, false);
    assert.match(r.message, /nosuchdevice.*exited.*arecord -L/);
  } finally {
    dev.cleanup();
  }
});

test('probe: a device that delivers nothing times out', async () => {
  const dev = createAlsaFileDevice({ mode: 'fifo' });
  try {
    const r = await probeAlsaDevice(dev.device, { env: dev.env, timeoutMs: 500 });
    assert.equal(r.ok, false);
    assert.match(r.message, /no audio .* within 500 ms/);
  } finally {
    dev.cleanup();
  }
});

test('probe: missing arecord is reported with the package to install', async () => {
  const r = await probeAlsaDevice('default', { env: { PATH: '/nonexistent-parley-test-dir' } });
  assert.equal(r.ok, false);
  assert.match(r.message, /alsa-utils/);
});
