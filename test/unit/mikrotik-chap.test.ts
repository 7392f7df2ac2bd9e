import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { decodeMikrotikOctal, mikrotikChapPassword } from '../../src/portal/mikrotik-chap';
import { chapResponse, verifyChap } from '../../src/grants/chap';
import { normalizeMac } from '../../src/mac';

describe('MikroTik HTTP CHAP', () => {
  it('decodes octal escapes byte for byte and leaves plain characters as they are', () => {
    expect(decodeMikrotikOctal('\\371')).toEqual(Buffer.from([0o371]));
    expect(decodeMikrotikOctal('\\000a\\377Z')).toEqual(Buffer.from([0, 0x61, 0xff, 0x5a]));
  });

  it('refuses broken escapes and control characters', () => {
    expect(decodeMikrotikOctal('\\9')).toBeNull();
    expect(decodeMikrotikOctal('\\47')).toBeNull();
    expect(decodeMikrotikOctal('\\477')).toBeNull();
    expect(decodeMikrotikOctal('a\nb')).toBeNull();
  });

  it('computes hex(MD5(chap-id ‖ password ‖ challenge)), which the router forwards as RADIUS CHAP', () => {
    const id = decodeMikrotikOctal('\\371')!;
    const challenge = decodeMikrotikOctal('\\357\\123\\045\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015')!;
    const hex = mikrotikChapPassword(id, 'rahasia', challenge);
    const expected = createHash('md5').update(Buffer.concat([id, Buffer.from('rahasia'), challenge])).digest('hex');
    expect(hex).toBe(expected);
    // The RADIUS side verifies the same value with the grant's plain password.
    const chapPassword = Buffer.concat([id, Buffer.from(hex, 'hex')]);
    expect(verifyChap(chapPassword, challenge, 'rahasia')).toBe(true);
    expect(verifyChap(chapPassword, challenge, 'salah')).toBe(false);
    expect(chapResponse(id[0]!, 'rahasia', challenge).toString('hex')).toBe(hex);
  });

  it('refuses a CHAP-Password of the wrong length', () => {
    expect(verifyChap(Buffer.alloc(16), Buffer.alloc(16), 'x')).toBe(false);
  });
});

describe('MAC addresses', () => {
  it('normalise MikroTik, CoovaChilli and lower-case forms to one', () => {
    expect(normalizeMac('aa:bb:cc:dd:ee:ff')).toBe('AA:BB:CC:DD:EE:FF');
    expect(normalizeMac('AA-BB-CC-DD-EE-FF')).toBe('AA:BB:CC:DD:EE:FF');
    expect(normalizeMac('aabb.ccdd.eeff')).toBe('AA:BB:CC:DD:EE:FF');
  });
  it('refuse anything else', () => {
    for (const bad of ['', 'AA:BB:CC:DD:EE', 'GG:BB:CC:DD:EE:FF', '<script>', 'AA:BB:CC:DD:EE:FF:00']) expect(normalizeMac(bad)).toBeNull();
  });
  it('agree with the rule written as regular expressions, on any string', () => {
    const byRegex = (input: string): string | null => {
      const hex = input.trim().replace(/[:\-.]/g, '');
      return /^[0-9a-fA-F]{12}$/.test(hex) ? hex.toUpperCase().match(/.{2}/g)!.join(':') : null;
    };
    const macLike = fc.array(fc.constantFrom(...'0123456789abcdefABCDEFG:-. x'.split('')), { maxLength: 20 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(fc.string(), macLike), (s) => normalizeMac(s) === byRegex(s)), { numRuns: 20_000 });
  });
});
