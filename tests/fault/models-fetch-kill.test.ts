// A model download killed mid-transfer (SIGKILL of the fetching process) leaves only a
// `.part` file — never a partial model at the final path — and the next fetch resumes it
// with a Range request and installs a verified file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { fetchBundle } from '../../src/models/fetch.js';
import { resolveBundle } from '../../src/models/model-store.js';
import { serveBytes, startServer } from '../helpers/models-http.js';
import { oneFileBundle, tempModels } from '../helpers/models-fixture.js';

const BODY = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7 + 3) & 0xff));
const FETCH = fileURLToPath(new URL('../../src/models/fetch.ts', import.meta.url));
const LOAD = fileURLToPath(new URL('../../src/config/load.ts', import.meta.url));

test('SIGKILL during a model download, then a resumed fetch', { timeout: 60_000 }, async () => {
  let slow = true;
  const s = await startServer((req, res) => {
    if (!slow) {
      serveBytes(req, res, BODY);
      return;
    }
    // First client: send 150 kB, then trickle so the process can be killed mid-transfer.
    res.writeHead(200, { 'content-length': BODY.length });
    res.write(BODY.subarray(0, 150_000));
    const t = setInterval(() => res.write(Buffer.alloc(0)), 200);
    res.on('close', () => clearInterval(t));
  });
  try {
    const t = tempModels({ b: oneFileBundle('b/model.onnx', BODY, [{ type: 'url', url: `${s.url}/model.onnx` }]) });
    const script = join(t.root, 'fetch-child.mts');
    writeFileSync(script, [
      `import { fetchBundle } from ${JSON.stringify(FETCH)};`,
      `import { defaultConfig } from ${JSON.stringify(LOAD)};`,
      `const cfg = defaultConfig({ models: { dir: ${JSON.stringify(t.dir)}, manifest: ${JSON.stringify(t.manifestFile)} } });`,
      `await fetchBundle(cfg, 'b', { onProgress: (_f, p) => { if (p.receivedBytes >= 150000) process.stdout.write('HALF\\n'); } });`,
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child never reached 150 kB')), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('HALF')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const dest = join(t.dir, 'b/model.onnx');
    assert.equal(existsSync(dest), false, 'no partial model at the final path');
    assert.equal(statSync(`${dest}.part`).size, 150_000);
    slow = false;
    const r = await fetchBundle(t.cfg, 'b');
    assert.equal(r[0].action, 'fetched');
    assert.equal(s.requests.at(-1)?.range, 'bytes=150000-', 'the second fetch resumed');
    assert.equal((await resolveBundle(t.cfg, 'b')).verified, true);
    assert.equal(existsSync(`${dest}.part`), false);
  } finally {
    await s.close();
  }
});
