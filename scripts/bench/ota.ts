/**
 * OTA benchmark: verify, stage, golden and full-install times for a real Silero v6.2
 * bundle (2.4 MB). Run through `npm run bench` (the lead's runner) or directly:
 *   node --import tsx scripts/bench/ota.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBundle, extractVerified } from '../../src/ota/bundle-file.js';
import { goldenAcceptance } from '../../src/ota/golden.js';
import { verifyManifestSignature } from '../../src/ota/manifest.js';
import { silentLogger } from '../../src/util/logger.js';
import { buildBundle, makeKey } from '../../tests/helpers/ota-bundles.js';
import { otaConfig, updater } from '../../tests/helpers/ota-env.js';
import { sileroFiles } from '../../tests/helpers/ota-silero.js';

export interface BenchRow { area: string; metric: string; value: number; unit: string; target?: string; note?: string }

export async function run(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'ota-bench-'));
  try {
    const f = sileroFiles();
    const K = makeKey();
    const v5 = await buildBundle({ dir: work, name: 'v5', version: '5.0.0', model: readFileSync(f.v5), key: K });
    const v6 = await buildBundle({ dir: work, name: 'v6', version: '6.2.0', model: readFileSync(f.v6), key: K });
    const rows: BenchRow[] = [];
    const row = (metric: string, value: number, unit: string, target?: string, note?: string): void => {
      rows.push({ area: 'ota', metric, value: Math.round(value * 100) / 100, unit, target, note });
    };
    let t = performance.now();
    const N = 50;
    for (let i = 0; i < N; i++) {
      const b = openBundle(v6.file);
      verifyManifestSignature(b.manifest, b.signature, { trusted_keys: [K.trusted], revoked_key_ids: [] });
    }
    row('open_and_verify_signature_ms', (performance.now() - t) / N, 'ms', '< 50', 'tar listing + manifest parse + Ed25519 verify');
    t = performance.now();
    extractVerified(openBundle(v6.file), join(work, 'stage'));
    const stageMs = performance.now() - t;
    row('stage_with_sha256_ms', stageMs, 'ms', undefined, '2.46 MB extracted, hashed, fsynced');
    t = performance.now();
    const g = await goldenAcceptance(v6.manifest, join(work, 'stage'), { threads: 1, loadTimeoutMs: 60000, requestTimeoutMs: 60000, logger: silentLogger().root });
    row('golden_acceptance_ms', performance.now() - t, 'ms', '< 10000', 'fresh inference child + 4 s golden clip');
    row('golden_child_rss_mb', g[0].rssMb, 'MB');
    const dataDir = join(work, 'data');
    const u = updater(otaConfig(dataDir, [K]));
    await u.install(v5.file);
    t = performance.now();
    await u.install(v6.file);
    row('install_total_ms', performance.now() - t, 'ms', '< 15000', 'verify → stage → golden → activate → commit (probation 0)');
    t = performance.now();
    await updater(otaConfig(dataDir, [K])).recover();
    row('recover_idle_ms', performance.now() - t, 'ms', '< 500', 'startup cost: leftovers scan + active slot sha256');
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.metric.padEnd(32)} ${String(r.value).padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
