import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigIssue } from '../util/errors.js';
import { applyEnvOverrides } from './env.js';
import { CONFIG_VERSION, ConfigSchema, type Config, type FrozenConfig } from './schema.js';
import { semanticChecks } from './semantic.js';
import { suggestKey } from './suggest.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(ConfigSchema);

export interface LoadOptions {
  /** Environment for PARLEY_* overrides; defaults to process.env. Pass {} to disable. */
  env?: NodeJS.ProcessEnv;
  /** Extra values merged over the file before validation (CLI flags). */
  overrides?: Record<string, unknown>;
}

export interface LoadResult {
  config: FrozenConfig;
  file: string | undefined;
}

/**
 * Read YAML → apply PARLEY_* environment overrides → validate against the schema
 * (all errors, with YAML line numbers) → fill defaults → deep-freeze.
 * Throws ConfigError listing every issue.
 */
export function loadConfig(file: string | undefined, opts: LoadOptions = {}): LoadResult {
  const { data, issues, doc, lines } = readYaml(file);
  if (issues.length > 0) throw new ConfigError(file, issues);
  const envIssues = applyEnvOverrides(data, opts.env ?? process.env);
  if (opts.overrides) deepMerge(data, opts.overrides);
  const all = [...envIssues, ...validateData(data, doc, lines)];
  if (all.length > 0) throw new ConfigError(file, all);
  return { config: deepFreeze(data as Config) as FrozenConfig, file };
}

/** Validate a file and return every issue (empty when valid). Never throws for bad content. */
export function validateConfigFile(file: string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  try {
    loadConfig(file, { env });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
}

/** Config with every default filled in; for tests and `--print-config`. */
export function defaultConfig(overrides: Record<string, unknown> = {}): FrozenConfig {
  const data: Record<string, unknown> = {};
  deepMerge(data, overrides);
  const issues = validateData(data, undefined, undefined);
  if (issues.length > 0) throw new ConfigError(undefined, issues);
  return deepFreeze(data as Config) as FrozenConfig;
}

interface YamlRead {
  data: Record<string, unknown>;
  issues: ConfigIssue[];
  doc: Document | undefined;
  lines: LineCounter | undefined;
}

function readYaml(file: string | undefined): YamlRead {
  if (file === undefined) return { data: {}, issues: [], doc: undefined, lines: undefined };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file does not exist' : `cannot be read (${code ?? String(e)})`;
    return { data: {}, issues: [{ path: '', message: why }], doc: undefined, lines: undefined };
  }
  if (text.trim() === '') {
    return {
      data: {},
      issues: [{ path: '', message: 'file is empty (a truncated write?): restore it from its .bak copy, or delete it to run on defaults', line: 1 }],
      doc: undefined,
      lines: undefined,
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((err) => ({
    path: '',
    message: `YAML syntax error: ${err.message.split('\n')[0]}`,
    line: err.linePos?.[0]?.line,
  }));
  if (issues.length > 0) return { data: {}, issues, doc, lines };
  if (doc.contents !== null && !isMap(doc.contents)) {
    return { data: {}, issues: [{ path: '', message: 'must be a mapping of sections (key: value)', line: 1 }], doc, lines };
  }
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  return { data, issues, doc, lines };
}

function validateData(data: Record<string, unknown>, doc: Document | undefined, lines: LineCounter | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!validate(data)) {
    for (const err of validate.errors ?? []) issues.push(toIssue(err, doc, lines));
  }
  if (issues.length === 0) {
    const version = (data as { config_version?: number }).config_version ?? CONFIG_VERSION;
    if (version > CONFIG_VERSION) {
      issues.push({
        path: 'config_version',
        message: `is ${version} but this parley understands up to ${CONFIG_VERSION}; upgrade parley or use an older config`,
        line: lineOf(doc, lines, ['config_version']),
      });
    }
    for (const check of semanticChecks) {
      for (const i of check(data as Config)) issues.push({ ...i, line: i.line ?? lineOf(doc, lines, i.path.split('.')) });
    }
  }
  return dedupe(issues);
}

function toIssue(err: ErrorObject, doc: Document | undefined, lines: LineCounter | undefined): ConfigIssue {
  const segs = err.instancePath.split('/').slice(1).map(unescapePointer);
  if (err.keyword === 'additionalProperties') {
    const extra = String((err.params as { additionalProperty: string }).additionalProperty);
    const full = [...segs, extra];
    const hint = suggestKey(ConfigSchema, segs, extra);
    const message = hint ? `is not a known key; did you mean \`${[...segs, hint].join('.')}\`?` : 'is not a known key';
    return { path: full.join('.'), message, line: lineOf(doc, lines, full) };
  }
  let message = err.message ?? 'is invalid';
  if (err.keyword === 'enum' || err.keyword === 'const') {
    message = `must be one of: ${JSON.stringify((err.params as { allowedValues?: unknown[] }).allowedValues ?? (err.params as { allowedValue?: unknown }).allowedValue)}`;
  }
  return { path: segs.join('.'), message, line: lineOf(doc, lines, segs) };
}

function lineOf(doc: Document | undefined, lines: LineCounter | undefined, path: string[]): number | undefined {
  if (!doc || !lines) return undefined;
  for (let n = path.length; n >= 1; n--) {
    const pos = findPairKey(doc, path.slice(0, n));
    if (pos !== undefined) return lines.linePos(pos).line;
  }
  return undefined;
}

function findPairKey(doc: Document, path: string[]): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  for (const item of parent.items) {
    const key = item.key as { value?: unknown; range?: [number, number, number] } | null;
    if (key && String(key.value) === last && key.range) return key.range[0];
  }
  return undefined;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function deepMerge(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
