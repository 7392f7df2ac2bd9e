import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { equal16, hmacFinish, hmacMd5, hmacStart, md5, md5Finish, md5Start, md5Update } from '../../src/radius/digest';

describe('MD5 and HMAC-MD5 over pieces (computed in JavaScript)', () => {
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

  it('hash ranges of a buffer into a place in another, as over the slices', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 5 }), fc.string({ maxLength: 70 }), (bytes, cuts, secret) => {
        const data = Buffer.from(bytes);
        const ranges = cuts.map(([a, b]) => [Math.min(a, b) % (data.length + 1), Math.max(a, b) % (data.length + 1)] as const).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
        const slices = ranges.map(([a, b]) => data.subarray(a, b));
        const out = Buffer.alloc(40, 0xee);
        md5Start();
        for (const [a, b] of ranges) md5Update(data, a, b);
        md5Finish(out, 3);
        expect(out.subarray(3, 19)).toEqual(md5(slices));
        hmacStart(secret);
        for (const [a, b] of ranges) md5Update(data, a, b);
        hmacFinish(out, 21);
        expect(out.subarray(21, 37)).toEqual(createHmac('md5', secret).update(Buffer.concat(slices)).digest());
        expect([out[2], out[19], out[20], out[37]]).toEqual([0xee, 0xee, 0xee, 0xee]);
        expect(equal16(out, 3, md5(slices), 0)).toBe(true);
        expect(equal16(out, 3, out, 21)).toBe(out.subarray(3, 19).equals(out.subarray(21, 37)));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes large inputs, many blocks in one piece', () => {
    const big = Buffer.alloc(20_000, 7);
    expect(md5([big, big])).toEqual(createHash('md5').update(big).update(big).digest());
    expect(hmacMd5('s', [big])).toEqual(createHmac('md5', 's').update(big).digest());
  });

  it('matches the RFC 2104 test vector', () => {
    expect(hmacMd5('Jefe', [Buffer.from('what do ya want for nothing?')]).toString('hex')).toBe('750c783e6ab0b503eaa86e310a5db738');
  });
});
