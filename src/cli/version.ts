import { readFileSync } from 'node:fs';

/** parley's version from package.json (two levels above dist/cli or src/cli). */
export function parleyVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
