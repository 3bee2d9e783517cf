import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { createAlsaFileDevice } from '../../helpers/alsa-file-device.js';
import { evalDir } from '../../helpers/diarization-eval.js';
import { startService } from '../../helpers/service.js';
import { join } from 'node:path';

function s16(samples: Float32Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), i * 2);
  return b;
}

const CONFIG = (device: string): string => [
  'audio:', '  source: alsa', `  device: ${device}`,
  'asr:', '  engine: none',
  'log:', '  level: info',
].join('\n');

test('acceptance: `parley run` on an ALSA capture device stores speech segments; SIGTERM exits cleanly in < 10 s with no -wal left', async () => {
  const dev = createAlsaFileDevice({ mode: 'fifo' });
  const svc = await startService({ yaml: CONFIG(dev.device), env: dev.env });
  try {
    await svc.waitFor((l) => l.msg === 'capture.opened', 60000);
    const audio = s16(toMono16k(await readWavFile(join(evalDir(), 'pyannote-sample', 'sample.wav'))));
    await dev.feed(audio, { speed: 4 });
    await dev.feed(Buffer.alloc(16000 * 2 * 2), { speed: 4 }); // 2 s of silence closes the last segment
    await svc.waitFor((l) => l.msg === 'segment.stored' && (l.endMs as number) > 25000, 60000);
    const stored = svc.logs.filter((l) => l.msg === 'segment.stored');
    const r = await svc.stop('SIGTERM');
    assert.equal(r.code, 0, svc.stderr());
    assert.ok(r.ms < 10000, `stop took ${r.ms} ms`);
    assert.ok(svc.logs.some((l) => l.msg === 'supervisor.stopped'));
    assert.ok(!existsSync(`${svc.dbPath}-wal`), 'clean close leaves no -wal');
    const db = new Database(svc.dbPath, { readonly: true });
    try {
      const ids = new Set((db.prepare('SELECT id FROM segments').all() as { id: string }[]).map((x) => x.id));
      for (const l of stored) assert.ok(ids.has(l.segmentId as string), `acked segment ${l.segmentId} is in the DB`);
      assert.ok(ids.size >= 3, `segments stored: ${ids.size}`);
      const sessions = db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
      assert.equal(sessions.length, 1);
      const ended = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'session'").get() as { n: number };
      assert.ok(ended.n >= 2, 'session started and ended events are in the outbox');
    } finally {
      db.close();
    }
    // No inference child survives the supervisor.
    const kids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();
    assert.ok(!kids.split(/\s+/).includes(String(svc.proc.pid)));
  } finally {
    svc.cleanup();
    dev.cleanup();
  }
});

test('SIGKILL mid-stream: the database passes integrity_check and every segment the service reported stored is present', async () => {
  const dev = createAlsaFileDevice({ mode: 'fifo' });
  const svc = await startService({ yaml: CONFIG(dev.device), env: dev.env });
  try {
    await svc.waitFor((l) => l.msg === 'capture.opened', 60000);
    const audio = s16(toMono16k(await readWavFile(join(evalDir(), 'pyannote-sample', 'sample.wav'))));
    const feeding = dev.feed(audio, { speed: 4 }).catch(() => undefined);
    await svc.waitFor((l) => l.msg === 'segment.stored', 60000);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    const r = await svc.stop('SIGKILL');
    assert.equal(r.signal, 'SIGKILL');
    await feeding;
    const acked = svc.logs.filter((l) => l.msg === 'segment.stored').map((l) => l.segmentId as string);
    const db = new Database(svc.dbPath, { readonly: true });
    try {
      assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
      const ids = new Set((db.prepare('SELECT id FROM segments').all() as { id: string }[]).map((x) => x.id));
      for (const id of acked) assert.ok(ids.has(id), `acked ${id} present`);
      assert.ok(acked.length >= 1);
    } finally {
      db.close();
    }
  } finally {
    svc.cleanup();
    dev.cleanup();
  }
});
