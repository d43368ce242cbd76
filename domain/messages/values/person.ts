import { z } from 'zod';

/** A person's name as shown to others: trimmed, not blank, no control characters. */
export const PersonName = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const FirmName = PersonName;
