/** Locate the shared evaluation recordings (PARLEY_EVAL_DIR, <repo>/../shared/eval, /work/shared/eval). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function evalDir(): string {
  const candidates = [process.env.PARLEY_EVAL_DIR, resolve(REPO_ROOT, '..', 'shared', 'eval'), '/work/shared/eval'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`evaluation recordings not found (tried ${candidates.join(', ')}); set PARLEY_EVAL_DIR`);
  return found;
}
