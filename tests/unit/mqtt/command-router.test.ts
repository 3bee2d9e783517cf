import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandRouter } from '../../../src/mqtt/command-router.js';
import { AppError } from '../../../src/util/errors.js';

const router = new CommandRouter({
  echo: async (p) => ({ got: p }),
  boom: async () => { throw new AppError('STORAGE_FULL', 'disk full'); },
  plain: async () => { throw new Error('plain failure'); },
  nothing: async () => undefined,
}, 1024);

const j = (o: unknown) => Buffer.from(JSON.stringify(o));

test('ok response echoes string and numeric ids; empty payload is {}', async () => {
  assert.deepEqual(await router.handle('echo', j({ id: 'a', x: 1 })), { id: 'a', ok: true, result: { got: { id: 'a', x: 1 } } });
  assert.deepEqual(await router.handle('echo', j({ id: 5 })), { id: 5, ok: true, result: { got: { id: 5 } } });
  assert.deepEqual(await router.handle('echo', Buffer.from('  ')), { id: null, ok: true, result: { got: {} } });
  assert.deepEqual(await router.handle('nothing', j({})), { id: null, ok: true, result: null });
});

test('errors: AppError code, plain error, unknown, bad id, bad JSON, non-object, oversized', async () => {
  assert.deepEqual(await router.handle('boom', j({ id: 1 })), { id: 1, ok: false, error: { code: 'STORAGE_FULL', message: 'disk full' } });
  assert.deepEqual((await router.handle('plain', j({}))).error, { code: 'COMMAND_FAILED', message: 'plain failure' });
  const u = await router.handle('nope', j({ id: 'q' }));
  assert.equal(u.id, 'q');
  assert.equal(u.error?.code, 'UNKNOWN_COMMAND');
  assert.match(u.error!.message, /known: boom, echo, nothing, plain/);
  assert.equal((await router.handle('echo', j({ id: { a: 1 } }))).error?.code, 'BAD_REQUEST');
  assert.equal((await router.handle('echo', Buffer.from('{"id":'))).error?.code, 'BAD_JSON');
  for (const body of ['[]', '3', '"s"', 'null', 'true']) {
    assert.equal((await router.handle('echo', Buffer.from(body))).error?.code, 'BAD_REQUEST', body);
  }
  assert.equal((await router.handle('echo', Buffer.alloc(1025, 0x20))).error?.code, 'PAYLOAD_TOO_LARGE');
  assert.equal((await router.handle('__proto__', j({}))).error?.code, 'UNKNOWN_COMMAND');
  assert.equal((await router.handle('toString', j({}))).error?.code, 'UNKNOWN_COMMAND');
});

test('property: arbitrary bytes on any command name always resolve to a response', async () => {
  await fc.assert(fc.asyncProperty(fc.string(), fc.uint8Array({ maxLength: 2000 }), async (name, bytes) => {
    const r = await router.handle(name, Buffer.from(bytes));
    assert.equal(typeof r.ok, 'boolean');
    if (!r.ok) assert.equal(typeof r.error?.code, 'string');
  }), { numRuns: 300 });
});
