/**
 * Typed errors raised at parley's I/O edges. Every error carries a stable `code`,
 * an optional `cause`, a `retryable` flag and a `hint` telling the user what to do next.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'WAV_FORMAT'
  | 'AUDIO_SOURCE'
  | 'MODEL_MISSING'
  | 'MODEL_INTEGRITY'
  | 'MODEL_LOAD'
  | 'MODEL_FETCH'
  | 'STORAGE_FULL'
  | 'STORAGE_IO'
  | 'INFERENCE_TIMEOUT'
  | 'INFERENCE_CRASHED'
  | 'INFERENCE_UNAVAILABLE'
  | 'BROKER_UNAVAILABLE'
  | 'SIGNATURE'
  | 'MANIFEST'
  | 'SERIAL_FRAME'
  | 'OTA_REJECTED'
  | 'OTA_FAILED'
  | 'ASR_ENGINE'
  | 'DIARIZATION'
  | 'ENROLLMENT'
  | 'OUTBOX_FULL'
  | 'DEVICE'
  | 'DOWNLOAD'
  | 'USAGE'
  | 'ABORTED'
  | 'INTERNAL';

export interface AppErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  hint?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.hint = opts.hint;
  }

  /** One line for a CLI: message plus the hint, never a stack. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}
AppError.prototype.name = 'AppError';

export interface ConfigIssue {
  /** Dotted key path, e.g. `vad.threshold` (empty string for the document root). */
  path: string;
  message: string;
  /** 1-based line in the YAML file when known. */
  line?: number;
}

export class ConfigError extends AppError {
  readonly file: string | undefined;
  readonly issues: readonly ConfigIssue[];
  constructor(file: string | undefined, issues: ConfigIssue[], opts: AppErrorOptions = {}) {
    const first = issues[0];
    const where = file ? `${file}: ` : '';
    const summary = first ? formatConfigIssue(first) : 'invalid configuration';
    const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
    super('CONFIG_INVALID', `${where}${summary}${more}`, {
      hint: opts.hint ?? 'run `parley config validate FILE` to list every problem',
      ...opts,
    });
    this.file = file;
    this.issues = issues;
  }
}
ConfigError.prototype.name = 'ConfigError';

export function formatConfigIssue(i: ConfigIssue): string {
  const path = i.path === '' ? '(root)' : i.path;
  return i.line !== undefined ? `${path} ${i.message} (line ${i.line})` : `${path} ${i.message}`;
}

export class WavFormatError extends AppError {
  readonly offset: number;
  readonly field: string;
  constructor(message: string, offset: number, field: string, opts: AppErrorOptions = {}) {
    super('WAV_FORMAT', `${message} (field ${field} at byte ${offset})`, opts);
    this.offset = offset;
    this.field = field;
  }
}
WavFormatError.prototype.name = 'WavFormatError';

export class AudioSourceError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('AUDIO_SOURCE', message, { retryable: true, ...opts });
  }
}
AudioSourceError.prototype.name = 'AudioSourceError';

export class ModelMissingError extends AppError {
  readonly file: string;
  constructor(file: string, opts: AppErrorOptions = {}) {
    super('MODEL_MISSING', `model file not found: ${file}`, {
      hint: 'run `npm run models:fetch` (or `parley models fetch`) to install it',
      ...opts,
    });
    this.file = file;
  }
}
ModelMissingError.prototype.name = 'ModelMissingError';

export class ModelIntegrityError extends AppError {
  readonly file: string;
  constructor(file: string, message: string, opts: AppErrorOptions = {}) {
    super('MODEL_INTEGRITY', `model integrity check failed for ${file}: ${message}`, {
      hint: 'the file is truncated, corrupt or tampered with; delete it and fetch it again',
      ...opts,
    });
    this.file = file;
  }
}
ModelIntegrityError.prototype.name = 'ModelIntegrityError';

export class ModelLoadError extends AppError {
  readonly file: string;
  constructor(file: string, message: string, opts: AppErrorOptions = {}) {
    super('MODEL_LOAD', `model could not be loaded from ${file}: ${message}`, {
      hint: 'check that the file is a complete ONNX model for this engine',
      ...opts,
    });
    this.file = file;
  }
}
ModelLoadError.prototype.name = 'ModelLoadError';

export class StorageFullError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('STORAGE_FULL', message, { retryable: true, hint: 'free disk space on the data volume', ...opts });
  }
}
StorageFullError.prototype.name = 'StorageFullError';

export class StorageIoError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('STORAGE_IO', message, { retryable: true, ...opts });
  }
}
StorageIoError.prototype.name = 'StorageIoError';

export class InferenceTimeoutError extends AppError {
  readonly timeoutMs: number;
  constructor(op: string, timeoutMs: number, opts: AppErrorOptions = {}) {
    super('INFERENCE_TIMEOUT', `inference request ${op} got no answer within ${timeoutMs} ms`, { retryable: true, ...opts });
    this.timeoutMs = timeoutMs;
  }
}
InferenceTimeoutError.prototype.name = 'InferenceTimeoutError';

export class UsageError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('USAGE', message, { hint: opts.hint ?? 'see --help', ...opts });
  }
}
UsageError.prototype.name = 'UsageError';

/** Classify a foreign error at a boundary (SQLite, errno, onnxruntime). */
export function toAppError(e: unknown, context = ''): AppError {
  if (e instanceof AppError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const prefix = context ? `${context}: ` : '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new StorageFullError(`${prefix}${err.message}`, { cause: err });
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'EROFS' || code === 'SQLITE_READONLY')) {
    return new StorageIoError(`${prefix}${err.message}`, { cause: err });
  }
  if (/Protobuf parsing failed|Load model from|model\.cc|doesn't exist/i.test(err.message)) {
    return new AppError('MODEL_LOAD', `${prefix}${err.message}`, { cause: err });
  }
  return new AppError('INTERNAL', `${prefix}${err.message}`, { cause: err });
}

/** Why an OTA bundle was refused; one stable token per cause (event payloads, CLI, counters). */
export type OtaRejectReason =
  | 'bad_signature' | 'unknown_key' | 'revoked_key' | 'truncated_signature' | 'manifest_too_large'
  | 'bad_path' | 'hash_mismatch' | 'size_mismatch' | 'downgrade' | 'incompatible_device'
  | 'parley_too_old' | 'golden_failed' | 'malformed' | 'bad_version';

/** The manifest signature does not verify against a trusted, unrevoked key. */
export class SignatureError extends AppError {
  readonly reason: OtaRejectReason;
  constructor(reason: OtaRejectReason, message: string, opts: AppErrorOptions = {}) {
    super('SIGNATURE', `${reason}: ${message}`, opts);
    this.reason = reason;
  }
}
SignatureError.prototype.name = 'SignatureError';

/** The bundle or its manifest is malformed, unsafe, incompatible or fails its checks. */
export class ManifestError extends AppError {
  readonly reason: OtaRejectReason;
  constructor(reason: OtaRejectReason, message: string, opts: AppErrorOptions = {}) {
    super(reason === 'golden_failed' || reason === 'downgrade' ? 'OTA_REJECTED' : 'MANIFEST', `${reason}: ${message}`, opts);
    this.reason = reason;
  }
}
ManifestError.prototype.name = 'ManifestError';
