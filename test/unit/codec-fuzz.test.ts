import fc from 'fast-check';
import { Code, decodeAttributes, decodeRequest, encodeRequest, Vendor } from '../../src/radius/codec';

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

/** Attributes with valid values for their type, laid out by hand so that the decoder is checked on its own. */
const TYPED_ATTRIBUTES: ReadonlyArray<{ vendor?: number; type: number; value: fc.Arbitrary<Buffer> }> = (() => {
  const text = fc.string({ minLength: 1, maxLength: 40 }).map((s) => Buffer.from(s, 'utf8').subarray(0, 200)).filter((b) => b.length > 0);
  const int = fc.nat().map((n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n % 2 === 0 ? n % 40 : n, 0); // small numbers hit VALUE names
    return b;
  });
  const ip = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a));
  const octets = fc.uint8Array({ minLength: 1, maxLength: 30 }).map((a) => Buffer.from(a));
  return [
    { type: 1, value: text }, // User-Name
    { type: 4, value: ip }, // NAS-IP-Address
    { type: 5, value: int }, // NAS-Port
    { type: 6, value: int }, // Service-Type (enumerated)
    { type: 8, value: ip }, // Framed-IP-Address
    { type: 25, value: octets }, // Class
    { type: 30, value: text }, // Called-Station-Id
    { type: 31, value: text }, // Calling-Station-Id
    { type: 40, value: int }, // Acct-Status-Type (enumerated)
    { type: 46, value: int }, // Acct-Session-Time
    { type: 49, value: int }, // Acct-Terminate-Cause (enumerated)
    { type: 61, value: int }, // NAS-Port-Type (enumerated)
    { type: 99, value: octets }, // an attribute in no dictionary
    { vendor: Vendor.Mikrotik, type: 8, value: text }, // Mikrotik-Rate-Limit
    { vendor: Vendor.Mikrotik, type: 17, value: int }, // Mikrotik-Total-Limit
    { vendor: Vendor.WISPr, type: 1, value: text }, // WISPr-Location-ID
    { vendor: Vendor.ChilliSpot, type: 4, value: int }, // ChilliSpot-Bandwidth-Max-Up
    { vendor: 9, type: 1, value: text }, // a vendor in no dictionary
  ];
})();

const typedPacket = fc
  .array(fc.oneof(...TYPED_ATTRIBUTES.map((a) => a.value.map((value) => ({ vendor: a.vendor, type: a.type, value })))), { minLength: 1, maxLength: 25 })
  .map((attrs) => {
    const parts = attrs.map(({ vendor, type, value }) => {
      if (vendor === undefined) return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
      const head = Buffer.alloc(8);
      head[0] = 26;
      head[1] = value.length + 8;
      head.writeUInt32BE(vendor, 2);
      head[6] = type;
      head[7] = value.length + 2;
      return Buffer.concat([head, value]);
    });
    const header = Buffer.alloc(20, 7);
    header[0] = Code.AccessRequest;
    const packet = Buffer.concat([header, ...parts]);
    packet.writeUInt16BE(packet.length, 2);
    return packet;
  })
  .filter((p) => p.length <= 4096);

describe("RADIUS codec: our attribute decoder agrees with the radius package's", () => {
  it('gives every attribute the same name and value (first occurrence), vendor attributes included', () => {
    const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
    fc.assert(
      fc.property(typedPacket, (packet) => {
        const ours = decodeRequest(packet, SECRET);
        if (!ours.ok) throw new Error(`refused: ${ours.reason}`);
        const theirs = decodeAttributes(packet).attributes;
        const { 'Vendor-Specific': theirVendor, ...theirStandard } = theirs;
        expect(ours.request.attributes).toEqual(Object.fromEntries(Object.entries(theirStandard).map(([k, v]) => [k, first(v)])));
        const vendorExpected = Object.fromEntries(Object.entries((theirVendor ?? {}) as Record<string, unknown>).map(([k, v]) => [k, first(v)]));
        expect(ours.request.vendorAttributes).toEqual(vendorExpected);
      }),
      { numRuns: 3000 },
    );
  });
});
