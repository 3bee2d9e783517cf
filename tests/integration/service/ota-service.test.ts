import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { REPO } from '../../helpers/cli.js';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { buildBundle, makeKey } from '../../helpers/ota-bundles.js';
import { sileroFiles } from '../../helpers/ota-silero.js';
import { startService } from '../../helpers/service.js';

test('a running service installs a signed bundle from cmd/models/update after the session ends, reloads its VAD and publishes event/ota', async () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-ota-svc-'));
  const broker = await MosquittoBroker.start();
  const key = makeKey();
  const { file } = await buildBundle({ dir: work, name: 'silero-vad-v5', version: '5.0.0', model: readFileSync(sileroFiles().v5), key });
  const yaml = stringify({
    device: { id: 'ota1' },
    audio: { source: 'file', file: join(REPO, 'tests', 'fixtures', 'audio', 'demo.wav') },
    asr: { engine: 'none' },
    mqtt: { enabled: true, url: broker.url },
    ota: { data_dir: join(work, 'data'), trusted_keys: [key.trusted], probation_minutes: 0, probation_segments: 0 },
  });
  const svc = await startService({ yaml, dir: work });
  const client = await mqtt.connectAsync(broker.url);
  try {
    const ota: Record<string, unknown>[] = [];
    const responses: Record<string, unknown>[] = [];
    client.on('message', (topic, payload) => {
      const p = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (topic === 'parley/ota1/event/ota') ota.push(p);
      if (topic === 'parley/ota1/cmd/models/update/response') responses.push(p);
    });
    await client.subscribeAsync(['parley/ota1/event/ota', 'parley/ota1/cmd/models/update/response'], { qos: 1 });
    // The file source ends → the session ends → an update may activate.
    await svc.waitFor((l) => l.msg === 'session.ended', 60000);
    await client.publishAsync('parley/ota1/cmd/models/update', JSON.stringify({ id: 'u1', path: file }), { qos: 1 });
    const reloaded = await svc.waitFor((l) => l.msg === 'ota.vad_reloaded', 90000);
    assert.match(String(reloaded.path), /slots/);
    const t0 = Date.now();
    while (responses.length === 0 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(responses[0]?.id, 'u1');
    assert.ok(ota.length >= 2, `event/ota messages: ${JSON.stringify(ota).slice(0, 500)}`);
    const seqs = ota.map((o) => o.seq as number);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'event/ota in seq order');
    const r = await svc.stop('SIGTERM');
    assert.equal(r.code, 0, svc.stderr());
  } finally {
    await client.endAsync();
    svc.cleanup();
    await broker.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
