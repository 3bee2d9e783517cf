import type { Command } from './command.js';

/**
 * Every CLI command, loaded lazily so `parley --help` stays fast.
 * Add one line per command file.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  'config validate': async () => (await import('./commands/config-validate.js')).default,
  'speakers enroll': async () => (await import('./commands/speakers-enroll.js')).default,
  'speakers list': async () => (await import('./commands/speakers-list.js')).default,
  'speakers rename': async () => (await import('./commands/speakers-rename.js')).default,
  'speakers merge': async () => (await import('./commands/speakers-merge.js')).default,
  'speakers forget': async () => (await import('./commands/speakers-forget.js')).default,
  export: async () => (await import('./commands/export.js')).default,
  search: async () => (await import('./commands/search.js')).default,
};
