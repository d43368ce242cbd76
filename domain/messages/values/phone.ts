// PP-1: a phone number with its country code, validated for real (libphonenumber-js metadata), and
// stored as E.164. The article's "11 digits" is one country's rule (+1 and ten digits); the real
// rule depends on the country, so that is what is checked, and the message says what is wrong.
import { z } from 'zod';
import { parsePhoneNumberWithError, ParseError, validatePhoneNumberLength } from 'libphonenumber-js/max';

const REASONS: Record<string, string> = {
  INVALID_COUNTRY:
    'the country code is missing or unknown: start with + and the country code, for example +1 415 555 0100',
  NOT_A_NUMBER: 'this is not a phone number',
  TOO_SHORT: 'too short for a phone number',
  TOO_LONG: 'too long for a phone number',
  INVALID_LENGTH: 'the length does not fit a phone number',
};

export function phoneProblem(input: string): string | null {
  if (!input.startsWith('+')) return REASONS.INVALID_COUNTRY;
  try {
    const phone = parsePhoneNumberWithError(input);
    if (!phone.isValid()) {
      const length = validatePhoneNumberLength(input);
      if (length) return REASONS[length] ?? REASONS.INVALID_LENGTH;
      const country = phone.country ? ` in ${phone.country}` : ` for country code +${phone.countryCallingCode}`;
      return `not a valid phone number${country}: check the digits after the country code`;
    }
    return null;
  } catch (err) {
    if (err instanceof ParseError) return REASONS[err.message] ?? 'this is not a phone number';
    throw err;
  }
}

export const PhoneNumber = z
  .string()
  .trim()
  .max(40)
  .superRefine((value, ctx) => {
    const problem = phoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => parsePhoneNumberWithError(value).number)
  .meta({ id: 'PhoneNumber', description: 'With its country code (+…); stored as E.164' });
