/** Shared plumbing of the `parley models keygen|bundle|install|status|rollback` commands. */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { ManifestError, SignatureError, type OtaRejectReason } from '../util/errors.js';
import { stderrLogger } from '../util/logger.js';
import { OtaUpdater } from './updater.js';

export const DEFAULT_CONFIG_FILE = '/etc/parley/config.yaml';

/** Distinct exit code per rejection reason (documented in docs/ota.md). */
export const EXIT_CODES: Record<OtaRejectReason, number> = {
  bad_signature: 10, unknown_key: 11, revoked_key: 12, truncated_signature: 13, manifest_too_large: 14,
  bad_path: 15, hash_mismatch: 16, size_mismatch: 17, downgrade: 18, incompatible_device: 19,
  parley_too_old: 20, golden_failed: 21, malformed: 22, bad_version: 23,
};

export function parleyPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function openUpdater(configFlag: string | boolean | undefined): OtaUpdater {
  const file = typeof configFlag === 'string' ? configFlag : existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
  const { config } = loadConfig(file);
  return new OtaUpdater({ config, parleyVersion: parleyPackageVersion(), logger: stderrLogger(process.env.PARLEY_LOG_LEVEL ?? 'warn').root });
}

/** Print a rejection as one line and map it to its exit code; rethrow anything else. */
export function rejectionExit(e: unknown): number {
  if (e instanceof SignatureError || e instanceof ManifestError) {
    process.stderr.write(`parley: rejected: ${e.oneLine()}\n`);
    return EXIT_CODES[e.reason];
  }
  throw e;
}
