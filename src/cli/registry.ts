import type { Command } from './command.js';

/**
 * Every CLI command, loaded lazily so `parley --help` stays fast.
 * Add one line per command file.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  'config validate': async () => (await import('./commands/config-validate.js')).default,
  transcribe: async () => (await import('./commands/transcribe.js')).default,
  run: async () => (await import('./commands/run.js')).default,
  doctor: async () => (await import('./commands/doctor.js')).default,
};
