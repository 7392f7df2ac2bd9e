import fc from 'fast-check';
import { Code, decodeRequest, encodeRequest, Vendor } from '../../src/radius/codec';

const SECRET = 'fuzz-secret-12345';

/** A valid request to mutate: random attributes, with or without Message-Authenticator. */
const validRequest = fc
  .record({
    code: fc.constantFrom(Code.AccessRequest, Code.AccountingRequest, Code.StatusServer),
    user: fc.string({ minLength: 1, maxLength: 60 }),
    password: fc.string({ minLength: 1, maxLength: 100 }),
    mac: fc.stringMatching(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/),
    group: fc.string({ minLength: 1, maxLength: 30 }),
    sessionTime: fc.nat(),
    ma: fc.boolean(),
  })
  .map((r) =>
    encodeRequest(
      r.code,
      [
        ['User-Name', r.user],
        ...(r.code === Code.AccessRequest ? ([['User-Password', r.password]] as const) : []),
        ['Calling-Station-Id', r.mac],
        ...(r.code === Code.AccountingRequest ? ([['Acct-Status-Type', 'Interim-Update'], ['Acct-Session-Time', r.sessionTime]] as const) : []),
        { vendor: Vendor.Mikrotik, name: 'Mikrotik-Group', value: r.group },
      ],
      SECRET,
      { messageAuthenticator: r.ma || r.code === Code.StatusServer },
    ),
  );

/** Mutations a hostile or broken network produces: flips, truncation, extension, overwritten lengths. */
const mutated = fc
  .tuple(validRequest, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 40 }), fc.constantFrom('flip', 'truncate', 'extend', 'length'))
  .map(([packet, flips, cut, extra, how]): [Buffer, Buffer] => [packet, mutate(packet, flips, cut, extra, how)]);

function mutate(packet: Buffer, flips: Array<[number, number]>, cut: number, extra: Uint8Array, how: string): Buffer {
    const p = Buffer.from(packet);
    switch (how) {
      case 'flip':
        for (const [at, mask] of flips) p[at % p.length]! ^= mask;
        return p;
      case 'truncate':
        return p.subarray(0, cut % p.length);
      case 'extend': {
        const q = Buffer.concat([p, Buffer.from(extra)]);
        q.writeUInt16BE(Math.min(q.length, 65535), 2);
        return q;
      }
      default: {
        const [at, value] = flips[0]!;
        p[20 + (at % Math.max(1, p.length - 20))] = value; // an attribute length or type overwritten
        return p;
      }
    }
}

describe('RADIUS codec under fuzzing (fast-check)', () => {
  it('never throws on random bytes, and accepts none of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const r = decodeRequest(Buffer.from(bytes), SECRET, { requireMessageAuthenticator: true });
        return !r.ok;
      }),
      { numRuns: 50_000 },
    );
  });

  it('never throws on mutated valid packets, and lets none through once Message-Authenticator is required', () => {
    fc.assert(
      fc.property(mutated, ([original, bytes]) => {
        const r = decodeRequest(bytes, SECRET, { requireMessageAuthenticator: true });
        // Only what leaves the signed packet as it was may pass: bytes appended past its length are padding.
        return !r.ok || r.request.raw.equals(original);
      }),
      { numRuns: 50_000 },
    );
  });

  it('round-trips every valid packet it is given', () => {
    fc.assert(
      fc.property(validRequest, (bytes) => decodeRequest(bytes, SECRET).ok),
      { numRuns: 10_000 },
    );
  });
});
