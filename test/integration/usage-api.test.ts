import request from 'supertest';
import { createGrant } from '../../src/grants/grants';
import { startHarness, type Harness } from '../support/harness';
import { TEST_ADMIN_KEY, TEST_API_KEY, testSite } from '../support/site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

describe('agency usage push API: POST /api/v1/agencies/usage', () => {
  let h: Harness;
  beforeAll(async () => {
    // 100000 - 10000 - (20000 + 30000) committed = 40000 kbps for citizens.
    h = await startHarness(testSite());
  });
  afterAll(async () => {
    await h.close();
  });
  const post = (body: unknown, key: string | null = TEST_ADMIN_KEY) => {
    const r = request(h.services.app).post('/api/v1/agencies/usage');
    if (key) r.set('Authorization', `Bearer ${key}`);
    return r.send(body as object);
  };

  it('refuses a missing or wrong key with a JSON error that says what to send', async () => {
    const none = await post([], null).expect(401);
    expect(none.body.error).toEqual({ code: 'UNAUTHORIZED', message: expect.stringContaining('Authorization: Bearer') });
    expect(none.headers['www-authenticate']).toContain('Bearer');
    await post([], 'lmp_wrong_key_000000000000000000').expect(401);
  });

  it('lets capacity follow the agencies: usage below commitment frees bandwidth, a burst takes it back', async () => {
    const now = Date.now();
    const quiet = await post([
      { agencyId: 'dinkes', downKbps: 2000, upKbps: 500, at: new Date(now).toISOString() },
      { agencyId: 'disdik', downKbps: 3000, upKbps: 1000, at: now },
    ]).expect(200);
    // Claims: 2400 + 3600 down (20% margin), 600 + 1200 up.
    expect(quiet.body).toEqual({ stored: 2, capacity: { downKbps: 90000 - 6000, upKbps: 90000 - 1800 } });
    expect(await h.services.pool.snapshot()).toMatchObject({ capDownKbps: 84000, capUpKbps: 88200 });

    const burst = await post({ usage: [{ agencyId: 'disdik', downKbps: 60000, upKbps: 1000, at: now + 1000 }] }).expect(200);
    expect(burst.body.capacity.downKbps).toBe(90000 - 2400 - 72000);
  });

  it('admits citizens against the capacity the agencies leave, and refuses when they leave too little', async () => {
    await post([{ agencyId: 'disdik', downKbps: 74000, upKbps: 1000, at: Date.now() + 2000 }]).expect(200);
    // 90000 - 2400 - 88800 = -1200: nothing left for citizens.
    expect((await h.services.pool.snapshot()).capDownKbps).toBe(0);
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: 'AA:00:00:00:06:01' });
    const r = await h.services.pool.admit({ sessionId: g.username, mac: g.mac, hotspotId: 'taman-kota-sampit', nasIp: '127.0.0.1', acctSessionId: '', requestKey: 'cap1', credential: VERIFIED });
    expect(r).toEqual({ ok: false, reason: 'pool_full' });
  });

  it('ignores a measurement older than the one it has', async () => {
    const before = (await h.services.pool.snapshot()).capDownKbps;
    const old = await post([{ agencyId: 'disdik', downKbps: 1, upKbps: 1, at: Date.now() - 100_000 }]).expect(200);
    expect(old.body.stored).toBe(0);
    expect((await h.services.pool.snapshot()).capDownKbps).toBe(before);
  });

  it('refuses unknown agencies, agencies outside the key scope, nonsense values and future times, storing nothing', async () => {
    const unknown = await post([{ agencyId: 'dinas-antah', downKbps: 1, upKbps: 1, at: Date.now() }]).expect(400);
    expect(unknown.body).toEqual({
      error: { code: 'INVALID', message: expect.stringContaining('Nothing was stored'), details: [{ path: '[0].agencyId', message: 'unknown agency "dinas-antah"' }] },
    });

    const scoped = await post([{ agencyId: 'disdik', downKbps: 1, upKbps: 1, at: Date.now() }], TEST_API_KEY).expect(400);
    expect(scoped.body.error.details[0].message).toContain('may not report for "disdik"');
    await post([{ agencyId: 'dinkes', downKbps: 1, upKbps: 1, at: Date.now() + 5000 }], TEST_API_KEY).expect(200);

    const nonsense = await post([{ agencyId: 'dinkes', downKbps: -5, upKbps: 1e12, at: 'yesterday' }]).expect(400);
    expect(nonsense.body.error.code).toBe('INVALID');
    expect(nonsense.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['[0].downKbps', '[0].upKbps']));

    const future = await post([{ agencyId: 'dinkes', downKbps: 1, upKbps: 1, at: Date.now() + 3_600_000 }]).expect(400);
    expect(future.body.error.details[0].message).toContain('future');

    const broken = await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).set('Content-Type', 'application/json').send('{"usage": [').expect(400);
    expect(broken.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' } });
  });
});
