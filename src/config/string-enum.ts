import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

/** A string restricted to `values`, as a plain JSON-schema `enum` (one clear error message). */
export function StringEnum<const T extends readonly string[]>(values: T, opts: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
