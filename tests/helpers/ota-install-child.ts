/**
 * Child process for the OTA interruption matrix: runs one install with the fault hook
 * given in PARLEY_FAULT (PARLEY_TEST_FAULTS=1), so the parent can kill it at that state.
 * Input: env OTA_CHILD = JSON { dataDir, keys: [{key_id, public_key}], source, over }.
 * Output: one JSON line on stdout with the result or the error reason.
 */
import { defaultConfig } from '../../src/config/load.js';
import { OtaUpdater } from '../../src/ota/updater.js';
import { silentLogger } from '../../src/util/logger.js';

const input = JSON.parse(process.env.OTA_CHILD ?? '{}') as { dataDir: string; keys: unknown[]; source: string; over?: Record<string, unknown> };
const config = defaultConfig({ device: { class: 'rpi5' }, ota: { data_dir: input.dataDir, trusted_keys: input.keys, probation_minutes: 0, ...input.over } });
const u = new OtaUpdater({ config, parleyVersion: '0.1.0', logger: silentLogger().root });
try {
  await u.recover();
  const r = await u.install(input.source, { force: true });
  process.stdout.write(`${JSON.stringify({ ok: true, result: r })}\n`);
  process.exitCode = 0;
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message, code: (e as { code?: string }).code })}\n`);
  process.exitCode = 1;
} finally {
  u.stop();
}
