/** tests/helpers/audio-eval-dir.ts — locate ../shared/eval (PARLEY_EVAL_DIR, <repo>/../shared/eval, /work/shared/eval). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function evalDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = [process.env.PARLEY_EVAL_DIR, resolve(repoRoot, '..', 'shared', 'eval'), '/work/shared/eval'].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(resolve(c, 'jfk', 'jfk.wav'))) return c;
  throw new Error(`evaluation recordings not found (tried ${candidates.join(', ')}); set PARLEY_EVAL_DIR to the shared eval folder`);
}
