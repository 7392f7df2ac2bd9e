import { createHash } from 'node:crypto';
import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { siteKecamatan } from '../../src/admin/service';
import { createOperator, type Actor } from '../../src/admin/operators';
import { createGrant, GRANTS_PER_SOURCE_PER_MINUTE } from '../../src/grants/grants';
import { formatCode } from '../../src/vouchers/codes';
import { createVouchers, FAILURES_PER_DEVICE } from '../../src/vouchers/store';
import { eventually } from '../support/eventually';
import { grantLogin, papLogin, startHarness, type Harness } from '../support/harness';
import { formFields } from '../support/html';
import { recordRefusal, REFUSAL_WINDOW_MS, REFUSALS_PER_HOTSPOT } from '../../src/pool/refusal-store';
import { findHotspot } from '../../src/pool/site-store';
import { allowanceLeft } from '../../src/portal/allowance';
import { radclient } from '../support/radclient';
import { TEST_SECRET, testSite } from '../support/site';

const VERIFIED = { kind: 'verified', value: '' } as const;

const ROOT: Actor = { kind: 'operator', name: 'root', role: 'admin', scope: { kecamatan: [], hotspots: [] } };

describe('what an attacker and a bad day found (issue 11)', () => {
  let h: Harness;
  let admin = '';
  beforeAll(async () => {
    h = await startHarness();
    admin = await createAdminApiKey(h.redis, h.services.keys, ROOT, { name: 'ops', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
  });
  afterAll(async () => {
    await h.close();
  });
  const api = () => request(h.services.app);
  const as = () => ({ Authorization: `Bearer ${admin}` });

  it('a hotspot edited in the console keeps its routers when Limpah restarts with the same site file', async () => {
    await api().post('/api/v1/hotspots/taman-kota-sampit/disable').set(as()).expect(200);
    await api().post('/api/v1/hotspots/taman-kota-sampit/enable').set(as()).expect(200);
    expect((await api().get('/api/v1/hotspots/taman-kota-sampit').set(as()).expect(200)).body.source).toBe('console');
    // A restart: the same namespace, the same site file.
    const again = await startHarness(testSite(), { namespace: h.namespace });
    try {
      expect((await grantLogin(again, 'AA:00:00:00:11:01')).reply.code).toBe('Access-Accept');
      expect(await findHotspot(again.redis, again.services.keys, { identifier: 'MikroTik-Taman' })).toMatchObject({ id: 'taman-kota-sampit' });
    } finally {
      await again.close();
    }
  });

  it('a router cannot charge, close or revive a session that runs on another router', async () => {
    // A citizen at the village hall, whose router is 127.0.1.50.
    const sessionId = 'g-foreign00001';
    const mac = 'AA:00:00:00:11:02';
    await h.redis.hset(h.services.keys.grant(sessionId), { password: 'x', hotspotId: 'aula-desa-baamang', mac });
    const admitted = await h.services.pool.admit({ sessionId, mac, hotspotId: 'aula-desa-baamang', nasIp: '127.0.1.50', acctSessionId: 'b1', requestKey: sessionId, credential: VERIFIED });
    expect(admitted.ok).toBe(true);
    await h.services.pool.account({ status: 'start', sessionId, mac, hotspotId: 'aula-desa-baamang', acctSessionId: 'b1', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0, terminateCause: '', framedIp: '', nasIp: '127.0.1.50', record: {} });
    // The park's router (127.0.0.1) names it in an Interim with 2^40 octets, then in a Stop.
    const acct = (status: string, octets: number) =>
      radclient(h.acctPort, 'acct', TEST_SECRET, [
        `User-Name = "${sessionId}"`, `Acct-Status-Type = ${status}`, 'Acct-Session-Id = "b1"', `Calling-Station-Id = "${mac}"`,
        'NAS-IP-Address = 127.0.0.1', 'Acct-Session-Time = 60', `Acct-Output-Octets = ${octets % 2 ** 32}`, `Acct-Output-Gigawords = ${Math.floor(octets / 2 ** 32)}`,
      ]);
    await acct('Interim-Update', 2 ** 40);
    await acct('Stop', 2 ** 40);
    const session = await h.services.pool.session(sessionId);
    expect(session).toMatchObject({ state: 'active', outputBytes: '0', sessionTime: '0' });
    // Nothing was booked on the device's day either, as the portal reads it.
    const daily = (await findHotspot(h.redis, h.services.keys, { id: 'aula-desa-baamang' }))!;
    const left = await allowanceLeft(h.redis, h.services.keys, { mac }, daily, Math.floor(Date.now() / 1000));
    expect(left).toEqual({ voucher: false, seconds: daily.dailyMinutes * 60, bytes: daily.dailyMB * 1048576 });
  });

  it('stores nothing for a flood of refused Access-Requests with made-up devices', async () => {
    // Storage: a flood must leave no keys behind, which only a count of the keys can tell.
    const count = async () => (await h.redis.keys(`{${h.namespace}}:*`)).length;
    const before = await count();
    for (let i = 0; i < 150; i++) {
      const mac = `AA:02:00:00:${Math.floor(i / 256).toString(16).padStart(2, '0')}:${(i % 256).toString(16).padStart(2, '0')}`;
      const reply = await radclient(h.authPort, 'auth', TEST_SECRET, [
        `User-Name = "g-${String(i).padStart(12, 'a').slice(-12).replace(/[01]/g, 'x')}"`, 'User-Password = "nothing"', `Calling-Station-Id = "${mac}"`,
        'NAS-IP-Address = 127.0.0.1', 'Message-Authenticator = 0x00',
      ]);
      expect(reply.code).toBe('Access-Reject');
    }
    expect((await count()) - before).toBeLessThanOrEqual(2);
  }, 60_000);

  it('keeps a hotspot\'s refusals within the cap, making room from entries older than the window', async () => {
    const key = h.services.keys.refusals('taman-kota-sampit');
    const stale = JSON.stringify({ reason: 'pool_full', atMs: Date.now() - REFUSAL_WINDOW_MS - 60_000 });
    const fill: Record<string, string> = {};
    for (let i = 0; i < REFUSALS_PER_HOTSPOT; i++) fill[`AA:03:00:00:${Math.floor(i / 256).toString(16).padStart(2, '0')}:${(i % 256).toString(16).padStart(2, '0')}`] = stale;
    await h.redis.hset(key, fill);
    expect(await recordRefusal(h.redis, h.services.keys, 'taman-kota-sampit', 'AA:03:FF:00:00:01', 'pool_full')).toBe(true);
    // Storage: the cap is on what is kept; lastRefusal ignores stale entries, so only the hash's size tells they went.
    expect(await h.redis.hlen(key)).toBe(1);
    // Full of fresh ones: a new device is not recorded.
    const fresh = JSON.stringify({ reason: 'pool_full', atMs: Date.now() });
    for (const mac of Object.keys(fill)) fill[mac] = fresh;
    await h.redis.hset(key, fill);
    expect(await recordRefusal(h.redis, h.services.keys, 'taman-kota-sampit', 'AA:03:FF:00:00:02', 'pool_full')).toBe(false);
    await h.redis.del(key);
  });

  it('drops an Access-Request whose Proxy-State leaves no room for a reply, before booking anything', async () => {
    const { username, password, mac } = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: 'AA:00:00:00:11:04' });
    const big = `0x${'ab'.repeat(253)}`;
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, [
      `User-Name = "${username}"`, `User-Password = "${password}"`, `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1',
      // 97 octets of header and attributes, then Proxy-State up to the 4096-octet maximum: valid, and a reply that
      // copies it back has no room left for an Access-Accept's attributes.
      'Message-Authenticator = 0x00', ...Array<string>(15).fill(`Proxy-State = ${big}`), `Proxy-State = 0x${'cd'.repeat(172)}`,
    ], { retries: 1, timeoutSec: 1 });
    expect(reply.code).toBeNull();
    // Nothing booked, and the grant is still there for a router that asks properly.
    expect(await h.services.pool.session(username)).toBeNull();
    expect((await papLogin(h, { username, password, mac })).code).toBe('Access-Accept');
  });

  it('encodes every id it puts in a console URL, and acts only on session ids Limpah issued', async () => {
    // A router named a session so that a raw form action would climb to a voucher batch's revoke route.
    const crafted = 'g-/../../vouchers/b1/revoke?';
    const mac = 'AA:00:00:00:11:03';
    await h.redis.hset(h.services.keys.grant(crafted), { password: 'x', hotspotId: 'taman-kota-sampit', mac });
    expect((await h.services.pool.admit({ sessionId: crafted, mac, hotspotId: 'taman-kota-sampit', nasIp: '127.0.0.1', acctSessionId: 'c1', requestKey: crafted, credential: VERIFIED })).ok).toBe(true);
    await createOperator(h.redis, h.services.keys, { username: 'dewi', name: 'Dewi', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: 'pasir-panjang-2026' });
    const signIn = await api().post('/admin/login').type('form').send({ username: 'dewi', password: 'pasir-panjang-2026' }).expect(303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const page = await api().get('/admin/sessions').set('Cookie', cookie).expect(200);
    const actions = [...page.text.matchAll(/action="([^"]*)"/g)].map((m) => m[1]!);
    expect(actions).toContain(`/admin/sessions/${encodeURIComponent(crafted)}/disconnect`);
    expect(actions.filter((a) => a.includes('/../') || a.includes('?'))).toEqual([]);
    // Even named exactly, it is not a session Limpah issued: nothing to disconnect.
    await api().post(`/api/v1/sessions/${encodeURIComponent(crafted)}/disconnect`).set(as()).expect(404);
    await h.services.pool.release(crafted, 'taman-kota-sampit', 'test');
  });
});

describe('someone who is not behind a hotspot\'s router cannot use up its limits (issue 11, items 2 and 8)', () => {
  let h: Harness;
  beforeAll(async () => {
    // The portal sees each request's network through X-Forwarded-For from a trusted proxy, as in production.
    h = await startHarness(testSite(), { trustProxy: true });
  });
  afterAll(async () => {
    await h.close();
  });
  const ROUTER = { 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity: 'MikroTik-Taman' };
  const splash = (mac: string, from: string) => request(h.services.app).post('/hotspot/mikrotik').set('X-Forwarded-For', from).type('form').send({ ...ROUTER, mac });
  const connect = async (mac: string, from: string, voucher?: string) => {
    const page = await splash(mac, from).expect(200);
    const form = voucher === undefined ? page.text : page.text.slice(page.text.lastIndexOf('<form', page.text.indexOf('class="voucher"')));
    const fields = formFields(form).fields;
    return request(h.services.app).post('/hotspot/mikrotik/connect').set('X-Forwarded-For', from).type('form').send(voucher === undefined ? fields : { ...fields, voucher });
  };
  const mac = (i: number) => `AA:01:${Math.floor(i / 256).toString(16).padStart(2, '0')}:${(i % 256).toString(16).padStart(2, '0')}:00:01`;

  it('made-up MACs from one network use up that network\'s grants, not the hotspot\'s', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < GRANTS_PER_SOURCE_PER_MINUTE + 1; i++) statuses.push((await connect(mac(i), '198.51.100.7')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(GRANTS_PER_SOURCE_PER_MINUTE);
    expect(statuses[statuses.length - 1]).toBe(429);
    // A citizen behind the park's router is not affected.
    const citizen = await connect('AA:00:00:00:12:01', '10.20.5.1');
    expect(citizen.status).toBe(200);
    expect(formFields(citizen.text).action).toBe('http://10.5.50.1/login');
  }, 60_000);

  it('wrong voucher codes from made-up MACs do not lock a hotspot\'s citizens out of their vouchers', async () => {
    const [code] = await createVouchers(h.redis, h.services.keys, { count: 1, hotspots: [], validityMinutes: 60, deviceLimit: 1, quotaMB: 100, redeemByMs: Date.now() + 86_400_000, note: '', batch: 'hardening', createdBy: 'test' });
    for (let i = 0; i < 40; i++) expect((await connect(mac(1000 + i), '198.51.100.8', `ZZZZZ-2222${(i % 8) + 2}`)).status).toBe(400);
    const citizen = await connect('AA:00:00:00:12:02', '10.20.5.1', formatCode(code!));
    expect(citizen.status).toBe(200);
    expect(formFields(citizen.text).action).toBe('http://10.5.50.1/login');
  });

  it('caps wrong codes per device even when they arrive all at once', async () => {
    const results = await Promise.all(Array.from({ length: 3 * FAILURES_PER_DEVICE }, (_, i) => connect('AA:00:00:00:12:03', '10.20.5.2', `ZZZZZ-3333${(i % 7) + 2}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(FAILURES_PER_DEVICE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * FAILURES_PER_DEVICE);
  });
});

describe('Redis comes back empty (issue 11, item 5)', () => {
  it('keeps the routers it knew, writes the site file and the console\'s routers back, and serves again', async () => {
    const h = await startHarness(testSite(), { nasRefreshMs: 100 });
    try {
      const key = await createAdminApiKey(h.redis, h.services.keys, ROOT, { name: 'ops', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
      await request(h.services.app)
        .post('/api/v1/hotspots/aula-desa-baamang/nas')
        .set({ Authorization: `Bearer ${key}` })
        .send({ type: 'mikrotik', ip: '127.0.2.9', identifier: 'MT-Aula2' })
        .expect(200);
      // And a CoovaChilli, whose uamsecret the portal needs to check its redirects.
      const chilli = await request(h.services.app)
        .post('/api/v1/hotspots/aula-desa-baamang/nas')
        .set({ Authorization: `Bearer ${key}` })
        .send({ type: 'chilli', ip: '127.0.2.10', identifier: 'CH-Aula3' })
        .expect(200);
      const uamSecret = (chilli.body as { uamSecret?: string }).uamSecret!;
      expect(uamSecret).toBeTruthy();
      /** The Chilli's redirect to the splash, signed (md) with a uamsecret as CoovaChilli signs it. */
      const redirect = (secret: string) => {
        const url = 'http://portal.test/hotspot/chilli?res=notyet&uamip=10.1.0.1&uamport=3990&challenge=0123456789abcdef0123456789abcdef&mac=AA-00-00-00-13-03&nasid=CH-Aula3';
        return `${url.slice('http://portal.test'.length)}&md=${createHash('md5').update(url).update(secret).digest('hex').toUpperCase()}`;
      };
      await request(h.services.app).get(redirect(uamSecret)).expect(200);
      // The router directory has read the routers (and their secrets) as they are now.
      await eventually(() => h.services.nas.lookup('127.0.2.10') !== undefined, { what: 'the router directory to know the new Chilli' });
      // Everything this Limpah had in Redis is gone, as after a restart without persistence (storage: the test wipes it).
      const all = await h.redis.keys(`{${h.namespace}}:*`);
      await h.redis.del(...all);
      // The NAS directory notices at its next refresh (every 100 ms here) and writes the site back, then the console's
      // routers: the last write of the restore.
      await eventually(
        async () => {
          expect(await siteKecamatan({ redis: h.redis, keys: h.services.keys })).toEqual(['Mentawa Baru Ketapang', 'Baamang']);
          expect(await findHotspot(h.redis, h.services.keys, { identifier: 'MT-Aula2' })).toMatchObject({ id: 'aula-desa-baamang' });
        },
        { what: 'the site and the console\'s routers to be written back', timeoutMs: 5000 },
      );
      expect((await grantLogin(h, 'AA:00:00:00:13:01')).reply.code).toBe('Access-Accept');
      await request(h.services.app).post('/hotspot/mikrotik').type('form').send({ mac: 'AA:00:00:00:13:02', 'link-login-only': 'http://10.5.50.1/login', identity: 'MikroTik-Taman' }).expect(200);
      expect(await findHotspot(h.redis, h.services.keys, { identifier: 'MT-Aula2' })).toMatchObject({ id: 'aula-desa-baamang' });
      // The portal checks the Chilli's redirects with the same uamsecret as before (and still refuses another).
      await request(h.services.app).get(redirect(uamSecret)).expect(200);
      await request(h.services.app).get(redirect('not-the-uamsecret')).expect(400);
      expect((await request(h.services.app).get('/readyz')).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
