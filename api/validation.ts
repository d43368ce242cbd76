// zod at the HTTP boundary: bodies, params and queries are parsed by the contract's schema; an
// unknown field is an error because every contract schema is strict.
import type { z } from 'zod';
import { Problem } from './problem';

export interface FieldError {
  /** A JSON Pointer into the request part that was wrong (RFC 6901). */
  pointer: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1'));
    // An unknown key is reported at the key itself, so the client sees which field to drop.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ pointer: '/' + [...base, k].join('/'), message: 'unknown field' }));
    }
    return [{ pointer: '/' + base.join('/'), message: issue.message }];
  });
}

export function parse<S extends z.ZodType>(schema: S, input: unknown, part: 'body' | 'params' | 'query'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const errors = fieldErrors(result.error);
    throw new Problem(
      'validation-failed',
      `The ${part} has ${errors.length} error${errors.length === 1 ? '' : 's'}: ` +
        errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; '),
      { errors: errors.map((e) => ({ ...e, in: part })) },
    );
  }
  return result.data;
}
