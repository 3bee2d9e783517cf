import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FileEntry { path: string; size: number; mtimeMs: number }

/**
 * Regular files below `dir`, recursively, skipping the directories in `protect` (exact
 * paths, resolved by the caller). Unreadable directories and entries that vanish while
 * walking are skipped: a retention or disk-space pass must not fail on a racing delete.
 */
export function listFiles(dir: string, protect: readonly string[] = []): FileEntry[] {
  if (protect.includes(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: FileEntry[] = [];
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...listFiles(p, protect));
    else if (st.isFile()) out.push({ path: p, size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}
