import fc from 'fast-check';
import { ReplyCache, type CachePort } from '../../src/radius/reply-cache';

/** A request datagram as far as the cache reads it: the Identifier and the Request Authenticator. */
function request(identifier: number, authenticator: number): Buffer {
  const msg = Buffer.alloc(20);
  msg[0] = 1;
  msg[1] = identifier;
  msg.writeUInt32BE(authenticator, 4);
  msg.writeUInt32BE(authenticator ^ 0x5a5a5a5a, 12);
  return msg;
}

describe('the reply cache for retransmissions', () => {
  it('gives back the reply to the same request from the same source and port, and nothing for another', () => {
    const cache = new ReplyCache(30_000, 64 * 1024);
    const msg = request(7, 1234);
    const reply = Buffer.from('the reply');
    cache.set('auth', '10.0.0.1', 40000, msg, reply, 1000);
    expect(cache.get('auth', '10.0.0.1', 40000, msg, 2000)).toEqual(reply);
    expect(cache.get('acct', '10.0.0.1', 40000, msg, 2000)).toBeUndefined();
    expect(cache.get('auth', '10.0.0.2', 40000, msg, 2000)).toBeUndefined();
    expect(cache.get('auth', '10.0.0.1', 40001, msg, 2000)).toBeUndefined();
    expect(cache.get('auth', '10.0.0.1', 40000, request(8, 1234), 2000)).toBeUndefined();
    expect(cache.get('auth', '10.0.0.1', 40000, request(7, 1235), 2000)).toBeUndefined();
    // Past the window it is gone, and so is its room.
    expect(cache.get('auth', '10.0.0.1', 40000, msg, 31_001)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never answers with another request\'s reply, and keeps the newest within its room', () => {
    const op = fc.record({
      port: fc.constantFrom<CachePort>('auth', 'acct'),
      source: fc.constantFrom('10.0.0.1', '10.0.0.2', 'fe80::1'),
      sourcePort: fc.integer({ min: 1024, max: 1030 }),
      identifier: fc.integer({ min: 0, max: 3 }),
      authenticator: fc.integer({ min: 0, max: 20 }),
      replyLength: fc.integer({ min: 20, max: 300 }),
      advanceMs: fc.integer({ min: 0, max: 4000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 4096, max: 20_000 }), (ops, capacity) => {
        const windowMs = 10_000;
        const cache = new ReplyCache(windowMs, capacity);
        const model = new Map<string, { reply: Buffer; at: number }>();
        const order: string[] = [];
        let now = 0;
        let n = 0;
        for (const o of ops) {
          now += o.advanceMs;
          const key = `${o.port}|${o.source}|${o.sourcePort}|${o.identifier}|${o.authenticator}`;
          const msg = request(o.identifier, o.authenticator);
          const got = cache.get(o.port, o.source, o.sourcePort, msg, now);
          const known = model.get(key);
          // Found: exactly the last reply to this request, within the window.
          if (got) {
            expect(known && now - known.at <= windowMs).toBeTruthy();
            expect(got).toEqual(known!.reply);
          }
          // Not found though in the window: only when newer records took its room.
          if (!got && known && now - known.at <= windowMs) {
            const newer = order.slice(order.lastIndexOf(key) + 1).length;
            expect(newer).toBeGreaterThan(0);
          }
          if (!got) {
            const reply = Buffer.alloc(o.replyLength, n++ % 251);
            reply.writeUInt32BE(n, 0);
            cache.set(o.port, o.source, o.sourcePort, msg, reply, now);
            model.set(key, { reply, at: now });
            order.push(key);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('wraps around its ring for as long as it is used, keeping what fits', () => {
    const cache = new ReplyCache(60_000, 8192);
    const reply = (i: number) => Buffer.alloc(20 + (i % 200), i % 256);
    let wrong = 0;
    let missingNewest = 0;
    for (let i = 0; i < 20_000; i++) {
      const msg = request(i % 256, i);
      cache.set('auth', '127.0.0.1', 1812, msg, reply(i), i);
      if (!cache.get('auth', '127.0.0.1', 1812, msg, i)?.equals(reply(i))) missingNewest++;
      // The one before is still there unless this record needed its room; never a wrong reply.
      const before = i > 0 ? cache.get('auth', '127.0.0.1', 1812, request((i - 1) % 256, i - 1), i) : undefined;
      if (before && !before.equals(reply(i - 1))) wrong++;
    }
    expect({ wrong, missingNewest }).toEqual({ wrong: 0, missingNewest: 0 });
    expect(cache.size).toBeGreaterThan(20);
  });
});
