/**
 * Ed25519 key handling for OTA bundles (node:crypto only). Key ids are the first 16 hex
 * digits of sha256 over the raw 32-byte public key, so a config entry can be checked
 * against its key without trusting the id it claims.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface TrustedKey {
  key_id: string;
  /** PEM (SPKI) or base64 of the raw 32-byte key. */
  public_key: string;
}

export interface GeneratedKeyPair {
  keyId: string;
  privatePem: string;
  publicPem: string;
  publicRawB64: string;
}

export function generateSigningKey(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return {
    keyId: keyIdOf(raw),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicRawB64: raw.toString('base64'),
  };
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** Parse a configured public key (PEM or base64 raw). Throws Error with a reason on junk. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) {
    const k = createPublicKey(t);
    if (k.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${k.asymmetricKeyType})`);
    return k;
  }
  const raw = Buffer.from(t, 'base64');
  if (raw.length !== 32 || raw.toString('base64').replace(/=+$/, '') !== t.replace(/=+$/, '')) {
    throw new Error('a raw Ed25519 public key is 32 bytes of base64');
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function parsePrivateKey(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 private key (${k.asymmetricKeyType})`);
  return k;
}
