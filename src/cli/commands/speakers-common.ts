import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/load.js';
import type { FrozenConfig } from '../../config/schema.js';
import { openDatabase, type ParleyDb } from '../../storage/db.js';
import { UsageError } from '../../util/errors.js';
import { stderrLogger } from '../../util/logger.js';

/** Flags every speaker/export/search command accepts. */
export const DB_FLAGS = { config: 'string', db: 'string' } as const;

export const DB_HELP = [
  '  --config FILE   configuration file (default: built-in defaults + PARLEY_* environment)',
  '  --db PATH       SQLite database (default: storage.db_path)',
];

export function loadCliConfig(flags: Record<string, string | boolean | undefined>): FrozenConfig {
  const file = typeof flags.config === 'string' ? flags.config : undefined;
  return loadConfig(file).config;
}

/** Open the database named by --db or the config; `mustExist` for read-only commands. */
export function openCliDb(flags: Record<string, string | boolean | undefined>, mustExist = false): { cfg: FrozenConfig; pdb: ParleyDb } {
  const cfg = loadCliConfig(flags);
  const path = typeof flags.db === 'string' ? flags.db : cfg.storage.db_path;
  if (mustExist && path !== ':memory:' && !existsSync(path)) {
    throw new UsageError(`database not found: ${path}`, { hint: 'pass --db PATH or set storage.db_path' });
  }
  const pdb = openDatabase(cfg.storage, { logger: stderrLogger('warn').child('storage'), path });
  return { cfg, pdb };
}

/** Parse `SS`, `SS.mmm`, `MM:SS(.mmm)` or `HH:MM:SS(.mmm)` into milliseconds. */
export function parseTimeMs(s: string, flag: string): number {
  const parts = s.split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) throw new UsageError(`--${flag}: bad time '${s}' (use seconds or [HH:]MM:SS)`);
  const v = parts.reduce((acc, p) => acc * 60 + Number(p), 0);
  return Math.round(v * 1000);
}

/** `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (VTT). */
export function clock(ms: number, sep: ',' | '.'): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3600000);
  const m = Math.floor((t % 3600000) / 60000);
  const s = Math.floor((t % 60000) / 1000);
  const r = t % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${sep}${String(r).padStart(3, '0')}`;
}
