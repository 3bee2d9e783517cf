/**
 * Whisper token tables as shipped with the sherpa-onnx exports (`*-tokens.txt`): one line
 * per token, `<base64 of the token's bytes> <id>`. Special tokens (sot, eot, languages,
 * timestamps) are absent and decode to nothing, as in sherpa-onnx.
 */
import { readModelText } from '../models/read-model-text.js';
import { ModelLoadError } from '../util/errors.js';

export class TokenTable {
  private constructor(private readonly bytes: Map<number, Buffer>) {}

  get size(): number {
    return this.bytes.size;
  }

  has(id: number): boolean {
    return this.bytes.has(id);
  }

  /** Token text (for `tokens` in results); '' for ids not in the table. */
  piece(id: number): string {
    return this.bytes.get(id)?.toString('utf8') ?? '';
  }

  /** Concatenate the bytes of the known ids and decode UTF-8 once (tokens may split characters). */
  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytes.get(id)).filter((b): b is Buffer => b !== undefined);
    return Buffer.concat(parts).toString('utf8');
  }

  /** Parse the file text; `source` names the file in errors. */
  static parse(text: string, source: string): TokenTable {
    const map = new Map<number, Buffer>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '');
      if (line.trim() === '') continue;
      const m = /^(\S*)\s+(\d+)$/.exec(line);
      if (!m) throw new ModelLoadError(source, `line ${i + 1} is not "<base64> <id>": ${JSON.stringify(line.slice(0, 60))}`);
      const b64 = m[1]!;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
        throw new ModelLoadError(source, `line ${i + 1}: token is not base64: ${JSON.stringify(b64.slice(0, 40))}`);
      }
      const id = Number(m[2]);
      if (map.has(id)) throw new ModelLoadError(source, `line ${i + 1}: duplicate token id ${id}`);
      map.set(id, Buffer.from(b64, 'base64'));
    }
    if (map.size === 0) throw new ModelLoadError(source, 'no tokens');
    return new TokenTable(map);
  }

  static load(file: string): TokenTable {
    return TokenTable.parse(readModelText(file), file);
  }
}
