import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { createOperator, type Actor } from '../../src/admin/operators';
import { grantLogin, startHarness, type Harness } from '../support/harness';
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
      expect(await again.redis.hget(again.services.keys.nasByIdentifier(), 'MikroTik-Taman')).toBe('taman-kota-sampit');
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
    const device = await h.redis.hgetall(h.services.keys.device(mac));
    expect(Object.entries(device).filter(([k]) => k.endsWith(':b'))).toEqual([]);
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
