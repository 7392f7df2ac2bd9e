import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { hmacMd5, md5 } from '../../src/radius/digest';

describe('MD5 and HMAC-MD5 over pieces', () => {
  const pieces = fc.array(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { maxLength: 6 });

  it("equal node's Hash and Hmac for any pieces and any secret, short, 64 octets or longer", () => {
    fc.assert(
      fc.property(pieces, fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 60, maxLength: 200 })), (parts, secret) => {
        const h = createHash('md5');
        const m = createHmac('md5', secret);
        for (const p of parts) {
          h.update(p);
          m.update(p);
        }
        expect(md5(parts)).toEqual(h.digest());
        expect(hmacMd5(secret, parts)).toEqual(m.digest());
      }),
      { numRuns: 2000 },
    );
  });

  it('takes inputs larger than its scratch buffer', () => {
    const big = Buffer.alloc(20_000, 7);
    expect(md5([big, big])).toEqual(createHash('md5').update(big).update(big).digest());
    expect(hmacMd5('s', [big])).toEqual(createHmac('md5', 's').update(big).digest());
  });

  it('matches the RFC 2104 test vector', () => {
    expect(hmacMd5('Jefe', [Buffer.from('what do ya want for nothing?')]).toString('hex')).toBe('750c783e6ab0b503eaa86e310a5db738');
  });
});
