/**
 * Canonical JSON for signatures: object keys sorted by UTF-16 code unit order, no
 * whitespace, strings and numbers as JSON.stringify writes them. Two parses of the same
 * manifest always canonicalise to the same bytes, whatever its original formatting.
 * Non-finite numbers, undefined, functions and other non-JSON values are refused.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(v: unknown, depth: number): string {
  if (depth > 64) throw new Error('canonical JSON: nesting deeper than 64');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new Error('canonical JSON: non-finite number');
      return JSON.stringify(v);
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => encode(x, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new Error('canonical JSON: not a plain object');
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      const parts: string[] = [];
      for (const k of keys) {
        if (obj[k] === undefined) throw new Error(`canonical JSON: undefined value at key ${k}`);
        parts.push(`${JSON.stringify(k)}:${encode(obj[k], depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new Error(`canonical JSON: unsupported type ${typeof v}`);
  }
}
