import request from 'supertest';
import { ADMIN_API_ROUTES } from '../../src/admin/api';
import { createAdminApiKey } from '../../src/admin/auth';
import { readAudit } from '../../src/admin/audit';
import type { Actor } from '../../src/admin/operators';
import { redeemVoucher } from '../../src/vouchers/store';
import { normalizeCode } from '../../src/vouchers/codes';
import { grantLogin, startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

const ROOT: Actor = { kind: 'operator', name: 'root', role: 'admin', scope: { kecamatan: [], hotspots: [] } };

describe('the admin API (/api/v1) with scoped API keys', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  let admin = '';
  let viewer = '';
  let baamangOperator = '';
  beforeAll(async () => {
    h = await startHarness();
    keys = h.services.keys;
    admin = await createAdminApiKey(h.redis, keys, ROOT, { name: 'ops-script', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
    viewer = await createAdminApiKey(h.redis, keys, ROOT, { name: 'bupati-dashboard', role: 'viewer', scope: { kecamatan: [], hotspots: [] } });
    baamangOperator = await createAdminApiKey(h.redis, keys, ROOT, { name: 'kecamatan-baamang', role: 'operator', scope: { kecamatan: ['Baamang'], hotspots: [] } });
  });
  afterAll(async () => {
    await h.close();
  });
  const api = () => request(h.services.app);
  const as = (key: string) => ({ Authorization: `Bearer ${key}` });

  const login = async (mac: string) => {
    return (await grantLogin(h, mac)).reply;
  };

  it('refuses a request without a key with a JSON error that says what to send', async () => {
    const r = await api().get('/api/v1/hotspots').expect(401);
    expect(r.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('Authorization: Bearer lmk_') } });
    await api().get('/api/v1/hotspots').set(as('lmk_not-a-real-key-0123456789')).expect(401);
  });

  it('changes a hotspot quota, and the next Access-Request gets the new rate', async () => {
    const before = await api().get('/api/v1/hotspots/taman-kota-sampit').set(as(admin)).expect(200);
    expect((await login('AA:00:00:00:10:01')).attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
    const { id: _, nas: __, liveSessions: ___, heldDownKbps: ____, source: _____, disabled: ______, ...editable } = before.body;
    const changed = await api()
      .put('/api/v1/hotspots/taman-kota-sampit')
      .set(as(admin))
      .send({ ...editable, openingHours: undefined, quota: { ...before.body.quota, downKbps: 4096, upKbps: 2048 } })
      .expect(200);
    expect(changed.body.quota).toMatchObject({ downKbps: 4096, upKbps: 2048 });
    expect(changed.body.source).toBe('console');
    expect((await login('AA:00:00:00:10:02')).attributes['Mikrotik-Rate-Limit']).toBe('2048k/4096k');
    const [entry] = await readAudit(h.redis, keys, { action: 'hotspot.update' });
    expect(entry).toMatchObject({ actor: 'ops-script', via: 'api', target: 'hotspot:taman-kota-sampit' });
    expect((entry!.before as { quota: { downKbps: number } }).quota.downKbps).toBe(2048);
    expect((entry!.after as { quota: { downKbps: number } }).quota.downKbps).toBe(4096);
  });

  it('validates bodies with the schemas it publishes, and answers errors as JSON', async () => {
    const bad = await api().put('/api/v1/hotspots/taman-kota-sampit').set(as(admin)).send({ name: 'x', quota: { downKbps: -1 } }).expect(400);
    expect(bad.body.error.code).toBe('INVALID');
    expect(bad.body.error.message).toMatch(/quota\.downKbps|kecamatan/);
    // The fields, in the body every JSON API answers (the usage push too): each path and what is wrong with it.
    expect(bad.body.error.details).toEqual(expect.arrayContaining([{ path: 'quota.downKbps', message: expect.any(String) }, { path: 'kecamatan', message: expect.any(String) }]));
    expect(bad.body.error.message).toBe(bad.body.error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`).join('; '));
    await api().get('/api/v1/hotspots/nowhere').set(as(admin)).expect(404);
    expect((await api().get('/api/v1/no-such-route').set(as(admin)).expect(404)).body).toEqual({ error: { code: 'NOT_FOUND', message: 'No such API route; see the README.' } });
    const broken = await api().put('/api/v1/hotspots/taman-kota-sampit').set(as(admin)).set('Content-Type', 'application/json').send('{"name": ').expect(400);
    expect(broken.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' } });
    const doc = (await api().get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    // Written out here, not taken from the route list the document is generated from.
    const expected = [
      'get /pool', 'get /pool/history', 'get /hotspots', 'get /hotspots/{id}', 'put /hotspots/{id}', 'post /hotspots/{id}/disable', 'post /hotspots/{id}/enable',
      'post /hotspots/{id}/nas', 'delete /nas/{ip}', 'get /nas/{ip}/routeros', 'get /agencies', 'patch /agencies/{id}', 'get /telemetry-keys', 'post /telemetry-keys',
      'delete /telemetry-keys/{id}', 'get /sessions', 'post /sessions/{id}/disconnect', 'post /devices/block', 'get /devices/blocks', 'delete /devices/{mac}/block', 'get /voucher-batches',
      'post /voucher-batches', 'get /voucher-batches/{batch}', 'post /voucher-batches/{batch}/revoke', 'get /vouchers/{code}', 'post /vouchers/{code}/revoke', 'get /reports', 'get /reports/right-sizing',
      'get /audit', 'get /operators', 'post /operators', 'patch /operators/{username}', 'get /api-keys', 'post /api-keys', 'delete /api-keys/{id}', 'post /agencies/usage',
      // SNMP devices and the agencies' measures (src/admin/service/snmp.ts).
      'get /agencies/measurements', 'put /agencies/{id}/measure', 'delete /agencies/{id}/measure', 'get /snmp-devices', 'get /snmp-devices/{id}', 'put /snmp-devices/{id}',
      'delete /snmp-devices/{id}', 'get /snmp-devices/{id}/inventory', 'get /snmp-devices/{id}/routeros',
    ];
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(expected.sort());
    // Every route the document names answers (here: refuses a request without a key, rather than 404).
    for (const route of expected.filter((r) => r !== 'post /agencies/usage')) {
      const [method, path] = route.split(' ') as ['get' | 'post' | 'put' | 'patch' | 'delete', string];
      expect([route, (await api()[method](`/api/v1${path.replace(/\{\w+\}/g, 'x')}`)).status]).toEqual([route, 401]);
    }
    const put = doc.paths['/hotspots/{id}'].put.requestBody.content['application/json'].schema;
    expect(put.properties.quota.properties.downKbps.maximum).toBe(4_000_000);
    expect(put.required).toEqual(expect.arrayContaining(['name', 'kecamatan', 'kind', 'quota']));
  });

  it('lets a viewer read everything and change nothing', async () => {
    await api().get('/api/v1/pool').set(as(viewer)).expect(200);
    await api().get('/api/v1/sessions').set(as(viewer)).expect(200);
    for (const r of ADMIN_API_ROUTES.filter((x) => x.method !== 'get')) {
      const path = r.path.replace(':id', 'taman-kota-sampit').replace(':ip', '127.0.0.1').replace(':batch', 'b').replace(':code', 'ABCDE-23456').replace(':mac', 'AA:00:00:00:00:01').replace(':username', 'root');
      const res = await api()[r.method](`/api/v1${path}`).set(as(viewer)).send({});
      expect([r.method, r.path, res.status]).toEqual([r.method, r.path, 403]);
    }
  });

  it("keeps an operator to its kecamatan: Baamang's hall yes, the park in Mentawa Baru Ketapang no", async () => {
    await api().post('/api/v1/hotspots/aula-desa-baamang/disable').set(as(baamangOperator)).expect(200);
    const refused = await api().post('/api/v1/hotspots/taman-kota-sampit/disable').set(as(baamangOperator)).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    await api().post('/api/v1/voucher-batches').set(as(baamangOperator)).send({ count: 1, validityHours: 1, deviceLimit: 1, quotaMB: 10, hotspots: ['taman-kota-sampit'] }).expect(403);
    await api().post('/api/v1/hotspots/aula-desa-baamang/enable').set(as(baamangOperator)).expect(200);
    await api().get('/api/v1/operators').set(as(baamangOperator)).expect(403);
  });

  it('makes a voucher batch for a kecamatan, and its codes work at that kecamatan only', async () => {
    const made = await api().post('/api/v1/voucher-batches').set(as(admin)).send({ count: 3, validityHours: 24, deviceLimit: 1, quotaMB: 100, kecamatan: ['Baamang'], note: 'Musrenbang' }).expect(200);
    expect(made.body.codes).toHaveLength(3);
    expect(made.body.links[0]).toBe(`http://portal.test/v/${made.body.codes[0]}`);
    const code = normalizeCode(made.body.codes[0])!;
    expect(await redeemVoucher(h.redis, keys, { code, mac: 'AA:00:00:00:11:01', hotspotId: 'taman-kota-sampit' })).toEqual({ ok: false, reason: 'voucher_wrong_hotspot' });
    expect((await redeemVoucher(h.redis, keys, { code, mac: 'AA:00:00:00:11:01', hotspotId: 'aula-desa-baamang' })).ok).toBe(true);
    // A hotspot opened in the kecamatan after the batch was made takes its vouchers too.
    const hall = (await api().get('/api/v1/hotspots/aula-desa-baamang').set(as(admin)).expect(200)).body;
    await api().put('/api/v1/hotspots/aula-desa-baamang-2').set(as(admin)).send({ name: 'Aula Desa Baamang Tengah', kecamatan: 'Baamang', kind: 'village-hall', loginMethods: ['voucher'], quota: hall.quota }).expect(200);
    const later = normalizeCode(made.body.codes[2])!;
    expect((await redeemVoucher(h.redis, keys, { code: later, mac: 'AA:00:00:00:11:02', hotspotId: 'aula-desa-baamang-2' })).ok).toBe(true);
    const batch = (await api().get(`/api/v1/voucher-batches/${made.body.batch}`).set(as(admin)).expect(200)).body;
    expect(batch.find((v: { code: string }) => v.code === made.body.codes[0])).toMatchObject({ status: 'active', devices: 1, firstHotspot: 'aula-desa-baamang' });
    expect((await api().post(`/api/v1/voucher-batches/${made.body.batch}/revoke`).set(as(admin)).expect(200)).body).toEqual({ revoked: 3 });
    expect((await api().get(`/api/v1/vouchers/${made.body.codes[2]}`).set(as(admin)).expect(200)).body.kecamatan).toEqual(['Baamang']);
    expect((await api().get(`/api/v1/vouchers/${made.body.codes[1]}`).set(as(admin)).expect(200)).body.status).toBe('revoked');
  });

  it('adds a router with a generated secret that works at once, and removes it', async () => {
    const added = await api().post('/api/v1/hotspots/aula-desa-baamang/nas').set(as(admin)).send({ type: 'mikrotik', ip: '127.0.2.9', identifier: 'MT-Baamang-2' }).expect(200);
    expect(added.body.secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const script = await api().get('/api/v1/nas/127.0.2.9/routeros').set(as(admin)).expect(200);
    expect(script.text).toContain(`secret="${added.body.secret}"`);
    expect(script.text).toContain('/system identity set name="MT-Baamang-2"');
    expect(h.services.nas.lookup('127.0.2.9')?.secret).toBe(added.body.secret);
    const list = (await api().get('/api/v1/hotspots/aula-desa-baamang').set(as(viewer)).expect(200)).body;
    expect(JSON.stringify(list)).not.toContain(added.body.secret);
    await api().post('/api/v1/hotspots/aula-desa-baamang/nas').set(as(admin)).send({ type: 'mikrotik', ip: '127.0.2.9', identifier: 'other' }).expect(409);
    await api().delete('/api/v1/nas/127.0.2.9').set(as(admin)).expect(200);
    expect(h.services.nas.lookup('127.0.2.9')).toBeUndefined();
  });

  it('reports the day: sessions, devices, hours, GB and what they were worth; CSV too', async () => {
    const mac = 'AA:00:00:00:12:01';
    const { grant } = await grantLogin(h, mac);
    for (const [status, extra] of [['Start', []], ['Stop', ['Acct-Session-Time = 3600', 'Acct-Output-Octets = 1000000000', 'Acct-Input-Octets = 0']]] as const) {
      await radclient(h.acctPort, 'acct', TEST_SECRET, [`Acct-Status-Type = ${status}`, `User-Name = "${grant.username}"`, 'Acct-Session-Id = "r1"', `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1', ...extra]);
    }
    const booked = Number(await h.redis.hget(keys.session(grant.username), 'downKbps'));
    const report = (await api().get('/api/v1/reports').set(as(viewer)).expect(200)).body;
    const park = report.byHotspot.find((r: { hotspotId: string }) => r.hotspotId === 'taman-kota-sampit');
    expect(park.sessions).toBeGreaterThanOrEqual(1);
    expect(park.devices).toBeGreaterThanOrEqual(1);
    expect(park.hours).toBeCloseTo(1, 5);
    expect(park.gb).toBeCloseTo(1, 5);
    // One hour at the rate booked for the session: booked/1000 Mbps-hours.
    expect(booked).toBeGreaterThan(0);
    expect(park.mbpsHours).toBeCloseTo(booked / 1000, 3);
    expect(report.delivered.pricePerMbpsMonthIdr).toBe(Math.round(2_200_000_000 / 12 / 100));
    expect(report.delivered.valueIdr).toBe(Math.round((report.delivered.mbpsHours / 730) * (2_200_000_000 / 12 / 100)));
    const csv = await api().get('/api/v1/reports?format=csv').set(as(viewer)).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('date,hotspot_id,hotspot,kecamatan,unique_devices,sessions,hours,gb,mbps_hours');
    expect(csv.text).not.toContain(mac);
  });

  it('never leaves the regency without an enabled admin, even when two admins demote each other at once', async () => {
    for (const username of ['ani', 'bayu']) {
      await api().post('/api/v1/operators').set(as(admin)).send({ username, role: 'admin', password: 'dua-admin-sampit-2026' }).expect(200);
    }
    const both = await Promise.all(['ani', 'bayu'].map((u) => api().patch(`/api/v1/operators/${u}`).set(as(admin)).send({ role: 'viewer' })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const left = both[0]!.status === 409 ? 'ani' : 'bayu';
    const refused = await api().patch(`/api/v1/operators/${left}`).set(as(admin)).send({ disabled: true }).expect(409);
    expect(refused.body.error.message).toContain('last enabled admin');
    const ops = (await api().get('/api/v1/operators').set(as(admin)).expect(200)).body as Array<{ username: string; role: string; disabled: boolean }>;
    expect(ops.filter((o) => o.role === 'admin' && !o.disabled).map((o) => o.username)).toEqual([left]);
  });

  it('serves Prometheus metrics and readiness', async () => {
    const metrics = await api().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/limpah_radius_access_requests_total\{result="accept",app="limpah"\} [1-9]/);
    expect(metrics.text).toMatch(/limpah_pool_kbps\{kind="capacity",direction="down",app="limpah"\} \d+/);
    expect(metrics.text).toContain('limpah_redis_latency_seconds_bucket');
    expect((await api().get('/readyz').expect(200)).body).toEqual({ status: 'ready', checks: { redis: true, siteLoaded: true, breakerClosed: true } });
    expect((await api().get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });
});
