/**
 * One OTA transition at a time across processes (the service and `parley models install`):
 * an O_EXCL lock file holding the owner's pid; a lock whose pid is gone is taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../util/errors.js';
import type { OtaPaths } from './ota-state.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(p: OtaPaths): () => void {
  mkdirSync(p.otaDir, { recursive: true });
  const file = join(p.otaDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new AppError('OTA_FAILED', `another OTA operation (pid ${pid}) is running`, { retryable: true });
      }
      unlinkSync(file);
    }
  }
  throw new AppError('OTA_FAILED', 'could not take the OTA lock');
}
