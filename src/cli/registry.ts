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
  'models list': async () => (await import('./commands/models-list.js')).default,
  'models verify': async () => (await import('./commands/models-verify.js')).default,
  'models fetch': async () => (await import('./commands/models-fetch.js')).default,
  'models keygen': async () => (await import('./commands/models-keygen.js')).default,
  'models bundle': async () => (await import('./commands/models-bundle.js')).default,
  'models install': async () => (await import('./commands/models-install.js')).default,
  'models status': async () => (await import('./commands/models-status.js')).default,
  'models rollback': async () => (await import('./commands/models-rollback.js')).default,
};
