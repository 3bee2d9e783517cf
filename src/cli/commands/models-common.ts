import { loadConfig } from '../../config/load.js';
import type { ModelManifest } from '../../models/manifest.js';
import { loadConfiguredManifest } from '../../models/model-store.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';

/**
 * Shared start of `models fetch` / `models verify`: `--config`, the configured manifest,
 * and the bundle names on the command line (each must be in the manifest).
 */
export function modelsCommandSetup(argv: string[]): { config: ReturnType<typeof loadConfig>['config']; manifest: ModelManifest; names: string[] } {
  const { flags, positionals } = parseArgs(argv, { config: 'string' });
  const { config } = loadConfig(flags.config as string | undefined);
  const manifest = loadConfiguredManifest(config);
  for (const n of positionals) {
    if (!manifest.bundles[n]) throw new UsageError(`no model bundle named ${n}`, { hint: `known: ${Object.keys(manifest.bundles).sort().join(', ')}` });
  }
  return { config, manifest, names: positionals };
}
