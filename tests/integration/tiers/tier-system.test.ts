/**
 * Component-level thermal ramp: the real TierSystem (monitor on a fixture sysfs tree, tier
 * controller, backlog on a real parley database, catch-up, disk budget, jobs) goes into
 * minimal, spools speech, comes back to normal and drains the backlog: zero loss.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/load.js';
import { openDatabase } from '../../../src/storage/db.js';
import { TierSystem } from '../../../src/supervisor/tier-system.js';
import { silentLogger } from '../../../src/util/logger.js';
import { fixtureTree } from '../../helpers/tiers-sysfs.js';
import { rmsTextStage } from '../../helpers/tiers-stages.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('TierSystem: ramp into minimal spools speech; recovery drains it into the segments', async () => {
  const work = mkdtempSync(join(tmpdir(), 'parley-tiersys-'));
  const sys = fixtureTree('rpi5');
  const cfg = defaultConfig({
    storage: { db_path: join(work, 'parley.db'), audio_dir: join(work, 'audio') },
    monitor: { sysfs_root: sys.root, interval_ms: 100, use_vcgencmd: false },
    tiers: { enter_confirm_s: 0.3, exit_confirm_s: 0.3, dwell_s: 0.8 },
    budgets: { disk_reserve_mb: 1, disk_retention_target_mb: 1 },
  });
  const pdb = openDatabase(cfg.storage, { logger: silentLogger().root });
  const changes: string[] = [];
  const ts = new TierSystem({
    cfg, db: pdb, logger: silentLogger(), stages: [rmsTextStage()],
    onTierChange: (c, a) => changes.push(`${c.to}:${a.asr}`),
    retentionStore: { deleteTranscriptsOlderThan: () => 0 },
    startSession: () => undefined, stopSession: () => undefined,
  });
  try {
    sys.setTempC(55);
    ts.start();
    await sleep(300);
    assert.equal(ts.status().tier, 'normal');
    sys.setTempC(83);
    await until(() => ts.status().tier === 'minimal', 'minimal');
    assert.equal(ts.status().actions.asr, 'deferred');
    assert.equal(ts.captureAllowed(), true, 'minimal keeps capturing');
    const sessionId = pdb.sessions.start({ source: 'test', deviceId: 't', wallStartMs: Date.now() }).sessionId;
    for (let i = 0; i < 10; i++) {
      const seg = { startSample: i * 32000, endSample: i * 32000 + 16000, samples: new Float32Array(16000).fill(0.05 * (i + 1)), closedAtMonoMs: 0, closeReason: 'silence' as const };
      const { segmentId } = pdb.segments.insert(sessionId, seg, { tier: 'minimal', wallStartMs: Date.now(), deviceId: 't' });
      assert.equal(ts.spool({ sessionId, segmentId, ...seg }).accepted, true);
    }
    await sleep(500);
    assert.equal(ts.status().backlog.queued, 10, 'nothing drains while the tier defers ASR');
    assert.match(ts.statusLine(), /tier minimal; backlog 10 items/);
    sys.setTempC(60);
    await until(() => ts.status().tier === 'normal', 'normal');
    await until(() => ts.status().backlog.queued === 0, 'backlog drained');
    const rows = pdb.db.prepare('SELECT text FROM segments WHERE session_id = ? ORDER BY start_sample').all(sessionId) as Array<{ text: string | null }>;
    assert.equal(rows.length, 10);
    assert.ok(rows.every((r) => r.text?.startsWith('rms ')), 'every spooled segment got its text');
    assert.deepEqual(changes.slice(0, 1), ['minimal:deferred']);
    assert.equal(changes.at(-1), 'normal:normal');
    assert.equal(ts.status().disk?.capturePaused, false);
  } finally {
    await ts.stop();
    pdb.close();
    sys.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
