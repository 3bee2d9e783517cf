/**
 * Moonshine token tables as sherpa-onnx reads them (symbol-table.cc `ReadTokens`): every
 * line is trimmed, then split into `<symbol> <id>`; a line holding only an id is the symbol
 * " " (sherpa-onnx's export writes `token.strip()` + TAB + id, and eleven Moonshine tokens
 * strip to nothing, e.g. `\t8655`). Two layouts:
 *  - `piece` (v1 bundles, scripts/moonshine/export-onnx.py): SentencePiece pieces; a leading
 *    U+2581 is a space, `<0xNN>` at id NN+3 is the byte NN;
 *  - `base64` (v2 bundles, scripts/moonshine/v2/generate_tokens.py): base64 of the token's
 *    bytes (an empty token is written as an empty field, i.e. a line with only the id).
 * Text is the concatenation of the token bytes, U+2581 → space, whitespace runs collapsed,
 * trimmed. `<unk>`, `<s>`, `</s>` decode to nothing (sherpa-onnx would print them).
 */
import { readModelText } from '../models/read-model-text.js';
import { ModelLoadError } from '../util/errors.js';

export type MoonshineTokenLayout = 'piece' | 'base64';

const CONTROL = new Set(['<unk>', '<s>', '</s>']);

/** One parsed line: `sym` is null for an id-only line (sherpa-onnx's " "). */
interface Row { sym: string | null; id: number; line: number }

function parseRows(text: string, source: string): Row[] {
  const rows: Row[] = [];
  const seen = new Set<number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length > 2 || !/^\d+$/.test(fields[fields.length - 1]!)) {
      throw new ModelLoadError(source, `line ${i + 1} is not "<token> <id>" or "<id>": ${JSON.stringify(lines[i]!.slice(0, 60))}`);
    }
    const id = Number(fields[fields.length - 1]);
    if (seen.has(id)) throw new ModelLoadError(source, `line ${i + 1}: duplicate token id ${id}`);
    seen.add(id);
    rows.push({ sym: fields.length === 2 ? fields[0]! : null, id, line: i + 1 });
  }
  if (rows.length === 0) throw new ModelLoadError(source, 'no tokens');
  return rows;
}

function pieceBytes(sym: string | null, id: number): Buffer | null {
  if (sym === null) return Buffer.from(' ');
  if (CONTROL.has(sym)) return null;
  const byte = /^<0x([0-9A-F]{2})>$/.exec(sym);
  if (byte && id >= 3 && id <= 258 && parseInt(byte[1]!, 16) === id - 3) return Buffer.from([id - 3]);
  return Buffer.from(sym.startsWith('\u2581') ? ` ${sym.slice(1)}` : sym, 'utf8');
}

export class MoonshineTokens {
  private constructor(private readonly bytes: Map<number, Buffer>, readonly layout: MoonshineTokenLayout) {}

  get size(): number {
    return this.bytes.size;
  }

  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.bytes.get(id)).filter((b): b is Buffer => b !== undefined);
    return Buffer.concat(parts).toString('utf8').replace(/\u2581/g, ' ').replace(/\s+/g, ' ').trim();
  }

  static parse(text: string, source: string, layout: MoonshineTokenLayout): MoonshineTokens {
    const map = new Map<number, Buffer>();
    for (const r of parseRows(text, source)) {
      if (layout === 'base64') {
        const b64 = r.sym ?? '';
        if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
          throw new ModelLoadError(source, `line ${r.line}: token is not base64: ${JSON.stringify(b64.slice(0, 40))} (a v2 tokens.txt is expected)`);
        }
        map.set(r.id, Buffer.from(b64, 'base64'));
      } else {
        const b = pieceBytes(r.sym, r.id);
        if (b) map.set(r.id, b);
      }
    }
    return new MoonshineTokens(map, layout);
  }

  static load(file: string, layout: MoonshineTokenLayout): MoonshineTokens {
    return MoonshineTokens.parse(readModelText(file), file, layout);
  }
}
