#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError, toAppError } from '../util/errors.js';
import { COMMANDS } from './registry.js';

export function parleyVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: parley <command> [options]',
    '',
    'parley is an on-device voice appliance: capture -> VAD -> diarization -> ASR -> SQLite -> MQTT.',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${SUMMARIES[n] ?? ''}`),
    '',
    'options:',
    '  --version   print the version',
    '  --help      this help; `parley <command> --help` for a command',
  ].join('\n');
}

/** Short summaries for the top-level help without importing every command. */
const SUMMARIES: Record<string, string> = {
  'config validate': 'check a config file; print every error with its line',
  'speakers enroll': 'enroll a speaker\'s voice from a WAV file or a stretch of a stored session',
  'speakers list': 'list enrolled speakers',
  'speakers rename': 'rename an enrolled speaker (stored segments follow)',
  'speakers merge': 'merge speaker A into speaker B',
  'speakers forget': 'delete a speaker\'s voiceprints (and optionally their segment audio)',
  export: 'export a session as RTTM, JSON, SRT or WebVTT (with speaker names)',
  search: 'full-text search over stored transcripts',
  'models list': 'list model bundles with role, family, precision, size and verified state',
  'models verify': 'check size and sha256 of installed model files (exit 1 on any failure)',
  'models fetch': 'download, verify and install model bundles (resume, size cap, sha256)',
  'models keygen': 'make an Ed25519 key pair for signing OTA model bundles',
  'models bundle': 'build and sign an OTA model bundle',
  'models install': 'verify, test and activate a signed OTA model bundle (file or URL)',
  'models status': 'show the active OTA model per role and the update phase',
  'models rollback': 'switch back to the previous OTA model bundle',
};

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`${parleyVersion()}\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${topHelp()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  // Longest matching command name wins ("models list" before "models").
  let match: string | undefined;
  for (const name of Object.keys(COMMANDS)) {
    const parts = name.split(' ');
    if (parts.every((p, i) => argv[i] === p) && (!match || parts.length > match.split(' ').length)) match = name;
  }
  if (!match) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${argv[0]} `));
    if (group.length > 0) {
      process.stdout.write(`usage: parley ${argv[0]} <${group.map((g) => g.split(' ')[1]).join('|')}> [options]\n`);
      return argv.includes('--help') ? 0 : 2;
    }
    process.stderr.write(`parley: unknown command "${argv[0]}" (see parley --help)\n`);
    return 2;
  }
  const cmd = await COMMANDS[match]();
  const rest = argv.slice(match.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.help}\n`);
    return 0;
  }
  return cmd.run(rest);
}

function isEntryPoint(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

const isEntry = isEntryPoint();
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = toAppError(e);
      const line = err instanceof AppError ? err.oneLine() : String(e);
      process.stderr.write(`parley: ${line}\n`);
      if (process.env.PARLEY_TEST_STACKS === '1') process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = err.code === 'USAGE' ? 2 : 1;
    },
  );
}
