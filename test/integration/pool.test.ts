import { deviceDayUsage } from '../../src/pool/device-usage';
import type { RedisClient as Redis } from '../../src/redis/client';
import { createGrant } from '../../src/grants/grants';
import { Keys } from '../../src/redis/keys';
import { Pool, type AccountingInput } from '../../src/pool/pool';
import { Reaper } from '../../src/control/reaper';
import { reconcile } from '../../src/pool/reconcile';
import { findHotspot, upsertSite } from '../../src/pool/site-store';
import { getHotspot, hotspotAllocation, listHotspots } from '../../src/admin/service';
import { allowanceLeft } from '../../src/portal/allowance';
import { NasDirectory } from '../../src/radius/nas-directory';
import pino from 'pino';
import { dumpNamespace, testRedis } from '../support/redis';
import { wibDay } from '../../src/time';
import { testSite } from '../support/site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

const HOTSPOT = 'taman-kota-sampit';

describe('the pool ledger in a real redis-server', () => {
  let redis: Redis;
  let keys: Keys;
  let pool: Pool;
  let n = 0;

  beforeEach(async () => {
    const t = testRedis();
    redis = t.redis;
    keys = new Keys(t.namespace);
    await upsertSite(redis, keys, testSite({ capacityKbps: 65000 })); // 65000 - 10000 - 50000 = 5000 kbps public
    pool = new Pool(redis, keys, { pendingLeaseMs: 200 });
  });
  afterEach(() => redis.disconnect());

  async function admit(mac: string, hotspotId = HOTSPOT) {
    const g = await createGrant(redis, keys, { hotspotId, mac });
    const result = await pool.admit({ sessionId: g.username, mac, hotspotId, nasIp: '127.0.0.1', acctSessionId: 'x', requestKey: `r${n++}`, credential: VERIFIED });
    return { g, result };
  }

  /** What a device has used of its free day (WIB), as the ledger books it. */
  const usedToday = (mac: string) => deviceDayUsage(redis, keys, mac);

  const acct = (sessionId: string, mac: string, over: Partial<AccountingInput>): AccountingInput => ({
    status: 'interim', sessionId, mac, hotspotId: HOTSPOT, acctSessionId: 'x', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0,
    terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {}, ...over,
  });

  it('computes capacity as uplink - headroom - committed', async () => {
    expect(await pool.snapshot()).toEqual({ capDownKbps: 5000, capUpKbps: 5000, allocDownKbps: 0, allocUpKbps: 0, sessions: 0 });
  });

  it('grants the ceiling while it fits, then what is left above the minimum, then refuses as pool full', async () => {
    const a = await admit('AA:00:00:00:00:01');
    const b = await admit('AA:00:00:00:00:02');
    const c = await admit('AA:00:00:00:00:03'); // 5000 - 4096 = 904 down left, up 5000 - 2048 = 2952
    const d = await admit('AA:00:00:00:00:04'); // 0 down left
    expect([a, b].map((x) => x.result)).toEqual([
      expect.objectContaining({ ok: true, downKbps: 2048, upKbps: 1024 }),
      expect.objectContaining({ ok: true, downKbps: 2048, upKbps: 1024 }),
    ]);
    expect(c.result).toMatchObject({ ok: true, downKbps: 904, upKbps: 1024 });
    expect(d.result).toEqual({ ok: false, reason: 'pool_full' });
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 5000, allocUpKbps: 3072, sessions: 3 });
    // The refused grant is still there for a later try: once a session makes room, it is admitted.
    await pool.release(a.g.username, HOTSPOT, 'test');
    const later = { sessionId: d.g.username, mac: d.g.mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'x', requestKey: `r${n++}`, credential: VERIFIED };
    expect((await pool.admit(later)).ok).toBe(true);
  });

  it('answers a repeated admission request from its cache without taking bandwidth twice', async () => {
    const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac: 'AA:00:00:00:00:05' });
    const input = { sessionId: g.username, mac: g.mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'x', requestKey: 'same', credential: VERIFIED };
    const first = await pool.admit(input);
    const second = await pool.admit(input);
    expect(second).toEqual(first);
    expect((await pool.snapshot()).sessions).toBe(1);
  });

  it('refuses a device whose daily minutes are used up, and shortens Session-Timeout to what is left', async () => {
    const mac = 'AA:00:00:00:00:06';
    const first = await admit(mac);
    expect(first.result).toMatchObject({ ok: true, sessionTimeoutSec: 3600 });
    await pool.account(acct(first.g.username, mac, { status: 'start' }));
    await pool.account(acct(first.g.username, mac, { status: 'stop', sessionTimeSec: 3600 * 2 + 1800, outputBytes: 10 }));
    const second = await admit(mac);
    expect(second.result).toMatchObject({ ok: true, sessionTimeoutSec: 1800 });
    await pool.account(acct(second.g.username, mac, { status: 'stop', sessionTimeSec: 1800 }));
    expect((await admit(mac)).result).toEqual({ ok: false, reason: 'daily_limit' });
  });

  it('keeps one day of usage in a device record, however many days in a row the device comes', async () => {
    const mac = 'AA:00:00:00:00:9F';
    const today = wibDay(Date.now());
    // Storage: what the record holds is the point, and only its fields can tell. Yesterday's usage as this version
    // writes it, and two older days as a record from before the day was kept (no day field) would hold them.
    await redis.hset(keys.device(mac), { day: today - 1, [`d${today - 1}:s`]: 600, [`d${today - 1}:b`]: 1000 });
    const { g } = await admit(mac);
    await pool.account(acct(g.username, mac, { status: 'interim', sessionTimeSec: 60, outputBytes: 10 }));
    const fields = (record: Record<string, string>) => Object.keys(record).filter((f) => !f.startsWith('l:')).sort();
    expect(fields(await redis.hgetall(keys.device(mac)))).toEqual([`d${today}:b`, `d${today}:s`, 'day']);
    expect(await usedToday(mac)).toEqual({ sec: 60, bytes: 10 });

    const legacy = 'AA:00:00:00:00:1F';
    await redis.hset(keys.device(legacy), { [`d${today - 3}:s`]: 1, [`d${today - 3}:b`]: 1, [`d${today - 2}:s`]: 2, [`d${today - 2}:b`]: 2 });
    const other = await admit(legacy);
    await pool.account(acct(other.g.username, legacy, { status: 'stop', sessionTimeSec: 30, inputBytes: 5 }));
    expect(await redis.hgetall(keys.device(legacy))).toEqual({ day: String(today), [`d${today}:s`]: '30', [`d${today}:b`]: '5' });
    expect(await redis.ttl(keys.device(legacy))).toBeGreaterThan(47 * 3600);
  });

  it('leaves no device record behind for a session that used nothing, and keeps one with usage for two days', async () => {
    // Storage: whether the record exists and expires is the point.
    const idle = await admit('AA:00:00:00:00:3F');
    expect(Object.keys(await redis.hgetall(keys.device('AA:00:00:00:00:3F')))).toEqual([`l:${idle.g.username}`]);
    await pool.release(idle.g.username, HOTSPOT, 'test');
    expect(await redis.exists(keys.device('AA:00:00:00:00:3F'))).toBe(0);
    const used = await admit('AA:00:00:00:00:4F');
    await pool.account(acct(used.g.username, 'AA:00:00:00:00:4F', { status: 'stop', sessionTimeSec: 60, outputBytes: 1 }));
    expect(await redis.ttl(keys.device('AA:00:00:00:00:4F'))).toBeGreaterThan(47 * 3600);
  });

  it('answers a retransmission only for the request that made the session, from the same router', async () => {
    const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac: 'AA:00:00:00:00:2F' });
    const input = { sessionId: g.username, mac: g.mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'x', requestKey: '7:abc', credential: VERIFIED };
    expect((await pool.admit(input)).ok).toBe(true);
    expect(await pool.admit({ ...input, requestKey: '8:def' })).toEqual({ ok: false, reason: 'grant_invalid' });
    expect(await pool.admit({ ...input, nasIp: '127.0.0.9' })).toEqual({ ok: false, reason: 'grant_invalid' });
    // Past the retransmission window (30 s by default) the same request is refused too.
    const later = new Pool(redis, keys, { requestCacheMs: 0 });
    expect(await later.admit(input)).toEqual({ ok: false, reason: 'grant_invalid' });
    expect((await pool.snapshot()).sessions).toBe(1);
  });

  it('refuses a device whose daily megabytes are used up', async () => {
    const mac = 'AA:00:00:00:00:07';
    const first = await admit(mac);
    await pool.account(acct(first.g.username, mac, { status: 'stop', sessionTimeSec: 60, inputBytes: 24 * 1048576, outputBytes: 1000 * 1048576 }));
    expect((await admit(mac)).result).toEqual({ ok: false, reason: 'daily_limit' });
  });

  it('counts duplicated and out-of-order accounting once, and a late interim after stop changes nothing', async () => {
    const mac = 'AA:00:00:00:00:08';
    const { g } = await admit(mac);
    const interim = acct(g.username, mac, { sessionTimeSec: 300, inputBytes: 100, outputBytes: 200 });
    expect((await pool.account(interim)).code).toBe('ok');
    expect((await pool.account(interim)).code).toBe('duplicate');
    expect((await pool.account({ ...interim, sessionTimeSec: 200, inputBytes: 50 })).code).toBe('duplicate');
    expect((await pool.account({ ...interim, status: 'stop', sessionTimeSec: 400, inputBytes: 150 })).code).toBe('ok');
    expect((await pool.account({ ...interim, sessionTimeSec: 900, inputBytes: 9999 })).code).toBe('closed');
    expect(await usedToday(mac)).toEqual({ sec: 400, bytes: 350 });
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, allocUpKbps: 0, sessions: 0 });
  });

  it('adopts a session whose admission Redis lost (failover) when its router reports it, booking it at what is left', async () => {
    const mac = 'AA:00:00:00:00:40';
    // The grant reached the replica; the admission that consumed it and wrote the session did not.
    const { username } = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
    const result = await pool.account({ ...acct(username, mac, { sessionTimeSec: 600, outputBytes: 4096 }), nasIp: '127.0.0.1' });
    expect(result.code).toBe('adopted');
    expect(await pool.session(username)).toMatchObject({ state: 'active', downKbps: '2048', nasIp: '127.0.0.1', needsRerate: '1', adopted: '1' });
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 2048, sessions: 1 });
    expect((await reconcile(redis, keys)).drift).toBe(false);
    expect((await pool.account(acct(username, mac, { status: 'stop', sessionTimeSec: 660, outputBytes: 5000 }))).code).toBe('ok');
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    expect(await usedToday(mac)).toEqual({ sec: 660, bytes: 5000 });
  });

  it('reports a session whose device has used up the day, for the caller to disconnect', async () => {
    const mac = 'AA:00:00:00:00:41';
    const { g } = await admit(mac);
    expect((await pool.account(acct(g.username, mac, { status: 'start' }))).code).toBe('ok');
    const over = await pool.account(acct(g.username, mac, { sessionTimeSec: 300, outputBytes: 1024 * 1048576 }));
    expect(over).toEqual({ code: 'over_quota', state: 'active' });
  });

  it('books a rate increase only as far as the pool allows, and a decrease always', async () => {
    const a = await admit('AA:00:00:00:00:80'); // 2048 of 5000
    const b = await admit('AA:00:00:00:00:81'); // 2048
    expect(await pool.rerate(a.g.username, 4000, 1024)).toEqual({ code: 'rerated', downKbps: 2952, upKbps: 1024 });
    expect((await pool.snapshot()).allocDownKbps).toBe(5000);
    expect(await pool.rerate(b.g.username, 512, 1024)).toEqual({ code: 'rerated', downKbps: 512, upKbps: 1024 });
    expect((await reconcile(redis, keys)).drift).toBe(false);
  });

  it('still counts the final usage of a session an operator or a quota ended, without touching the pool twice', async () => {
    const mac = 'AA:00:00:00:00:70';
    const { g } = await admit(mac);
    await pool.account(acct(g.username, mac, { status: 'start' }));
    await pool.release(g.username, HOTSPOT, 'admin-reset');
    expect((await pool.account(acct(g.username, mac, { status: 'stop', sessionTimeSec: 900, outputBytes: 900 * 1048576 }))).code).toBe('closed');
    expect(await usedToday(mac)).toEqual({ sec: 900, bytes: 900 * 1048576 });
    // After the router's Stop, nothing more counts.
    await pool.account(acct(g.username, mac, { sessionTimeSec: 999, outputBytes: 999 * 1048576 }));
    expect(await usedToday(mac)).toEqual({ sec: 900, bytes: 900 * 1048576 });
    expect(await pool.snapshot()).toMatchObject({ sessions: 0, allocDownKbps: 0 });
  });

  it('keeps accounting for an unknown session instead of losing it', async () => {
    const result = await pool.account(acct('g-unknown00000', 'AA:00:00:00:00:09', { status: 'stop', record: { note: 'kept' } }));
    expect(result.code).toBe('unknown');
    // Storage: nothing in src/ reads the unmatched-accounting list back; that the record is kept there is the point.
    expect(await redis.lrange(keys.unmatchedAccounting(), 0, -1)).toEqual([JSON.stringify({ note: 'kept' })]);
  });

  it('reaps a pending session that never started and returns its bandwidth; releasing twice changes nothing', async () => {
    const { g } = await admit('AA:00:00:00:00:0A');
    const active = await admit('AA:00:00:00:00:0B');
    await pool.account(acct(active.g.username, 'AA:00:00:00:00:0B', { status: 'start' }));
    // Not a wait for work: the pending lease (200 ms here) has to run out for the reaper to take the session.
    await new Promise((r) => setTimeout(r, 300));
    const reaper = new Reaper(pool, pino({ level: 'silent' }));
    expect(await reaper.runOnce()).toBe(1);
    expect(await pool.session(g.username)).toMatchObject({ state: 'closed', terminateCause: 'never-started' });
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 2048, sessions: 1 });
    expect(await pool.release(g.username, HOTSPOT, 'again')).toBe('not-live');
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 2048, sessions: 1 });
  });

  it('revives a session reaped for silence when its router reports it alive, and still counts its usage', async () => {
    const mac = 'AA:00:00:00:00:0D';
    const { g } = await admit(mac);
    // Not a wait for work: the pending lease (200 ms here) has to run out for the reaper to take the session.
    await new Promise((r) => setTimeout(r, 300));
    expect(await new Reaper(pool, pino({ level: 'silent' })).runOnce()).toBe(1);
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });

    // The Start came late: the router enforces the rate, so the ledger books it again.
    expect((await pool.account(acct(g.username, mac, { status: 'start' }))).code).toBe('revived');
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 2048, allocUpKbps: 1024, sessions: 1 });
    expect(await pool.liveSessions(HOTSPOT)).toContain(g.username);
    expect((await pool.account(acct(g.username, mac, { status: 'stop', sessionTimeSec: 120, outputBytes: 5000 }))).code).toBe('ok');
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    expect(await usedToday(mac)).toEqual({ sec: 120, bytes: 5000 });
  });

  it('counts the usage of a Stop that arrives after the reaper, without touching the pool twice', async () => {
    const mac = 'AA:00:00:00:00:0E';
    const { g } = await admit(mac);
    // Not a wait for work: the pending lease (200 ms here) has to run out for the reaper to take the session.
    await new Promise((r) => setTimeout(r, 300));
    await new Reaper(pool, pino({ level: 'silent' })).runOnce();
    expect((await pool.account(acct(g.username, mac, { status: 'stop', sessionTimeSec: 60, inputBytes: 10 }))).code).toBe('ok');
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    expect(await usedToday(mac)).toEqual({ sec: 60, bytes: 10 });
  });

  it('books usage on the session device and hotspot, whatever the packet says', async () => {
    const mac = 'AA:00:00:00:00:0F';
    const { g } = await admit(mac);
    const stop = acct(g.username, '00:00:00:00:00:00', { status: 'stop', sessionTimeSec: 30, hotspotId: 'aula-desa-baamang' });
    expect((await pool.account(stop)).code).toBe('ok');
    expect(await usedToday(mac)).toEqual({ sec: 30, bytes: 0 });
    expect(await usedToday('00:00:00:00:00:00')).toEqual({ sec: 0, bytes: 0 });
    expect(await pool.liveSessions(HOTSPOT)).toEqual([]);
  });

  it('stores counters as exact whole numbers, even near the largest a NAS can report', async () => {
    const mac = 'AA:00:00:00:00:10';
    const { g } = await admit(mac);
    const big = 2 ** 50;
    expect((await pool.account(acct(g.username, mac, { status: 'stop', inputBytes: big, outputBytes: 1 }))).code).toBe('ok');
    expect(await pool.session(g.username)).toMatchObject({ inputBytes: String(big), outputBytes: '1' });
  });

  it('admits only within a hotspot opening hours, by the WIB clock', async () => {
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
    const todayWib = new Date(Date.now() + 7 * 3600_000).getUTCDay();
    const site = testSite({ capacityKbps: 65000 });
    const otherDay = { [days[(todayWib + 1) % 7]!]: ['08:00', '22:00'] };
    await upsertSite(redis, keys, { ...site, hotspots: [{ ...site.hotspots[0]!, openingHours: otherDay }, site.hotspots[1]!] });
    expect((await admit('AA:00:00:00:00:20')).result).toEqual({ ok: false, reason: 'closed_hours' });
    await upsertSite(redis, keys, site);
    expect((await admit('AA:00:00:00:00:20')).result.ok).toBe(true);
  });

  it('holds a hotspot within its maxShareKbps, so one busy park cannot take the whole pool', async () => {
    const site = testSite({ capacityKbps: 65000 }); // 5000 kbps
    const park = { ...site.hotspots[0]!, quota: { ...site.hotspots[0]!.quota, maxShareKbps: 3000 } };
    await upsertSite(redis, keys, { ...site, hotspots: [park, site.hotspots[1]!] });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await admit(`AA:00:00:00:00:5${i}`)).result);
    expect(results.map((r) => (r.ok ? r.downKbps : r.reason))).toEqual([2048, 952, 'hotspot_full']);
    // The village hall still gets the rest of the pool.
    expect((await admit('AA:00:00:00:00:59', 'aula-desa-baamang')).result).toMatchObject({ ok: true, downKbps: 1024 });
    expect((await hotspotAllocation({ redis, keys }, HOTSPOT)).downKbps).toBe(3000);
    expect((await hotspotAllocation({ redis, keys }, 'aula-desa-baamang')).downKbps).toBe(1024);
    expect((await reconcile(redis, keys)).drift).toBe(false);
  });

  it('lets a device hold one session: logging in again ends the old one, which its router has lost', async () => {
    const mac = 'AA:00:00:00:00:60';
    const first = await admit(mac);
    await pool.account(acct(first.g.username, mac, { status: 'start' }));
    const second = await admit(mac);
    expect(second.result).toMatchObject({ ok: true, downKbps: 2048 });
    expect(await pool.session(first.g.username)).toMatchObject({ state: 'closed', terminateCause: 'replaced-by-new-login' });
    expect(await pool.snapshot()).toMatchObject({ sessions: 1, allocDownKbps: 2048 });
    // The device's one live session is the new one.
    const live = await pool.liveSessions(HOTSPOT);
    const ofDevice = await Promise.all(live.map(async (id) => ((await pool.session(id))?.['mac'] === mac ? [id] : [])));
    expect(ofDevice.flat()).toEqual([second.g.username]);
    expect((await reconcile(redis, keys)).drift).toBe(false);
  });

  it('lets a device log in again at a full hotspot: its old session makes room', async () => {
    await upsertSite(redis, keys, testSite({ capacityKbps: 65000, maxSessions: 1 }));
    const first = await admit('AA:00:00:00:00:61');
    expect((await admit('AA:00:00:00:00:62')).result).toEqual({ ok: false, reason: 'hotspot_full' });
    expect((await admit('AA:00:00:00:00:61')).result.ok).toBe(true);
    expect(await pool.session(first.g.username)).toMatchObject({ state: 'closed', terminateCause: 'replaced-by-new-login' });
  });

  it('grants up to capacity times the overbooking factor', async () => {
    await upsertSite(redis, keys, { ...testSite({ capacityKbps: 65000 }), overbooking: 2 }); // 5000 kbps, x2
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await admit(`AA:00:00:00:00:3${i}`)).result);
    expect(results.map((r) => (r.ok ? r.downKbps : r.reason))).toEqual([2048, 2048, 2048, 2048, 1808, 'pool_full']);
    expect((await pool.snapshot()).allocDownKbps).toBe(10000);
  });

  it('writing the same site twice changes nothing, and keeps the ledger', async () => {
    await admit('AA:00:00:00:00:0C');
    const before = await dumpNamespace(redis, keys.namespace);
    await upsertSite(redis, keys, testSite({ capacityKbps: 65000 }));
    expect(await dumpNamespace(redis, keys.namespace)).toEqual(before);
  });

  it('a site without a hotspot stops trusting its router and stops showing it', async () => {
    const site = testSite({ capacityKbps: 65000 });
    await upsertSite(redis, keys, { ...site, hotspots: site.hotspots.slice(0, 1) });
    // RADIUS trusts only the park's router now...
    const nas = new NasDirectory(redis, keys, pino({ level: 'silent' }));
    await nas.runOnce();
    expect(nas.size).toBe(1);
    expect(nas.lookup('127.0.0.1')).toMatchObject({ identifier: 'MikroTik-Taman', hotspotId: 'taman-kota-sampit' });
    expect(nas.lookup('127.0.1.50')).toBeUndefined();
    // ...the portal finds no hotspot by the village hall's router identity...
    expect(await findHotspot(redis, keys, { identifier: 'MikroTik-Taman' })).toMatchObject({ id: 'taman-kota-sampit' });
    expect(await findHotspot(redis, keys, { identifier: 'MT-AulaBaamang' })).toBeNull();
    // ...and the console no longer shows the village hall.
    expect((await listHotspots({ redis, keys })).map((h) => h.id)).toEqual(['taman-kota-sampit']);
    await expect(getHotspot({ redis, keys }, 'aula-desa-baamang')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
