import { randomBytes } from 'node:crypto';

/**
 * Voucher codes: ten characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as two groups of
 * five (K7QMX-3RTPA). Case, spaces and dashes do not matter when typed.
 *
 * Why ten: 31^10 is about 8e14 codes. With 10,000 vouchers live and guesses capped at 20 failed attempts per
 * minute per hotspot (and 5 per device per 10 minutes), 100 hotspots guessing around the clock for a year
 * (about 1e9 guesses) would expect to hit 0.01 vouchers.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 10;
const CODE_RE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

export function generateCode(): string {
  let out = '';
  while (out.length < CODE_LENGTH) {
    for (const b of randomBytes(CODE_LENGTH * 2)) {
      // 248 = 8 x 31: rejection sampling keeps every character equally likely.
      if (b < 248 && out.length < CODE_LENGTH) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
    }
  }
  return out;
}

/**
 * The stored form of a typed code (upper case, no spaces or dashes), or null when it cannot be a code. A
 * character outside the alphabet (0, O, 1, I, L) is refused, not guessed at: the voucher was misread.
 */
export function normalizeCode(typed: string | undefined | null): string | null {
  if (!typed || typed.length > 40) return null;
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  return CODE_RE.test(code) ? code : null;
}

/** The printed form: K7QMX-3RTPA. */
export function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
