import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey } from '../../ota/keys.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'models keygen',
  summary: 'make an Ed25519 key pair for signing OTA model bundles',
  help: [
    'usage: parley models keygen --out DIR [--force]',
    '',
    'Writes DIR/ota-signing.key (private, mode 0600) and DIR/ota-signing.pub, and prints the',
    'config snippet that makes devices trust the key. The key id is the first 16 hex digits',
    'of sha256 over the raw public key. Keep release and development keys separate.',
    '',
    'options:',
    '  --out DIR   directory for the key files (created)',
    '  --force     overwrite existing key files',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { out: 'string', force: 'boolean' });
    if (positionals.length > 0 || typeof flags.out !== 'string') throw new UsageError('models keygen needs --out DIR');
    const priv = join(flags.out, 'ota-signing.key');
    const pub = join(flags.out, 'ota-signing.pub');
    if (!flags.force && (existsSync(priv) || existsSync(pub))) throw new UsageError(`${priv} already exists`, { hint: 'use --force to overwrite' });
    mkdirSync(flags.out, { recursive: true });
    const k = generateSigningKey();
    writeFileSync(priv, k.privatePem, { mode: 0o600 });
    chmodSync(priv, 0o600);
    writeFileSync(pub, k.publicPem);
    process.stderr.write(`wrote ${priv} and ${pub} (key id ${k.keyId})\n`);
    process.stdout.write(['# add to the device config to trust bundles signed with this key:', 'ota:', '  trusted_keys:', `    - key_id: ${k.keyId}`, `      public_key: ${k.publicRawB64}`, ''].join('\n'));
    return 0;
  },
};
export default command;
