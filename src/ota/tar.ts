/**
 * Minimal ustar reader/writer for OTA bundles: regular files only, names ≤ 100 bytes,
 * no prefix field, no pax headers. The reader checks each header checksum and never
 * trusts a size beyond the real file length; anything else (links, directories,
 * devices) is reported so the caller can refuse it.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

export const BLOCK = 512;

export interface TarEntry {
  name: string;
  /** '0' regular file; anything else is refused by the bundle reader. */
  type: string;
  size: number;
  /** Byte offset of the entry data in the archive. */
  dataOffset: number;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

export function tarHeader(name: string, size: number, type = '0'): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new Error(`tar: name must be 1-100 bytes: ${name}`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime 0: bundles are reproducible
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Sequential writer on a file descriptor. */
export class TarWriter {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'w', 0o644);
  }
  add(name: string, data: Uint8Array): void {
    this.write(tarHeader(name, data.length));
    this.write(data);
    this.write(Buffer.alloc(padding(data.length)));
  }
  close(): void {
    this.write(Buffer.alloc(BLOCK * 2));
    closeSync(this.fd);
  }
  private write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
  }
}

export class TarFormatError extends Error {}

function field(h: Buffer, off: number, len: number): string {
  const s = h.subarray(off, off + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul === -1 ? len : nul).toString('utf8');
}

function parseOctal(h: Buffer, off: number, len: number, what: string): number {
  const s = field(h, off, len).trim();
  if (!/^[0-7]{1,12}$/.test(s)) throw new TarFormatError(`tar: bad ${what} field`);
  return parseInt(s, 8);
}

/**
 * List the entries of an archive without reading their data. Stops at the end marker
 * (a zero block) or at the end of the file; `maxEntries` bounds the work on junk input.
 * `truncated` is set when an entry's declared data runs past the end of the file.
 */
export function listTar(path: string, maxEntries = 1100): { entries: TarEntry[]; truncated: boolean } {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    const entries: TarEntry[] = [];
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    while (pos + BLOCK <= total) {
      if (readSync(fd, h, 0, BLOCK, pos) !== BLOCK) break;
      if (h.every((b) => b === 0)) return { entries, truncated: false };
      if (entries.length >= maxEntries) throw new TarFormatError(`tar: more than ${maxEntries} entries`);
      const stored = parseOctal(h, 148, 8, 'checksum');
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
      if (sum !== stored) throw new TarFormatError(`tar: header checksum mismatch at byte ${pos}`);
      const size = parseOctal(h, 124, 12, 'size');
      const type = field(h, 156, 1) || '0';
      const entry = { name: field(h, 0, 100), type, size, dataOffset: pos + BLOCK };
      entries.push(entry);
      if (entry.dataOffset + size > total) return { entries, truncated: true };
      pos = entry.dataOffset + size + padding(size);
    }
    // No end-of-archive marker: the file was cut short.
    return { entries, truncated: true };
  } finally {
    closeSync(fd);
  }
}
