import type { Command } from './command.js';

/**
 * Every CLI command, loaded lazily so `parley --help` stays fast.
 * Add one line per command file.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  'config validate': async () => (await import('./commands/config-validate.js')).default,
  'models list': async () => (await import('./commands/models-list.js')).default,
  'models verify': async () => (await import('./commands/models-verify.js')).default,
  'models fetch': async () => (await import('./commands/models-fetch.js')).default,
};
