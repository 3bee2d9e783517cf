/**
 * Moonshine token tables. sherpa-onnx ships two layouts: `<piece> <id>` (SentencePiece
 * pieces with U+2581 for spaces and <0xNN> byte pieces; moonshine v1 bundles) and
 * `<base64 bytes> <id>` (v2). A file whose every token is valid base64 is read as the
 * latter. Text is the concatenation of the pieces, ▁ → space, trimmed.
 */
import { readModelText } from '../models/read-model-text.js';
import { ModelLoadError } from '../util/errors.js';

export class MoonshineTokens {
  private constructor(private readonly bytes: Map<number, Buffer>, readonly layout: 'piece' | 'base64') {}

  get size(): number {
    return this.bytes.size;
  }

  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytes.get(id)).filter((b): b is Buffer => b !== undefined);
    return Buffer.concat(parts).toString('utf8').replace(/\u2581/g, ' ').replace(/\s+/g, ' ').trim();
  }

  static parse(text: string, source: string): MoonshineTokens {
    const rows: Array<[string, number]> = [];
    const seen = new Set<number>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '');
      if (line.trim() === '') continue;
      const m = /^(.*\S)\s+(\d+)$/.exec(line);
      if (!m) throw new ModelLoadError(source, `line ${i + 1} is not "<token> <id>": ${JSON.stringify(line.slice(0, 60))}`);
      const id = Number(m[2]);
      if (seen.has(id)) throw new ModelLoadError(source, `line ${i + 1}: duplicate token id ${id}`);
      seen.add(id);
      rows.push([m[1]!, id]);
    }
    if (rows.length === 0) throw new ModelLoadError(source, 'no tokens');
    const isB64 = rows.every(([t]) => t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t));
    const map = new Map<number, Buffer>();
    for (const [tok, id] of rows) {
      if (isB64) map.set(id, Buffer.from(tok, 'base64'));
      else if (/^<0x[0-9A-Fa-f]{2}>$/.test(tok)) map.set(id, Buffer.from([parseInt(tok.slice(3, 5), 16)]));
      else if (/^<[^>]*>$/.test(tok)) continue; // control pieces such as <s>, </s>, <unk> decode to nothing
      else map.set(id, Buffer.from(tok, 'utf8'));
    }
    return new MoonshineTokens(map, isB64 ? 'base64' : 'piece');
  }

  static load(file: string): MoonshineTokens {
    return MoonshineTokens.parse(readModelText(file), file);
  }
}
