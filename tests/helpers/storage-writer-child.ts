/**
 * Child process for the T01 kill -9 loop: opens the DB, starts a session and inserts
 * segments (with their outbox events) as fast as it can, printing `acked <segmentId>`
 * on stdout after each commit returns (stdout to a pipe is synchronous on Linux, so a
 * printed id was committed). argv: <dbPath> <synchronous FULL|NORMAL>
 */
import { defaultConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/storage/db.js';
import { silentLogger } from '../../src/util/logger.js';

const [dbPath, sync] = process.argv.slice(2);
const p = openDatabase(defaultConfig({ storage: { synchronous: sync ?? 'NORMAL' } }).storage, { logger: silentLogger().root, path: dbPath });
const { sessionId } = p.sessions.start({ source: 'fault', deviceId: 'crash', wallStartMs: Date.now() });
process.stdout.write('ready\n');
let start = 0;
const text = 'lorem ipsum '.repeat(40);
for (;;) {
  const seg = { startSample: start, endSample: start + 8000, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence' as const, text, speaker: 'S1' };
  const r = p.segments.insert(sessionId, seg, { tier: 'normal', wallStartMs: Date.now(), deviceId: 'crash' });
  process.stdout.write(`acked ${r.segmentId} ${r.seq}\n`);
  start += 8000;
}
