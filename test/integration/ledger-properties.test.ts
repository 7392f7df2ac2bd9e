import fc from 'fast-check';
import type { RedisClient as Redis } from '../../src/redis/client';
import { createGrant } from '../../src/grants/grants';
import { Keys } from '../../src/redis/keys';
import { Pool, type AccountingInput } from '../../src/pool/pool';
import { reconcile } from '../../src/pool/reconcile';
import { upsertSite } from '../../src/pool/site-store';
import { testRedis } from '../support/redis';
import { testSite } from '../support/site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

const HOTSPOT = 'taman-kota-sampit';

type Step =
  | { kind: 'admit'; device: number; retransmit: boolean }
  | { kind: 'start' | 'interim' | 'stop'; session: number; seconds: number; bytes: number; duplicate: boolean }
  | { kind: 'reap'; session: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('admit' as const), device: fc.integer({ min: 0, max: 30 }), retransmit: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom('start' as const, 'interim' as const, 'stop' as const),
    session: fc.nat(),
    seconds: fc.integer({ min: 0, max: 4000 }),
    bytes: fc.integer({ min: 0, max: 50_000_000 }),
    duplicate: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('reap' as const), session: fc.nat() }),
);

/**
 * Thousands of admissions, retransmissions, accounting records, duplicates, stops and releases, in concurrent
 * batches against a real redis-server. After every batch the pool never holds more than its capacity and equals
 * the sum of the live sessions; when everything has stopped, it is empty.
 */
describe('ledger properties under concurrency (fast-check, real redis-server)', () => {
  let redis: Redis;
  afterAll(() => redis?.disconnect());

  it('never overbooks, never drifts, and returns to zero', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 8 }), async (batches) => {
        const t = testRedis();
        redis?.disconnect();
        redis = t.redis;
        const keys = new Keys(`${t.namespace}-${runs++}`);
        // 70000 - 10000 - 50000 = 10000 kbps and maxSessions 12: both limits are reached.
        await upsertSite(redis, keys, testSite({ maxSessions: 12, capacityKbps: 70000 }));
        const pool = new Pool(redis, keys);
        const sessions: Array<{ id: string; mac: string; time: number; bytes: number }> = [];
        let req = 0;

        const acct = (s: (typeof sessions)[number], status: AccountingInput['status']): AccountingInput => ({
          status, sessionId: s.id, mac: s.mac, hotspotId: HOTSPOT, acctSessionId: 'a', sessionTimeSec: s.time,
          inputBytes: 0, outputBytes: s.bytes, terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {},
        });

        const run = async (st: Step): Promise<void> => {
          if (st.kind === 'admit') {
            const mac = `AA:00:00:00:00:${st.device.toString(16).padStart(2, '0')}`.toUpperCase();
            const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
            const input = { sessionId: g.username, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'a', requestKey: `r${req++}`, credential: VERIFIED };
            const attempts = st.retransmit ? [pool.admit(input), pool.admit(input)] : [pool.admit(input)];
            const [first, second] = await Promise.all(attempts);
            if (second) expect(second).toEqual(first);
            if (first!.ok) sessions.push({ id: g.username, mac, time: 0, bytes: 0 });
            return;
          }
          const s = sessions.length ? sessions[st.session % sessions.length]! : undefined;
          if (!s) return;
          if (st.kind === 'reap') {
            await pool.release(s.id, HOTSPOT, 'lease-expired');
            return;
          }
          s.time += st.seconds;
          s.bytes += st.bytes;
          const copies = st.duplicate ? 2 : 1;
          await Promise.all(Array.from({ length: copies }, () => pool.account(acct(s, st.kind as AccountingInput['status']))));
        };

        for (const batch of batches) {
          await Promise.all(batch.map(run));
          const snap = await pool.snapshot();
          expect(snap.allocDownKbps).toBeLessThanOrEqual(snap.capDownKbps);
          expect(snap.allocUpKbps).toBeLessThanOrEqual(snap.capUpKbps);
          expect(snap.sessions).toBeLessThanOrEqual(12);
          const report = await reconcile(redis, keys);
          expect(report.drift).toBe(false);
        }

        // Everything stops (a Stop for each session; a revived one closes too).
        await Promise.all(sessions.map((s) => pool.account(acct(s, 'stop'))));
        await Promise.all(sessions.map((s) => pool.release(s.id, HOTSPOT, 'end')));
        expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, allocUpKbps: 0, sessions: 0 });
        expect((await reconcile(redis, keys)).drift).toBe(false);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
