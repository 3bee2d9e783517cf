import { levenshtein } from '../config/suggest.js';
import { UsageError } from '../util/errors.js';

export interface FlagSpec {
  /** 'boolean' flags take no value; 'string' flags take the next argument or `--flag=value`. */
  [name: string]: 'boolean' | 'string';
}

export interface Parsed {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Minimal strict argv parser: unknown flags are usage errors (with a suggestion),
 * `-` is a positional (stdin), `--` ends flags.
 */
export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq === -1 ? undefined : eq);
      const kind = spec[name];
      if (!kind) {
        const near = Object.keys(spec).find((k) => levenshtein(k, name) <= Math.max(1, Math.floor(k.length / 3)));
        throw new UsageError(`unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}`);
      }
      if (kind === 'boolean') {
        if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
        flags[name] = true;
      } else {
        const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        flags[name] = v;
      }
    } else {
      positionals.push(a);
    }
  }
  return { flags, positionals };
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
