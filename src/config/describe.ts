import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';

/**
 * Render the schema as a commented YAML document: every key with its default and its
 * description. `config/default.yaml` is exactly this text (kept in sync by a test).
 */
export function renderDefaultYaml(): string {
  const out: string[] = [
    '# parley configuration — every key, its default and what it does.',
    '# Generated from src/config/schema.ts by `npm run config:docs`; do not edit by hand.',
    '# Copy to /etc/parley/config.yaml and change what you need. Any key can also be set',
    '# from the environment as PARLEY_<SECTION>_<KEY>, e.g. PARLEY_VAD_THRESHOLD=0.6.',
    '# Units are part of the names (_ms, _s, _hz, _bytes, _mb, _c, _pct).',
    '',
  ];
  const walk = (node: TSchema, indent: string): void => {
    const props = node.properties as Record<string, TSchema>;
    for (const [key, child] of Object.entries(props)) {
      const desc = child.description as string | undefined;
      const isSection = child.type === 'object' && child.properties;
      if (desc) for (const line of wrap(desc, 88 - indent.length)) out.push(`${indent}# ${line}`);
      const allowed = enumValues(child);
      if (allowed && !isSection) out.push(`${indent}# one of: ${allowed.join(', ')}`);
      if (child.minimum !== undefined || child.maximum !== undefined) {
        out.push(`${indent}# range: ${child.minimum ?? '-inf'} .. ${child.maximum ?? 'inf'}`);
      }
      if (isSection) {
        const at = out.length;
        walk(child, `${indent}  `);
        // A section whose keys are all optional and unset must still be a mapping.
        const anySet = out.slice(at).some((l) => !l.trimStart().startsWith('#'));
        out.splice(at, 0, anySet ? `${indent}${key}:` : `${indent}${key}: {}`);
        if (indent === '') out.push('');
      } else if (child.default === undefined) {
        out.push(`${indent}# ${key}:   (optional, unset by default)`);
      } else {
        out.push(`${indent}${key}: ${scalar(child.default)}`);
      }
    }
  };
  walk(ConfigSchema, '');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function enumValues(s: TSchema): string[] | undefined {
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map(String);
  const any = s.anyOf as TSchema[] | undefined;
  if (!any || !any.every((a) => a.const !== undefined)) return undefined;
  return any.map((a) => String(a.const));
}

function scalar(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v === '' ? "''" : /^[\w./:@-]+$/.test(v) && !/^(true|false|yes|no|on|off|null|~)$/i.test(v) && Number.isNaN(Number(v)) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}
