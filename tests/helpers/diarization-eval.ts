import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared evaluation directory (PARLEY_EVAL_DIR, else <repo>/../shared/eval); throws when none exists. */
export function evalDir(): string {
  const cands = [process.env.PARLEY_EVAL_DIR, resolve(REPO_ROOT, '..', 'shared', 'eval')].filter((x): x is string => !!x);
  for (const c of cands) if (existsSync(join(c, 'pyannote-sample', 'sample.wav'))) return c;
  throw new Error(`evaluation audio not found (tried ${cands.join(', ')}); set PARLEY_EVAL_DIR to the folder holding pyannote-sample/`);
}

export const MD_EVAL = '/usr/lib/sctk/bin/md-eval.pl';

/** Fails loudly when md-eval.pl is missing. */
export function requireMdEval(): string {
  if (!existsSync(MD_EVAL)) throw new Error(`${MD_EVAL} not found: install Debian package sctk (scripts/install-system-deps.sh)`);
  return MD_EVAL;
}
