/**
 * T01: SIGKILL a writer at random points while it commits segments; afterwards
 * integrity_check is ok and every segment the writer acknowledged is present, with its
 * outbox event (same transaction). Runs for synchronous NORMAL and FULL.
 * Iterations per mode: PARLEY_T01_ITERATIONS (default 8, so 16 kills in CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tmpDbPath } from '../helpers/storage-tmp.js';

const CHILD = fileURLToPath(new URL('../helpers/storage-writer-child.ts', import.meta.url));
const ITERATIONS = Number(process.env.PARLEY_T01_ITERATIONS ?? 8);

function runAndKill(dbPath: string, sync: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, sync], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guardTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('acked ')) acked.push(line.split(' ')[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guardTimer);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code} ${signal}: ${stderr}`));
      else resolve(acked);
    });
  });
}

for (const sync of ['NORMAL', 'FULL']) {
  test(`kill -9 during segment writes keeps every acked segment (synchronous=${sync})`, { timeout: 180_000 }, async () => {
    const t = tmpDbPath('parley-t01-');
    try {
      const all: string[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const acked = await runAndKill(t.path, sync, 50 + Math.floor(Math.random() * 850));
        all.push(...acked);
        // Verify from a separate read-only connection, as an external checker would.
        const db = new Database(t.path, { readonly: true, fileMustExist: true });
        try {
          assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
          const have = new Set((db.prepare('SELECT id FROM segments').all() as { id: string }[]).map((r) => r.id));
          const missing = all.filter((id) => !have.has(id));
          assert.deepEqual(missing, [], `iteration ${i}: acked segments missing`);
          const evIds = new Set((db.prepare("SELECT json_extract(payload_json, '$.segment_id') AS id FROM outbox WHERE kind = 'segment'")
            .all() as { id: string }[]).map((r) => r.id));
          assert.equal(evIds.size, have.size, 'one outbox event per segment');
          for (const id of have) assert.ok(evIds.has(id), `segment ${id} has its outbox event`);
          const seqs = (db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
          for (let k = 1; k < seqs.length; k++) assert.ok(seqs[k] > seqs[k - 1]);
        } finally {
          db.close();
        }
      }
      assert.ok(all.length > 0, 'the writer acknowledged at least one segment');
    } finally {
      t.cleanup();
    }
  });
}
