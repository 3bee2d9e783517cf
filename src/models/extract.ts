/**
 * src/models/extract.ts — obtain one file from an npm package tarball (`npm pack`, no
 * install, no scripts) or from a downloaded tar archive, using the system `tar`.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../util/errors.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 << 20, signal, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why = e.code === 'ENOENT' ? `${cmd} is not installed`
            : e.killed ? `timed out after ${timeoutMs} ms`
              : lastLine(stderr) || e.message;
          reject(new AppError('MODEL_FETCH', `${cmd} ${args.slice(0, 2).join(' ')}: ${why}`, { cause: err, retryable: !!e.killed }));
          return;
        }
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      });
  });
}

function lastLine(s: string | Buffer): string {
  const lines = String(s).split('\n').map((l) => l.trim()).filter((l) => l && !/^npm warn/i.test(l));
  return lines.slice(-3).join(' | ');
}

/**
 * `npm pack <pkg>@<version>` into `workDir` and return the tarball path. The registry
 * is whatever npm is configured with (npm's own config, proxy and cache apply).
 */
export async function npmPack(pkg: string, version: string, workDir: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  await fsp.mkdir(workDir, { recursive: true });
  const r = await run('npm', ['pack', `${pkg}@${version}`, '--ignore-scripts', '--json', '--pack-destination', workDir], workDir, timeoutMs, signal);
  let name: string | undefined;
  try {
    const j = JSON.parse(r.stdout) as { filename?: string }[];
    name = j[0]?.filename;
  } catch {
    name = r.stdout.trim().split('\n').pop();
  }
  if (!name) throw new AppError('MODEL_FETCH', `npm pack ${pkg}@${version} produced no tarball name`);
  // npm names scoped tarballs "scope-name-1.0.0.tgz"; the JSON filename may keep the "@scope/" form.
  const file = name.replace(/^@/, '').replace('/', '-');
  const abs = join(workDir, file);
  await fsp.access(abs).catch(() => {
    throw new AppError('MODEL_FETCH', `npm pack ${pkg}@${version}: tarball ${abs} not found`);
  });
  return abs;
}

/** Extract one member of a tar archive into `outDir`; returns the extracted file path. */
export async function extractMember(archive: string, format: 'tgz' | 'tar.gz' | 'tar.bz2', member: string, outDir: string, timeoutMs: number): Promise<string> {
  await fsp.mkdir(outDir, { recursive: true });
  const flag = format === 'tar.bz2' ? '-xjf' : '-xzf';
  try {
    await run('tar', [flag, archive, '-C', outDir, '--no-same-owner', '--no-same-permissions', '--', member], outDir, timeoutMs);
  } catch (e) {
    throw new AppError('MODEL_FETCH', `${member} is not in ${archive}: ${(e as Error).message}`, { cause: e });
  }
  const out = join(outDir, member);
  const st = await fsp.stat(out).catch(() => undefined);
  if (!st?.isFile()) throw new AppError('MODEL_FETCH', `${member} in ${archive} is not a regular file`);
  return out;
}
