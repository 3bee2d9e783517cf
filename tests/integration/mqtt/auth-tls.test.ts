/**
 * TLS (CA + client certificate) and username/password_file against a real mosquitto
 * with `require_certificate true` and `allow_anonymous false`. Certificates are made by
 * openssl in a temp dir; the password file by mosquitto_passwd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MosquittoBroker } from '../../helpers/mosquitto.js';
import { makeService } from '../../helpers/mqtt-service.js';
import { tmpDbPath } from '../../helpers/storage-tmp.js';

function makePki(dir: string): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=parley-test-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ossl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? '127.0.0.1' : 'parley-client'}`);
    ossl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', 'san.ext');
  }
}

test('mqtts with CA, client certificate, username and password_file; a wrong password keeps retrying without crashing', { timeout: 60_000 }, async () => {
  const pki = mkdtempSync(join(tmpdir(), 'parley-pki-'));
  const tmp = tmpDbPath('parley-tls-');
  let broker: MosquittoBroker | undefined;
  try {
    makePki(pki);
    execFileSync('mosquitto_passwd', ['-b', '-c', join(pki, 'passwd'), 'parley', 'correct horse'], { stdio: 'pipe' });
    writeFileSync(join(pki, 'pw-good'), 'correct horse\n');
    writeFileSync(join(pki, 'pw-bad'), 'wrong\n');
    broker = await MosquittoBroker.start({
      extraConf: [
        `cafile ${join(pki, 'ca.pem')}`, `certfile ${join(pki, 'server.pem')}`, `keyfile ${join(pki, 'server.key')}`,
        'require_certificate true', 'allow_anonymous false', `password_file ${join(pki, 'passwd')}`,
      ],
    });
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const tls = { ca_file: join(pki, 'ca.pem'), cert_file: join(pki, 'client.pem'), key_file: join(pki, 'client.key') };
    const good = makeService(tmp.path, url, { mqtt: { username: 'parley', password_file: join(pki, 'pw-good'), tls } });
    try {
      good.service.start();
      good.addSegments(5);
      const r = await good.service.drain(10_000);
      assert.equal(r.pending, 0, `delivered over TLS (log: ${broker.log().slice(-400)})`);
    } finally {
      await good.close();
    }
    const tmp2 = tmpDbPath('parley-tls-bad-');
    const bad = makeService(tmp2.path, url, { mqtt: { username: 'parley', password_file: join(pki, 'pw-bad'), tls } });
    try {
      bad.service.start();
      bad.addSegments(1);
      await new Promise((res) => setTimeout(res, 1200));
      const st = bad.service.stats();
      assert.equal(st.connected, false);
      assert.ok(st.reconnects >= 1, 'retries with backoff');
      assert.equal(st.pending, 2);
    } finally {
      await bad.close();
      tmp2.cleanup();
    }
  } finally {
    await broker?.cleanup();
    rmSync(pki, { recursive: true, force: true });
    tmp.cleanup();
  }
});
