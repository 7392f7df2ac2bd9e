import request from 'supertest';
import pino from 'pino';
import { Allocator } from '../../src/control/allocator';
import { eventually } from '../support/eventually';
import { startFreeradiusCoa, type FreeradiusCoa } from '../support/freeradius-coa';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_ADMIN_KEY, TEST_SECRET, testSite } from '../support/site';

const HOTSPOT = 'taman-kota-sampit';
const VERIFIED = { kind: 'verified', value: '' } as const;

async function activeSession(h: Harness, n: number): Promise<string> {
  const sessionId = `g-alloc${String(n).padStart(7, '0')}`;
  const mac = `AA:00:00:00:08:${String(n).padStart(2, '0')}`;
  await h.redis.hset(h.services.keys.grant(sessionId), { password: 'x', hotspotId: HOTSPOT, mac });
  const admitted = await h.services.pool.admit({ sessionId, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: `a${n}`, requestKey: sessionId, credential: VERIFIED });
  expect(admitted.ok).toBe(true);
  await h.services.pool.account({
    status: 'start', sessionId, mac, hotspotId: HOTSPOT, acctSessionId: `a${n}`, sessionTimeSec: 0, inputBytes: 0, outputBytes: 0,
    terminateCause: '', framedIp: `10.5.50.${n + 10}`, nasIp: '127.0.0.1', record: {},
  });
  return sessionId;
}

describe('fair shares follow capacity: agency usage rises, live sessions are re-rated through a real CoA receiver', () => {
  let fr: FreeradiusCoa;
  let h: Harness;
  beforeAll(async () => {
    fr = await startFreeradiusCoa({ secret: TEST_SECRET, requireMessageAuthenticator: true });
  });
  afterAll(async () => {
    await fr?.stop();
  });
  // Each test has a Limpah of its own (its own namespace, sessions, capacity and lease): a failed test cannot
  // leave a burst or live sessions for the next one. The CoA receiver is shared and keeps every packet.
  beforeEach(async () => {
    // 100000 - 10000 - 50000 committed = 40000 kbps; sessions 2048/1024 at most.
    h = await startHarness(testSite({ coaPort: fr.port }), { allocatorIntervalMs: 3_600_000 });
  });
  afterEach(async () => {
    await h?.close();
  });
  const usage = (downKbps: number, at: number) =>
    request(h.services.app)
      .post('/api/v1/agencies/usage')
      .set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
      .send([
        { agencyId: 'dinkes', downKbps, upKbps: 100, at },
        { agencyId: 'disdik', downKbps: 0, upKbps: 0, at },
      ])
      .expect(200);

  it('steps sessions down at once when an agency bursts, and back up in steps when it calms down', async () => {
    const ids = [];
    for (let i = 1; i <= 4; i++) ids.push(await activeSession(h, i));
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 8192, sessions: 4 });

    // Dinas Kesehatan bursts: 70000 x 1.2 = 84000 claimed, 90000 - 84000 = 6000 kbps left; 10 % of it stays free
    // for newcomers, 5400 for the four sessions: 1350 each.
    const burst = await usage(70_000, Date.now());
    expect(burst.body.capacity.downKbps).toBe(6000);
    // The push itself starts an allocator round (no interval to wait for); a round asked for meanwhile runs after it.
    await eventually(async () => expect((await fr.received()).filter((p) => p.code === 'CoA-Request').length).toBeGreaterThanOrEqual(4), {
      what: 'the round started by the push to re-rate the four sessions through the CoA receiver',
      timeoutMs: 5000,
    });
    expect(await h.services.allocator.runOnce()).toMatchObject({ leader: true, sessions: 4, rerated: 0, failed: 0 });
    const snap = await h.services.pool.snapshot();
    expect(snap.allocDownKbps).toBeLessThanOrEqual(snap.capDownKbps);
    expect(snap.allocDownKbps).toBe(5400);
    const coas = (await fr.received()).filter((p) => p.code === 'CoA-Request');
    expect(coas).toHaveLength(4);
    expect(coas.map((p) => p.attributes['Mikrotik-Rate-Limit'])).toEqual(Array(4).fill('1024k/1350k'));
    expect(coas[0]!.attributes).toMatchObject({ 'NAS-Identifier': 'MikroTik-Taman' });

    // The burst is over: capacity returns; sessions go up by at most half per round, then to their ceiling.
    await usage(1_000, Date.now() + 1000);
    await h.services.allocator.runOnce();
    // Up by at most half: 1350 x 1.5 = 2025 (the ceiling, 2048, is within the hysteresis from there).
    expect(await h.services.pool.session(ids[0]!)).toMatchObject({ downKbps: '2025' });
    expect((await h.services.pool.snapshot()).allocDownKbps).toBe(8100);

    // Nothing moved: no CoA at all.
    const before = (await fr.received()).length;
    expect(await h.services.allocator.runOnce()).toMatchObject({ rerated: 0 });
    expect((await fr.received()).length).toBe(before);
  });

  it('runs one more round after the current one for whatever asked during it (a capacity change mid-round)', async () => {
    const first = h.services.allocator.runOnce();
    const second = h.services.allocator.runOnce();
    expect(h.services.allocator.runOnce()).toBe(second);
    expect(second).not.toBe(first);
    const order: string[] = [];
    await Promise.all([first.then(() => order.push('first')), second.then(() => order.push('second'))]);
    expect(order).toEqual(['first', 'second']);
  });

  it('disconnects a session through its router as soon as its device has used up the day', async () => {
    const sessionId = await activeSession(h, 9);
    const interim = await radclient(h.acctPort, 'acct', TEST_SECRET, [
      `User-Name = "${sessionId}"`,
      'Acct-Status-Type = Interim-Update',
      'Acct-Session-Id = "a9"',
      'Acct-Session-Time = 600',
      'Acct-Output-Octets = 0',
      'Acct-Output-Gigawords = 1',
      'Calling-Station-Id = "AA:00:00:00:08:09"',
      'NAS-IP-Address = 127.0.0.1',
    ]);
    expect(interim.code).toBe('Accounting-Response');
    await eventually(async () => expect(await h.services.pool.session(sessionId)).toMatchObject({ state: 'closed' }), { what: 'the session over its daily quota to be closed', timeoutMs: 2500 });
    expect(await h.services.pool.session(sessionId)).toMatchObject({ state: 'closed', terminateCause: 'daily-quota' });
    expect((await fr.received()).at(-1)).toMatchObject({ code: 'Disconnect-Request', attributes: { 'User-Name': sessionId } });
  });

  it('lets only one allocator work at a time, and fences out one that lost its lease', async () => {
    const other = new Allocator({ redis: h.redis, keys: h.services.keys, pool: h.services.pool, sessions: h.services.sessions, logger: pino({ level: 'silent' }) });
    // Limpah's own allocator holds the lease (it ran a round).
    expect(await h.services.allocator.runOnce()).toMatchObject({ leader: true });
    expect(await other.runOnce()).toMatchObject({ leader: false });

    const epoch = (await h.services.allocator.runOnce()).epoch;
    await h.redis.del(h.services.keys.allocatorLease()); // the lease ran out while the first allocator stalled
    const takeover = await other.runOnce();
    expect(takeover).toMatchObject({ leader: true });
    expect(takeover.epoch).toBeGreaterThan(epoch);
    const sessionId = await activeSession(h, 10);
    expect((await h.services.pool.rerate(sessionId, 512, 256, epoch)).code).toBe('stale-epoch');
    expect((await h.services.pool.rerate(sessionId, 512, 256, takeover.epoch)).code).toBe('rerated');
  });
});
