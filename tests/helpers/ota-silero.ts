/**
 * Real Silero VAD v5 and v6.2 ONNX files for OTA tests, extracted from the npm tarball
 * of @ricky0123/vad-web@0.0.31 (`npm pack`, no install) and cached under os.tmpdir().
 * Fails loudly when npm cannot reach its registry. sha256 pinned from MODELS.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SILERO = {
  v5: { file: 'silero_vad_v5.onnx', sha256: '2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f' },
  v6: { file: 'silero_vad_v6.onnx', sha256: '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3' },
} as const;

const PKG = '@ricky0123/vad-web@0.0.31';

function sha(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/** Paths of the real v5 and v6.2 files (downloaded once per machine). */
export function sileroFiles(): { v5: string; v6: string } {
  const dir = join(tmpdir(), 'parley-ota-silero');
  const out = { v5: join(dir, SILERO.v5.file), v6: join(dir, SILERO.v6.file) };
  if (existsSync(out.v5) && existsSync(out.v6) && sha(out.v5) === SILERO.v5.sha256 && sha(out.v6) === SILERO.v6.sha256) return out;
  const work = join(dir, `.work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    try {
      execFileSync('npm', ['pack', PKG, '--silent'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180000 });
    } catch (e) {
      throw new Error(`could not fetch Silero VAD test models with \`npm pack ${PKG}\` (is the npm registry reachable?): ${(e as Error).message}`);
    }
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${PKG} produced no tarball`);
    execFileSync('tar', ['xzf', tgz, `package/dist/${SILERO.v5.file}`, `package/dist/${SILERO.v6.file}`], { cwd: work });
    for (const k of ['v5', 'v6'] as const) {
      const f = join(work, 'package', 'dist', SILERO[k].file);
      if (sha(f) !== SILERO[k].sha256) throw new Error(`${f} sha256 differs from the pinned value; the npm package changed`);
      renameSync(f, out[k]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}
