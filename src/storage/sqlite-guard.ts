/**
 * Boundary between better-sqlite3 and the rest of parley: every repository call runs
 * through `guard`, which turns SqliteError/errno failures into typed AppErrors
 * (SQLITE_FULL / ENOSPC → StorageFullError, SQLITE_IOERR* / EIO / EROFS → StorageIoError).
 */
import { toAppError } from '../util/errors.js';

export function guard<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toAppError(e, context);
  }
}

/** Time sources the repositories use; injectable for tests. */
export interface RepoClock {
  wallMs(): number;
  monoMs(): number;
  bootId(): string;
}
