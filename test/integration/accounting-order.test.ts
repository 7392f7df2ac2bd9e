import { deviceDayUsage } from '../../src/pool/device-usage';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClient as Redis } from '../../src/redis/client';
import request from 'supertest';
import { createGrant } from '../../src/grants/grants';
import { Keys } from '../../src/redis/keys';
import { Pool, type AccountingInput } from '../../src/pool/pool';
import { findHotspot, upsertSite } from '../../src/pool/site-store';
import { allowanceLeft } from '../../src/portal/allowance';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';
import { eventually } from '../support/eventually';
import { papLogin, startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { testRedis } from '../support/redis';
import { TEST_SECRET, testSite } from '../support/site';

const HOTSPOT = 'taman-kota-sampit';

/** What a device has used of its free day (WIB), as the ledger books it. */
const usedToday = (redis: Redis, keys: Keys, mac: string) => deviceDayUsage(redis, keys, mac);

describe('when a Stop arrives after Redis is back but before the spool is replayed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'limpah-order-redis-'));
  let redis: EmbeddedRedis;
  let h: Harness;

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir, appendOnly: true });
    // The test replays the spool itself, after the Stop: the timer must not do it before.
    h = await startHarness(undefined, { redisUrl: redis.url, commandTimeoutMs: 500, spoolReplayMs: 3_600_000 });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  const acct = (username: string, mac: string, status: string, extra: string[]) =>
    radclient(h.acctPort, 'acct', TEST_SECRET, [
      `User-Name = "${username}"`, `Acct-Status-Type = ${status}`, 'Acct-Session-Id = "81a000e1"', `Calling-Station-Id = "${mac}"`,
      'NAS-IP-Address = 127.0.0.1', ...extra,
    ]);
  const breakerOpen = async () => /limpah_redis_breaker_open\{[^}]*\} 1/.test((await request(h.services.app).get('/metrics')).text);

  it('applies the spooled Start and Interim first, so the session ends closed and unbooked with the Stop totals', async () => {
    // The portal issued a grant; then Redis stopped, and the router's login was accepted failing open.
    const mac = 'AA:BB:CC:00:0E:01';
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: HOTSPOT, mac });
    await redis.stop();
    expect((await papLogin(h, g)).code).toBe('Access-Accept');
    expect((await acct(g.username, mac, 'Start', ['Acct-Session-Time = 0'])).code).toBe('Accounting-Response');
    expect((await acct(g.username, mac, 'Interim-Update', ['Acct-Session-Time = 300', 'Acct-Output-Octets = 700000'])).code).toBe('Accounting-Response');
    expect(h.services.radius.counters.spooled).toBe(2);

    // Redis is back, and RADIUS knows it: another citizen's login goes through the ledger again.
    redis = await startEmbeddedRedis({ dataDir, appendOnly: true, port: redis.port, password: redis.password });
    const other = await createGrant(h.redis, h.services.keys, { hotspotId: HOTSPOT, mac: 'AA:BB:CC:00:0E:02' });
    await eventually(async () => expect((await papLogin(h, other)).attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k'), {
      what: 'a login to go through the ledger again (the rate of the hotspot, not the fail-open one)',
      intervalMs: 100,
    });
    expect(await breakerOpen()).toBe(false);

    // The citizen leaves before the spool is replayed.
    const stop = ['Acct-Session-Time = 600', 'Acct-Output-Octets = 900000', 'Acct-Input-Octets = 100000', 'Acct-Terminate-Cause = User-Request'];
    expect((await acct(g.username, mac, 'Stop', stop)).code).toBe('Accounting-Response');
    expect(h.services.radius.counters.spooled).toBe(3); // queued behind the Start and Interim, in the router's order
    await h.services.spool.replay(h.services.pool);

    expect(await h.services.pool.session(g.username)).toMatchObject({ state: 'closed', acctStopped: '1', sessionTime: '600', outputBytes: '900000' });
    expect(await h.services.pool.liveSessions(HOTSPOT)).toEqual([other.username]);
    expect(await h.services.pool.snapshot()).toMatchObject({ sessions: 1, allocDownKbps: 2048 });
    expect(await usedToday(h.redis, h.services.keys, mac)).toEqual({ sec: 600, bytes: 1_000_000 });
    // Accounting goes straight to Redis again once the spool is empty.
    expect(h.services.spool.backlogged).toBe(false);
  });
});

describe('accounting for sessions Limpah did not admit, in any order', () => {
  let redis: Redis;
  let keys: Keys;
  let pool: Pool;

  beforeEach(async () => {
    const t = testRedis();
    redis = t.redis;
    keys = new Keys(t.namespace);
    await upsertSite(redis, keys, testSite());
    pool = new Pool(redis, keys);
  });
  afterEach(() => redis.disconnect());

  const acct = (sessionId: string, mac: string, over: Partial<AccountingInput>): AccountingInput => ({
    status: 'interim', sessionId, mac, hotspotId: HOTSPOT, acctSessionId: 'x', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0,
    terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: { sessionId }, ...over,
  });

  it('does not book an Interim or a Start for a session id Limpah never issued, and keeps them for reconcile', async () => {
    const mac = 'AA:00:00:00:0E:10';
    expect((await pool.account(acct('g-neverissued1', mac, { sessionTimeSec: 300, outputBytes: 4096 }))).code).toBe('unknown');
    expect((await pool.account(acct('g-neverissued1', mac, { status: 'start' }))).code).toBe('unknown');
    expect(await pool.session('g-neverissued1')).toBeNull();
    expect(await pool.snapshot()).toMatchObject({ sessions: 0, allocDownKbps: 0 });
    // Storage: nothing in src/ reads the unmatched-accounting list back; that both records are kept there is the point.
    expect(await redis.llen(keys.unmatchedAccounting())).toBe(2);
  });

  it('adopts an unknown session only for the device and hotspot its unconsumed grant names, and consumes the grant', async () => {
    const mac = 'AA:00:00:00:0E:11';
    const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
    expect((await pool.account(acct(g.username, 'AA:00:00:00:0E:99', {}))).code).toBe('unknown');
    expect((await pool.account(acct(g.username, mac, { hotspotId: 'aula-desa-baamang', nasIp: '127.0.1.50' }))).code).toBe('unknown');
    expect(await pool.snapshot()).toMatchObject({ sessions: 0 });
    expect((await pool.account(acct(g.username, mac, { sessionTimeSec: 60 }))).code).toBe('adopted');
    // The grant is consumed: a CHAP login with it, for which the admission would hand back the grant's password, finds none.
    const again = { sessionId: g.username, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'x', requestKey: 'again', credential: { kind: 'chap', value: '' } } as const;
    expect(await pool.admit(again)).toEqual({ ok: false, reason: 'grant_invalid' });
    expect(await pool.snapshot()).toMatchObject({ sessions: 1, allocDownKbps: 2048 });
  });

  it('a Stop for a session Redis lost closes it: its older Start and Interim, applied after, do not book it again', async () => {
    const mac = 'AA:00:00:00:0E:12';
    const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
    const stop = await pool.account(acct(g.username, mac, { status: 'stop', sessionTimeSec: 600, outputBytes: 900_000, terminateCause: 'User-Request' }));
    expect(stop).toEqual({ code: 'ok', state: 'closed' });
    expect((await pool.account(acct(g.username, mac, { status: 'start' }))).code).toBe('closed');
    expect((await pool.account(acct(g.username, mac, { sessionTimeSec: 300, outputBytes: 700_000 }))).code).toBe('closed');
    expect(await pool.session(g.username)).toMatchObject({ state: 'closed', acctStopped: '1', sessionTime: '600', outputBytes: '900000' });
    expect(await pool.snapshot()).toMatchObject({ sessions: 0, allocDownKbps: 0, allocUpKbps: 0 });
    expect(await pool.liveSessions(HOTSPOT)).toEqual([]);
    expect(await usedToday(redis, keys, mac)).toEqual({ sec: 600, bytes: 900_000 });
  });
});
