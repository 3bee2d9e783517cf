import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fetchBundle } from '../../../src/models/fetch.js';
import { bundleStatus, resolveBundle } from '../../../src/models/model-store.js';
import type { Logger } from '../../../src/util/logger.js';
import { readPins } from '../../../src/models/pins.js';
import { serveBytes, startServer } from '../../helpers/models-http.js';
import { oneFileBundle, sha256, tempModels } from '../../helpers/models-fixture.js';

const MODEL = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 13) & 0xff));
const TOKENS = Buffer.from('a 0\nb 1\n');

function tarGz(): Buffer {
  const d = mkdtempSync(join(tmpdir(), 'parley-tar-'));
  mkdirSync(join(d, 'pkg-dir'));
  writeFileSync(join(d, 'pkg-dir', 'model.onnx'), MODEL);
  writeFileSync(join(d, 'pkg-dir', 'tokens.txt'), TOKENS);
  execFileSync('tar', ['-czf', join(d, 'a.tar.gz'), '-C', d, 'pkg-dir']);
  return readFileSync(join(d, 'a.tar.gz'));
}

test('tries sources in order, installs from the first that works, then is idempotent', async () => {
  const s = await startServer((req, res) => {
    if (req.url === '/good') serveBytes(req, res, MODEL);
    else if (req.url === '/wrong') serveBytes(req, res, Buffer.from('not the model'));
    else { res.writeHead(404); res.end(); }
  });
  try {
    const b = oneFileBundle('b/model.onnx', MODEL, [
      { type: 'url', url: `${s.url}/missing` }, { type: 'url', url: `${s.url}/wrong` }, { type: 'url', url: `${s.url}/good` },
    ]);
    const t = tempModels({ b });
    const lines: string[] = [];
    const r = await fetchBundle(t.cfg, 'b', { onMessage: (l) => lines.push(l) });
    assert.deepEqual(r.map((x) => x.action), ['fetched']);
    assert.equal(r[0].source, `${s.url}/good`);
    assert.ok(lines.some((l) => /source failed: .*HTTP 404/.test(l)));
    assert.ok(lines.some((l) => /source failed: .*announces 13 bytes/.test(l)));
    assert.equal((await resolveBundle(t.cfg, 'b')).verified, true);
    const n = s.requests.length;
    const again = await fetchBundle(t.cfg, 'b');
    assert.deepEqual(again.map((x) => x.action), ['present']);
    assert.equal(s.requests.length, n, 'a verified file is not downloaded again');
    // A corrupted installed file is replaced.
    writeFileSync(join(t.dir, 'b/model.onnx'), Buffer.alloc(MODEL.length));
    assert.equal((await fetchBundle(t.cfg, 'b'))[0].action, 'fetched');
    assert.deepEqual(readFileSync(join(t.dir, 'b/model.onnx')), MODEL);
  } finally {
    await s.close();
  }
});

test('extracts members from a URL archive (downloaded once per bundle); an unpublished hash is refused unless trusted on first use, then pinned loudly', async () => {
  const archive = tarGz();
  const s = await startServer((req, res) => serveBytes(req, res, archive));
  try {
    const src = (p: string) => [{ type: 'url', url: `${s.url}/a.tar.gz`, archive: { format: 'tar.gz', path: `pkg-dir/${p}` } }];
    const t = tempModels({
      b: {
        role: 'asr-offline', family: 'test', precision: 'int8', license: 'MIT', description: 'd',
        files: [
          { path: 'b/model.onnx', size: MODEL.length, sha256: sha256(MODEL), sources: src('model.onnx') },
          { path: 'b/tokens.txt', size: null, sha256: null, note: 'not known here', sources: src('tokens.txt') },
        ],
      },
    });
    const lines: string[] = [];
    const logs: Array<[string, unknown]> = [];
    const logger = { warn: (o: unknown, m: string) => logs.push([m, o]), info: () => undefined } as unknown as Logger;
    // Without --trust-on-first-use nothing is downloaded at all (not even the pinned member).
    await assert.rejects(fetchBundle(t.cfg, 'b', { logger }), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'MODEL_INTEGRITY');
      assert.match(e.message, /refusing to download b\/tokens\.txt \(bundle b\): no published sha256/);
      assert.match(e.hint ?? '', /--trust-on-first-use/);
      return true;
    });
    assert.equal(s.requests.length, 0);
    assert.equal(existsSync(join(t.dir, 'b/model.onnx')), false, 'a refusal leaves no half bundle');
    assert.ok(logs.some(([m]) => m === 'models.unpinned_refused'));
    const r = await fetchBundle(t.cfg, 'b', { onMessage: (l) => lines.push(l), trustOnFirstUse: true, logger });
    assert.deepEqual(r.map((x) => [x.action, x.pinned]), [['fetched', false], ['fetched', true]]);
    assert.equal(s.requests.length, 1, 'the archive is downloaded once for both files');
    assert.ok(lines.some((l) => /^NOTICE: b\/tokens\.txt had no published sha256; trusted on first use/.test(l)));
    assert.ok(logs.some(([m, o]) => m === 'models.trust_on_first_use' && (o as { sha256: string }).sha256 === sha256(TOKENS)));
    assert.equal(readPins(t.dir)['b/tokens.txt'].sha256, sha256(TOKENS));
    assert.equal(readPins(t.dir)['b/tokens.txt'].trust, 'first-use');
    const st = await bundleStatus(t.cfg, 'b');
    assert.deepEqual(st.files.map((f) => f.trust), ['manifest', 'first-use']);
    // Once pinned, a later fetch needs no flag and verifies against the pin.
    assert.deepEqual((await fetchBundle(t.cfg, 'b')).map((x) => x.action), ['present', 'present']);
    const rb = await resolveBundle(t.cfg, 'b');
    assert.deepEqual(Object.keys(rb.files).sort(), ['model.onnx', 'tokens.txt']);
  } finally {
    await s.close();
  }
});

test('when every source fails the error lists each source and its failure', async () => {
  const s = await startServer((_req, res) => { res.writeHead(500); res.end(); });
  try {
    const t = tempModels({
      b: oneFileBundle('b/model.onnx', MODEL, [
        { type: 'url', url: 'http://parley-no-such-host.invalid/m.onnx' },
        { type: 'url', url: `${s.url}/a.tar.bz2`, archive: { format: 'tar.bz2', path: 'x/m.onnx' } },
      ]),
    }, {}, { download_timeout_ms: 1000 });
    await assert.rejects(fetchBundle(t.cfg, 'b'), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'MODEL_FETCH');
      assert.match(e.message, /could not fetch b\/model\.onnx \(bundle b\) from any of 2 source/);
      assert.match(e.message, /parley-no-such-host\.invalid.*(offline|unreachable)/);
      assert.match(e.message, /a\.tar\.bz2.*HTTP 500/);
      assert.match(e.hint ?? '', /connected device/);
      return true;
    });
    assert.equal(existsSync(join(t.dir, 'b/model.onnx')), false);
  } finally {
    await s.close();
  }
});
