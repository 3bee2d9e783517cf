import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/util/errors.js';

const spec = { json: 'boolean', db: 'string', speakers: 'string' } as const;

test('flags, values, = form, stdin dash and -- are parsed', () => {
  const p = parseArgs(['a.wav', '--json', '--db', 'x.db', '--speakers=2', '-', '--', '--json'], spec);
  assert.deepEqual(p.flags, { json: true, db: 'x.db', speakers: '2' });
  assert.deepEqual(p.positionals, ['a.wav', '-', '--json']);
});

test('unknown flags, missing values and values on booleans are usage errors', () => {
  assert.throws(() => parseArgs(['--jsn'], spec), (e: unknown) => e instanceof UsageError && /unknown option --jsn \(did you mean --json\?\)/.test(e.message));
  assert.throws(() => parseArgs(['--db'], spec), /--db needs a value/);
  assert.throws(() => parseArgs(['--json=1'], spec), /takes no value/);
});
