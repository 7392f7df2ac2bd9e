import fc from 'fast-check';
import { CODE_ALPHABET, CODE_LENGTH, formatCode, generateCode, normalizeCode } from '../../src/vouchers/codes';

describe('voucher codes', () => {
  it('are ten characters of an alphabet without look-alikes, every character about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const code = generateCode();
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
      for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(counts.size).toBe(CODE_ALPHABET.length);
    // 30,000 characters over 31: about 968 each; a biased generator would put some far off.
    for (const n of counts.values()) expect(Math.abs(n - 30000 / 31)).toBeLessThan(200);
  });

  it('are read back whatever the case, spaces and dashes, and printed in two groups', () => {
    fc.assert(
      fc.property(fc.constant(null).map(() => generateCode()), fc.constantFrom(' ', '-', '', ' - '), fc.boolean(), (code, sep, lower) => {
        const printed = formatCode(code);
        expect(printed).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
        const typed = `${code.slice(0, 5)}${sep}${code.slice(5)}`;
        expect(normalizeCode(lower ? typed.toLowerCase() : typed)).toBe(code);
      }),
      { numRuns: 500 },
    );
  });

  it('refuse what cannot be a code, rather than guess at misread characters', () => {
    for (const bad of ['', 'ABCDE', 'ABCDE-2345O', 'ABCDE-23451', 'ABCDE-2345I', 'ABCDE-23456-7', '<script>', 'x'.repeat(100), undefined]) {
      expect(normalizeCode(bad)).toBeNull();
    }
  });
});
