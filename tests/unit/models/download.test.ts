import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { downloadFile } from '../../../src/models/download.js';
import { serveBytes, startServer } from '../../helpers/models-http.js';
import { sha256 } from '../../helpers/models-fixture.js';

const BODY = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31 + 7) & 0xff));
const tmp = () => mkdtempSync(join(tmpdir(), 'parley-dl-'));
const base = { maxBytes: 10_000_000, timeoutMs: 2000, retryDelayMs: () => 10 };

test('downloads, verifies and installs atomically (no .part left)', async () => {
  const s = await startServer((req, res) => serveBytes(req, res, BODY));
  try {
    const dest = join(tmp(), 'sub', 'f.bin');
    const seen: number[] = [];
    const r = await downloadFile(`${s.url}/f`, dest, { ...base, expectedSize: BODY.length, sha256: sha256(BODY), onProgress: (p) => seen.push(p.receivedBytes) });
    assert.equal(r.sha256, sha256(BODY));
    assert.equal(r.resumed, false);
    assert.deepEqual(readFileSync(dest), BODY);
    assert.equal(existsSync(`${dest}.part`), false);
    assert.equal(seen.at(-1), BODY.length);
  } finally {
    await s.close();
  }
});

test('a dropped connection is resumed with a Range request', async () => {
  const s = await startServer((req, res, n) => {
    if (n === 1) {
      // Announce the full length, send 70 000 bytes, then drop the connection.
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 70_000), () => setTimeout(() => res.socket?.end(), 20));
      return;
    }
    serveBytes(req, res, BODY);
  });
  try {
    const dest = join(tmp(), 'f.bin');
    const r = await downloadFile(`${s.url}/f`, dest, { ...base, sha256: sha256(BODY) });
    assert.equal(r.resumed, true);
    assert.deepEqual(readFileSync(dest), BODY);
    assert.equal(s.requests.length, 2);
    // The client resumes from what it had stored when the connection broke (≤ 70 000 bytes:
    // a reset connection may discard bytes still in the kernel buffer).
    const m = /^bytes=(\d+)-$/.exec(s.requests[1].range ?? '');
    assert.ok(m && Number(m[1]) > 0 && Number(m[1]) <= 70_000, `range ${s.requests[1].range}`);
  } finally {
    await s.close();
  }
});

test('a partial file from an earlier run is resumed; a wrong-offset resume restarts', async () => {
  const s = await startServer((req, res) => serveBytes(req, res, BODY));
  try {
    const dest = join(tmp(), 'f.bin');
    writeFileSync(`${dest}.part`, BODY.subarray(0, 12345));
    const r = await downloadFile(`${s.url}/f`, dest, { ...base, expectedSize: BODY.length, sha256: sha256(BODY) });
    assert.equal(r.resumed, true);
    assert.equal(s.requests[0].range, 'bytes=12345-');
    assert.deepEqual(readFileSync(dest), BODY);
  } finally {
    await s.close();
  }
});

test('the size cap aborts from Content-Length and from counted bytes (no length header)', async () => {
  const s = await startServer((req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200);
      res.write(BODY.subarray(0, 100_000));
      res.end(BODY.subarray(100_000));
      return;
    }
    serveBytes(req, res, BODY);
  });
  try {
    const d = tmp();
    await assert.rejects(downloadFile(`${s.url}/f`, join(d, 'a'), { ...base, maxBytes: 1000 }), (e: Error & { code?: string }) =>
      e.code === 'DOWNLOAD' && /exceeds the cap of 1000 bytes/.test(e.message));
    await assert.rejects(downloadFile(`${s.url}/chunked`, join(d, 'b'), { ...base, maxBytes: 50_000 }), /exceeds the cap of 50000 bytes/);
    assert.equal(existsSync(join(d, 'b.part')), false);
    assert.equal(existsSync(join(d, 'b')), false);
  } finally {
    await s.close();
  }
});

test('a hash or size mismatch deletes the partial file and installs nothing', async () => {
  const s = await startServer((req, res) => serveBytes(req, res, BODY));
  try {
    const d = tmp();
    await assert.rejects(downloadFile(`${s.url}/f`, join(d, 'a'), { ...base, sha256: 'f'.repeat(64) }), (e: Error & { code?: string }) =>
      e.code === 'MODEL_INTEGRITY' && /sha256 is [0-9a-f]{64}, expected f{64}/.test(e.message));
    assert.equal(existsSync(join(d, 'a')), false);
    assert.equal(existsSync(join(d, 'a.part')), false);
    await assert.rejects(downloadFile(`${s.url}/f`, join(d, 'b'), { ...base, expectedSize: 10 }), /announces 200000 bytes, expected 10/);
  } finally {
    await s.close();
  }
});

test('a stalled server times out (retryable) and the next attempt resumes', async () => {
  const s = await startServer((req, res, n) => {
    if (n === 1) {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 5000)); // then stall forever
      return;
    }
    serveBytes(req, res, BODY);
  });
  try {
    const dest = join(tmp(), 'f.bin');
    await assert.rejects(downloadFile(`${s.url}/f`, dest, { ...base, timeoutMs: 300, retries: 0 }), (e: Error & { code?: string; retryable?: boolean }) =>
      e.code === 'DOWNLOAD' && e.retryable === true && /no data for 300 ms/.test(e.message));
    assert.equal(statSync(`${dest}.part`).size, 5000);
    await downloadFile(`${s.url}/f`, dest, { ...base, sha256: sha256(BODY) });
    assert.equal(s.requests[1].range, 'bytes=5000-');
    assert.deepEqual(readFileSync(dest), BODY);
  } finally {
    await s.close();
  }
});

test('HTTP errors, redirects and offline hosts', async () => {
  const s = await startServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/f' });
      res.end();
    } else if (req.url === '/f') serveBytes(req, res, BODY);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  try {
    const d = tmp();
    await downloadFile(`${s.url}/moved`, join(d, 'r'), { ...base, sha256: sha256(BODY) });
    assert.deepEqual(readFileSync(join(d, 'r')), BODY);
    await assert.rejects(downloadFile(`${s.url}/nope`, join(d, 'n'), base), /HTTP 404/);
    await assert.rejects(downloadFile('http://parley-no-such-host.invalid/x', join(d, 'o'), { ...base, retries: 0 }), (e: Error & { code?: string }) =>
      e.code === 'DOWNLOAD' && /offline|unreachable/.test(e.message));
    await assert.rejects(downloadFile('ftp://x/y', join(d, 'p'), base), /unsupported protocol/);
  } finally {
    await s.close();
  }
});

test('resume edge cases: oversize or complete .part, servers that ignore Range or resume at the wrong offset', async () => {
  let mode: 'ignore-range' | 'wrong-offset' | 'normal' = 'ignore-range';
  let wrongOnce = true;
  const s = await startServer((req, res) => {
    if (mode === 'ignore-range') {
      res.writeHead(200, { 'content-length': BODY.length });
      res.end(BODY);
    } else if (mode === 'wrong-offset' && req.headers.range && wrongOnce) {
      wrongOnce = false;
      res.writeHead(206, { 'content-length': BODY.length - 10, 'content-range': `bytes 10-${BODY.length - 1}/${BODY.length}` });
      res.end(BODY.subarray(10));
    } else serveBytes(req, res, BODY);
  });
  try {
    const d = tmp();
    const opts = { ...base, expectedSize: BODY.length, sha256: sha256(BODY) };
    // A server that ignores Range answers 200: the file is rewritten from the start.
    writeFileSync(join(d, 'a.part'), BODY.subarray(0, 777));
    await downloadFile(`${s.url}/f`, join(d, 'a'), opts);
    assert.deepEqual(readFileSync(join(d, 'a')), BODY);
    // A .part longer than the expected size is discarded.
    writeFileSync(join(d, 'b.part'), Buffer.concat([BODY, Buffer.from('extra')]));
    await downloadFile(`${s.url}/f`, join(d, 'b'), opts);
    assert.deepEqual(readFileSync(join(d, 'b')), BODY);
    // A complete .part is verified and installed without a request.
    const before = s.requests.length;
    writeFileSync(join(d, 'c.part'), BODY);
    const r = await downloadFile(`${s.url}/f`, join(d, 'c'), opts);
    assert.equal(r.resumed, true);
    assert.equal(s.requests.length, before);
    // Wrong Content-Range offset: the part is dropped and the retry starts over.
    mode = 'wrong-offset';
    writeFileSync(join(d, 'e.part'), BODY.subarray(0, 500));
    await downloadFile(`${s.url}/f`, join(d, 'e'), opts);
    assert.deepEqual(readFileSync(join(d, 'e')), BODY);
    // 416 with a complete part: accepted after the hash check.
    mode = 'normal';
    writeFileSync(join(d, 'g.part'), BODY);
    await downloadFile(`${s.url}/f`, join(d, 'g'), { ...base, sha256: sha256(BODY) });
    assert.deepEqual(readFileSync(join(d, 'g')), BODY);
  } finally {
    await s.close();
  }
});

test('an abort signal stops a download with ABORTED; a bad URL is refused', async () => {
  const s = await startServer((_req, res) => {
    res.writeHead(200, { 'content-length': BODY.length });
    res.write(BODY.subarray(0, 1000)); // then stall
  });
  try {
    const ac = new AbortController();
    const p = downloadFile(`${s.url}/f`, join(tmp(), 'a'), { ...base, timeoutMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, (e: Error & { code?: string }) => e.code === 'ABORTED' || /abort/i.test(e.message));
    await assert.rejects(downloadFile('not a url', join(tmp(), 'b'), base), /not a valid URL/);
  } finally {
    await s.close();
  }
});
