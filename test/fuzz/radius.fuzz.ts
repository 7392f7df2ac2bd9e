/**
 * The long fuzz run: `npm run fuzz` (FUZZ_RUNS, default 2,000,000 codec cases; FUZZ_PACKETS, default 50,000
 * datagrams at the live server). Not part of `npm test`, which runs the 100,000-case property test.
 */
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { Code, decodeRequest, encodeRequest, Vendor } from '../../src/radius/codec';
import { createGrant } from '../../src/grants/grants';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2_000_000);
const PACKETS = Number(process.env['FUZZ_PACKETS'] ?? 50_000);

function mutate(packet: Buffer, seed: number): Buffer {
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const p = Buffer.from(packet);
  switch (rnd(4)) {
    case 0:
      for (let i = 0, n = 1 + rnd(4); i < n; i++) p[rnd(p.length)] = rnd(256);
      return p;
    case 1:
      return p.subarray(0, rnd(p.length));
    case 2:
      p[20 + rnd(Math.max(1, p.length - 20))] = rnd(256);
      return p;
    default: {
      const q = Buffer.concat([p, Buffer.alloc(rnd(64), rnd(256))]);
      q.writeUInt16BE(Math.min(q.length, 65535), 2);
      return q;
    }
  }
}

describe('long fuzz run', () => {
  it(`decodes ${RUNS} random and mutated packets without a throw or a forged accept`, () => {
    const valid = encodeRequest(
      Code.AccessRequest,
      [['User-Name', 'g-fuzzfuzzfuzz'], ['User-Password', 'pw'], { vendor: Vendor.Mikrotik, name: 'Mikrotik-Group', value: 'x' }],
      TEST_SECRET,
      { messageAuthenticator: true },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)), fc.integer().map((s) => mutate(valid, s))), (bytes) => {
        const r = decodeRequest(bytes, TEST_SECRET, { requireMessageAuthenticator: true });
        return !r.ok || r.request.raw.equals(valid);
      }),
      { numRuns: RUNS },
    );
  });

  describe('against the live server', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h.close();
    });

    it(`sends ${PACKETS} mutated datagrams: no accept leaks, everything is counted, the server keeps serving`, async () => {
      const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: 'AA:BB:CC:DD:EE:77' });
      const valid = encodeRequest(
        Code.AccessRequest,
        [['User-Name', g.username], ['User-Password', g.password], ['Calling-Station-Id', g.mac]],
        TEST_SECRET,
        { messageAuthenticator: true },
      );
      const sock = createSocket('udp4');
      let accepts = 0;
      sock.on('message', (m) => {
        if (m[0] === Code.AccessAccept) accepts++;
      });
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      for (let i = 0; i < PACKETS; i++) {
        const bytes = mutate(valid, i + 1);
        if (bytes.equals(valid)) continue;
        sock.send(bytes, h.authPort, '127.0.0.1');
        if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 1000));
      sock.close();
      expect(accepts).toBe(0);
      expect((await h.services.pool.snapshot()).sessions).toBe(0);
      const c = h.services.radius.counters;
      const dropped = Object.values(c.dropped).reduce((a, b) => a + (b ?? 0), 0);
      expect(dropped + c.rejected + c.retransmits).toBeGreaterThan(0);
      expect((await radclient(h.authPort, 'status', TEST_SECRET, ['Message-Authenticator = 0x00'])).code).toBe('Access-Accept');
      console.log(`received ${c.received}, dropped ${JSON.stringify(c.dropped)}, rejected ${c.rejected}, accepted ${c.accepted}`);
    });
  });
});
