import { z } from 'zod';

/** A person's name as shown to others: trimmed, not blank, no control characters. */
export const PersonName = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(200)
  // No C0 or C1 control (what \p{Cc} is), spelled out so the pattern needs no `u` flag: JSON Schema regex
  // tools outside JavaScript (Go, PCRE, Python) read `\xHH` but not `\p{..}`.
  // eslint-disable-next-line no-control-regex -- the control characters are what it refuses
  .regex(/^[^\x00-\x1F\x7F-\x9F]*$/, 'must not contain control characters')
  // The document also requires a character that is not a space, as trim() and min(1) do, so a blank name
  // is not valid there either. Linear: the leading spaces end where that character begins.
  .meta({ pattern: '^[\\x20\\xA0]*[^\\x00-\\x20\\x7F-\\xA0][^\\x00-\\x1F\\x7F-\\x9F]*$' });

export const FirmName = PersonName;
