import { createSocket } from 'node:dgram';
import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { readAudit } from '../../src/admin/audit';
import type { Actor } from '../../src/admin/operators';
import { createOperator } from '../../src/admin/operators';
import { parseSite, type Site } from '../../src/config/site';
import type { SnmpCollector } from '../../src/telemetry/snmp/collector';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { testSite } from '../support/site';
import { startSnmpd, type SnmpdLab } from '../support/snmpd';

/**
 * The operator's side of the SNMP collector, through HTTP as a browser and a script use it: the agencies page says
 * how each agency is measured and why it has no fresh rate; devices are added, changed, tested and removed, admins
 * only; the RouterOS commands carry the keys only in an admin's download. "Test this device" and the measurements
 * come from a real Debian snmpd in a network namespace (test/support/snmpd.ts), the dead device is a loopback port
 * nobody listens on.
 */

const PASSWORD = 'sungai-mentaya-2026';
const ROOT: Actor = { kind: 'operator', name: 'root', role: 'admin', scope: { kecamatan: [], hotspots: [] } };
const POLLER_IP = '10.20.0.5';

/** A UDP port on 127.0.0.1 that nobody listens on (bound, then released): a device there never answers. */
async function deadUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

describe('SNMP devices and agency measures in the console and the admin API', () => {
  let lab: SnmpdLab;
  let h: Harness;
  let keys: Harness['services']['keys'];
  let collector: SnmpCollector;
  let deadPort = 0;
  let adminKey = '';
  let viewerKey = '';

  beforeAll(async () => {
    lab = await startSnmpd({ ifName: 'vlan101', queues: ['dinkes', 'disdik'] });
    deadPort = await deadUdpPort();
    const base = JSON.parse(JSON.stringify(testSite())) as Site;
    const site = parseSite({
      ...base,
      agencies: base.agencies.map((a) => (a.id === 'dinkes' ? { ...a, measure: { device: 'core-router', interface: 'vlan101', download: 'out' } } : a)),
      telemetry: {
        ...base.telemetry,
        snmp: {
          devices: [{ id: 'core-router', host: lab.host, port: lab.port, version: '3', user: lab.v3.user, authProtocol: 'sha256', authKey: lab.v3.authKey, privKey: lab.v3.privKey, intervalSeconds: 3600 }],
        },
      },
    });
    h = await startHarness(site, { radius: { address: POLLER_IP, authPort: 1812, acctPort: 1813 } });
    keys = h.services.keys;
    collector = h.services.jobs.find((j) => j.name === 'snmp-collector') as SnmpCollector;
    await createOperator(h.redis, keys, { username: 'siti', name: 'Siti', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'budi', name: 'Budi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    adminKey = await createAdminApiKey(h.redis, keys, ROOT, { name: 'ops-script', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
    viewerKey = await createAdminApiKey(h.redis, keys, ROOT, { name: 'bupati-dashboard', role: 'viewer', scope: { kecamatan: [], hotspots: [] } });
  });
  afterAll(async () => {
    await h?.close();
    await lab?.stop();
  });

  const app = () => request(h.services.app);
  const api = (key: string) => ({ Authorization: `Bearer ${key}` });
  async function signIn(username: string, lang: 'id' | 'en' = 'id'): Promise<{ cookie: string; csrf: string }> {
    const r = await app().post('/admin/login').type('form').send({ username, password: PASSWORD }).expect(303);
    const cookie = [String(r.headers['set-cookie']).split(';')[0]!, `limpah_admin_lang=${lang}`].join('; ');
    const page = await app().get('/admin/agencies').set('Cookie', cookie).expect(200);
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]! };
  }
  const get = (who: { cookie: string }, path: string) => app().get(path).set('Cookie', who.cookie);
  const post = (who: { cookie: string; csrf: string }, path: string, form: Record<string, string>) => app().post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...form });
  const storedDevice = async (id: string) => JSON.parse((await h.redis.hget(keys.snmpDevices(), id)) ?? 'null') as Record<string, unknown> | null;

  it("shows each agency's measured rate, where it came from (device and counter) and how old it is, and the device's last poll", async () => {
    await collector.runOnce(); // the first reading of each counter: no rate yet
    await lab.receive(1_500_000, 8_000); // the agency's download: OUT on vlan101
    // snmpd refreshes its interface table every few seconds: polled until a reading shows the transfer.
    const dinkes = await eventually(async () => {
      await collector.runOnce();
      const m = (await app().get('/api/v1/agencies/measurements').set(api(viewerKey)).expect(200)).body.find((x: { agencyId: string }) => x.agencyId === 'dinkes');
      expect(m.last.downKbps).toBeGreaterThan(1000);
      return m;
    }, { what: 'a rate of the transfer on vlan101', timeoutMs: 15_000, intervalMs: 500 });
    expect(dinkes).toMatchObject({ measure: { device: 'core-router', interface: 'vlan101', download: 'out' }, last: { source: { kind: 'snmp', device: 'core-router', counter: expect.stringMatching(/^ifName vlan101 \(ifIndex \d+\)$/) }, stale: false }, problem: null });
    expect(dinkes.last.downKbps).toBeGreaterThan(dinkes.last.upKbps);
    const siti = await signIn('siti');
    const page = text((await get(siti, '/admin/agencies').expect(200)).text);
    expect(page).toMatch(/Dinas Kesehatan dinkes .* \d+,\d \/ \d+,\d Mbps (kurang dari 1 menit|1 menit) lalu SNMP core-router · ifName vlan101 \(ifIndex \d+\) SNMP core-router · interface vlan101 /);
    // The device's row: address, version and user, interval, last good poll, the agencies it measures.
    expect(page).toContain(`core-router dari file situs ${lab.host}:${lab.port} SNMP v3 · ${lab.v3.user} tiap 3600 detik`);
    expect(page).toMatch(/WIB — Dinas Kesehatan Uji perangkat Ubah/);
  });

  it('says why an agency has no fresh rate: the device does not answer, in words, with the poller\'s own', async () => {
    const siti = await signIn('siti');
    await post(siti, '/admin/snmp-devices', { id: 'dead-router', host: '127.0.0.1', port: String(deadPort), version: '2c', community: 'ro-nobody', timeoutMs: '200', retries: '0', intervalSeconds: '3600' }).expect(303);
    await post(siti, '/admin/agencies/disdik/measure', { device: 'dead-router', kind: 'queue', counter: 'disdik', download: 'out' }).expect(303);
    await collector.runOnce();
    const page = text((await get(siti, '/admin/agencies').expect(200)).text);
    expect(page).toMatch(/Dinas Pendidikan disdik .* SNMP dead-router · queue disdik dead-router: Perangkat tidak menjawab \(\d+ \w+ \d{4} \d\d\.\d\d WIB\)\. no answer from 127\.0\.0\.1:\d+ within 200 ms \(1 tries\)/);
    expect(page).toMatch(/dead-router diatur di konsol 127\.0\.0\.1:\d+ SNMP v2c tiap 3600 detik belum pernah Perangkat tidak menjawab, /);
    const disdik = (await app().get('/api/v1/agencies/measurements').set(api(viewerKey)).expect(200)).body.find((m: { agencyId: string }) => m.agencyId === 'disdik');
    expect(disdik.problem).toMatchObject({ kind: 'device-error', device: 'dead-router', code: 'timeout' });
  });

  it('tests a device: lists its interfaces and MikroTik queues, each with a form that assigns it to an agency', async () => {
    const siti = await signIn('siti');
    const html = (await get(siti, '/admin/snmp-devices/core-router/test').expect(200)).text;
    const page = text(html);
    expect(page).toMatch(/Perangkat menjawab: \d+ interface dan 2 simple queue\./);
    expect(page).toMatch(/Deskripsi sistem Linux /);
    expect(page).toMatch(/\d+ vlan101 vlan101 64-bit Dinas Kesehatan/);
    expect(page).toMatch(/1 dinkes — .* 2 disdik —/);
    // The queue's row posts the queue by name to the device's assign route; the agency is the operator's choice.
    expect(html).toContain('<input type="hidden" name="kind" value="queue"><input type="hidden" name="counter" value="disdik">');
    await post(siti, '/admin/snmp-devices/core-router/assign', { agency: 'disdik', kind: 'queue', counter: 'disdik', download: 'out' }).expect(303);
    expect(JSON.parse((await h.redis.hget(keys.agencies(), 'disdik'))!)).toMatchObject({ measure: { device: 'core-router', queue: 'disdik', download: 'out' }, source: 'console' });
    const [entry] = await readAudit(h.redis, keys, { action: 'agency.measure', target: 'agency:disdik' });
    expect(entry).toMatchObject({ actor: 'siti', before: { measure: { device: 'dead-router', queue: 'disdik' } }, after: { measure: { device: 'core-router', queue: 'disdik', download: 'out' } } });
    // A viewer sees the same list, with nothing to press but "test again".
    const budi = await signIn('budi');
    const seen = (await get(budi, '/admin/snmp-devices/core-router/test').expect(200)).text;
    expect(text(seen)).toContain('vlan101');
    expect(seen).not.toContain('/assign');
  });

  it('says in words what went wrong when a tested device does not answer, without waiting out its own timeout', async () => {
    // The collector is paused meanwhile: it would poll the slow setting for minutes, past the end of the tests.
    await collector.stop();
    const fast = (await h.redis.hget(keys.snmpDevices(), 'dead-router'))!;
    await h.redis.hset(keys.snmpDevices(), 'dead-router', JSON.stringify({ ...JSON.parse(fast), timeoutMs: 30_000, retries: 5 }));
    try {
      const siti = await signIn('siti');
      const started = Date.now();
      const page = text((await get(siti, '/admin/snmp-devices/dead-router/test').expect(200)).text);
      expect(Date.now() - started).toBeLessThan(15_000); // 2 s and one retry, not 30 s and five
      expect(page).toMatch(/Perangkat tidak bisa dibaca : Perangkat tidak menjawab no answer from 127\.0\.0\.1:\d+ within 2000 ms \(2 tries\)/);
      const r = (await app().get('/api/v1/snmp-devices/dead-router/inventory').set(api(viewerKey)).expect(200)).body;
      expect(r).toEqual({ ok: false, device: 'dead-router', code: 'timeout', message: expect.stringContaining('no answer from 127.0.0.1') });
    } finally {
      await h.redis.hset(keys.snmpDevices(), 'dead-router', fast);
      collector.start();
    }
  });

  it('adds a v3 device, keeps its keys when the form leaves them empty, and never shows or logs them', async () => {
    const siti = await signIn('siti');
    // Loopback, on a port nobody listens on: the collector polls what is added, and no test reaches beyond the machine.
    const form = { host: '127.0.0.9', port: String(deadPort), version: '3', user: 'limpah-poller', authProtocol: 'sha256', authKey: 'Kunci-Auth$2026?', privKey: 'Kunci-Priv-2026', intervalSeconds: '30', timeoutMs: '200', retries: '0' };
    const refused = await post(siti, '/admin/snmp-devices', { ...form, id: 'router-dinkes', port: '70000' }).expect(400);
    expect(text(refused.text)).toContain('Port SNMP (UDP) paling besar 65535.');
    expect(refused.text).not.toContain('Kunci-Auth');
    expect(await storedDevice('router-dinkes')).toBeNull();
    await post(siti, '/admin/snmp-devices', { ...form, id: 'router-dinkes' }).expect(303);
    expect(await storedDevice('router-dinkes')).toMatchObject({ id: 'router-dinkes', version: '3', authKey: 'Kunci-Auth$2026?', privKey: 'Kunci-Priv-2026', source: 'console' });
    await post(siti, '/admin/snmp-devices', { ...form, id: 'router-dinkes' }).expect(409);
    // Changed with the keys left empty: kept.
    await post(siti, '/admin/snmp-devices/router-dinkes', { ...form, authKey: '', privKey: '', intervalSeconds: '60' }).expect(303);
    expect(await storedDevice('router-dinkes')).toMatchObject({ intervalSeconds: 60, authKey: 'Kunci-Auth$2026?', privKey: 'Kunci-Priv-2026' });
    const page = (await get(siti, '/admin/snmp-devices/router-dinkes').expect(200)).text;
    expect(page).not.toContain('Kunci-Auth');
    expect(page).not.toContain('Kunci-Priv');
    expect(text(page)).toContain('Sudah tersimpan. Kosongkan untuk tetap memakai yang lama.');
    // The commands on the page have stand-ins; the admin's download has the keys, escaped for the terminal.
    expect(text(page)).toContain(`/snmp community add name="limpah-poller" addresses=${POLLER_IP}/32 security=private authentication-protocol=SHA256 authentication-password=AUTH_KEY encryption-protocol=AES encryption-password=PRIV_KEY read-access=yes write-access=no comment="Limpah"`);
    const rsc = await get(siti, '/admin/snmp-devices/router-dinkes/limpah-snmp.rsc').expect(200);
    expect(rsc.headers['content-disposition']).toBe('attachment; filename="limpah-snmp-router-dinkes.rsc"');
    expect(rsc.headers['cache-control']).toBe('no-store');
    expect(rsc.text).toContain('authentication-password="Kunci-Auth\\$2026\\?" encryption-protocol=AES encryption-password="Kunci-Priv-2026"');
    const budi = await signIn('budi');
    await get(budi, '/admin/snmp-devices/router-dinkes/limpah-snmp.rsc').expect(403);
    expect((await get(budi, '/admin/snmp-devices/router-dinkes').expect(200)).text).toMatch(/<fieldset disabled>/);
    // Moved to v2c: the v3 keys go, the community comes.
    await post(siti, '/admin/snmp-devices/router-dinkes', { ...form, version: '2c', authKey: '', privKey: '', community: 'ro-dinkes-2026' }).expect(303);
    const v2c = (await storedDevice('router-dinkes'))!;
    expect(v2c).toMatchObject({ version: '2c', community: 'ro-dinkes-2026' });
    expect(v2c).not.toHaveProperty('authKey');
    expect(v2c).not.toHaveProperty('user');
    const log = JSON.stringify(await readAudit(h.redis, keys, { target: 'snmp-device:router-dinkes' }));
    expect(log).not.toMatch(/Kunci-|ro-dinkes-2026/);
    expect((await readAudit(h.redis, keys, { target: 'snmp-device:router-dinkes' })).map((e) => e.action)).toEqual(['snmp-device.update', 'snmp-device.update', 'snmp-device.create']);
    expect((await readAudit(h.redis, keys, { target: 'snmp-device:router-dinkes' }))[0]!.after).toMatchObject({ communitySet: true, authKeySet: false, secretsChanged: ['community', 'authKey', 'privKey'] });
  });

  it('removes a device only when no agency is measured on it, and not one of the site file', async () => {
    const siti = await signIn('siti');
    // core-router measures Dinas Kesehatan and Dinas Pendidikan, and comes from the site file.
    const inUse = await post(siti, '/admin/snmp-devices/core-router/remove', { confirmed: '1' }).expect(409);
    expect(text(inUse.text)).toContain('Perangkat SNMP core-router masih dipakai untuk mengukur Dinas Kesehatan, Dinas Pendidikan.');
    await post(siti, '/admin/agencies/dinkes/measure', { action: 'clear', confirmed: '1' }).expect(303);
    await post(siti, '/admin/agencies/disdik/measure', { action: 'clear', confirmed: '1' }).expect(303);
    const fromSite = await post(siti, '/admin/snmp-devices/core-router/remove', { confirmed: '1' }).expect(409);
    expect(text(fromSite.text)).toContain('Perangkat SNMP core-router berasal dari file situs: hapus dari telemetry.snmp.devices di file situs');
    // A console device: a confirmation first, then gone, with its last poll.
    const ask = await post(siti, '/admin/snmp-devices/dead-router/remove', {}).expect(200);
    expect(text(ask.text)).toContain('Hapus perangkat SNMP dead-router?');
    expect(await h.redis.hexists(keys.snmpStatus(), 'dead-router')).toBe(1);
    await post(siti, '/admin/snmp-devices/dead-router/remove', { confirmed: '1' }).expect(303);
    expect(await storedDevice('dead-router')).toBeNull();
    expect(await h.redis.hexists(keys.snmpStatus(), 'dead-router')).toBe(0);
    expect((await readAudit(h.redis, keys, { action: 'snmp-device.remove' }))[0]).toMatchObject({ actor: 'siti', target: 'snmp-device:dead-router', after: null });
  });

  it('lets a viewer see every SNMP page and change nothing', async () => {
    const budi = await signIn('budi');
    for (const path of ['/admin/agencies', '/admin/snmp-devices/core-router', '/admin/agencies/dinkes/measure']) {
      const page = (await get(budi, path).expect(200)).text;
      expect([path, /<button type="submit"[^>]*>(Simpan|Pakai|Hapus perangkat|Hentikan)/.test(page)]).toEqual([path, false]);
    }
    for (const path of ['/admin/snmp-devices', '/admin/snmp-devices/core-router', '/admin/snmp-devices/core-router/remove', '/admin/snmp-devices/core-router/assign', '/admin/agencies/dinkes/measure']) {
      await post(budi, path, { id: 'x', host: '10.0.0.1', version: '2c', community: 'c', agency: 'dinkes', kind: 'interface', counter: 'vlan101', confirmed: '1' }).expect(403);
    }
    expect((await readAudit(h.redis, keys, { actor: 'budi' })).map((e) => e.action).every((a) => a === 'login')).toBe(true);
  });

  it('renders every SNMP page in both languages without a hole', async () => {
    await post(await signIn('siti'), '/admin/agencies/dinkes/measure', { device: 'core-router', kind: 'queue', counter: 'dinkes', download: 'out' }).expect(303);
    for (const lang of ['id', 'en'] as const) {
      const siti = await signIn('siti', lang);
      for (const path of ['/admin/agencies', '/admin/snmp-devices/new', '/admin/snmp-devices/core-router', '/admin/snmp-devices/core-router/test', '/admin/agencies/dinkes/measure']) {
        const page = text((await get(siti, path).expect(200)).text);
        expect([lang, path, page.match(/undefined|NaN|\[object|\{\w+\}|null/g)]).toEqual([lang, path, null]);
      }
    }
    expect(text((await get(await signIn('siti', 'en'), '/admin/agencies').expect(200)).text)).toMatch(/Dinas Kesehatan dinkes .* SNMP core-router · queue dinkes Set measure/);
  });

  describe('the admin API', () => {
    it('lists devices without a community or key, only whether each is set', async () => {
      const list = (await app().get('/api/v1/snmp-devices').set(api(viewerKey)).expect(200)).body as Array<Record<string, unknown>>;
      const core = list.find((d) => d['id'] === 'core-router')!;
      expect(core).toMatchObject({ host: lab.host, version: '3', user: lab.v3.user, source: 'site', communitySet: false, authKeySet: true, privKeySet: true, status: { okAtMs: expect.any(Number) } });
      expect(JSON.stringify(list)).not.toContain(lab.v3.authKey);
      expect(JSON.stringify(list)).not.toContain('ro-dinkes-2026');
    });

    it('creates and changes a device (admin), keeping a key left out, and refuses a viewer', async () => {
      const body = { host: '127.0.0.10', port: deadPort, timeoutMs: 200, retries: 0, version: '3', user: 'limpah', authProtocol: 'sha', authKey: 'api-auth-key-1', privKey: 'api-priv-key-1' };
      await app().put('/api/v1/snmp-devices/router-disdik').set(api(viewerKey)).send(body).expect(403);
      const made = (await app().put('/api/v1/snmp-devices/router-disdik').set(api(adminKey)).send(body).expect(200)).body;
      expect(made).toMatchObject({ id: 'router-disdik', port: deadPort, intervalSeconds: 30, authProtocol: 'sha', authKeySet: true, source: 'console' });
      const { authKey: _, privKey: __, ...rest } = body;
      await app().put('/api/v1/snmp-devices/router-disdik').set(api(adminKey)).send({ ...rest, intervalSeconds: 10 }).expect(200);
      expect(await storedDevice('router-disdik')).toMatchObject({ intervalSeconds: 10, authKey: 'api-auth-key-1', privKey: 'api-priv-key-1' });
      // The body's fields first (the published schema), then what the version needs (as the site file is checked).
      const bad = (await app().put('/api/v1/snmp-devices/router-x').set(api(adminKey)).send({ host: 'router.local', version: '3' }).expect(400)).body;
      expect(bad.error).toMatchObject({ code: 'INVALID', details: [{ path: 'host', message: 'must be the IPv4 or IPv6 address Limpah polls' }] });
      const incomplete = (await app().put('/api/v1/snmp-devices/router-x').set(api(adminKey)).send({ host: '10.20.0.11', version: '3' }).expect(400)).body;
      expect(incomplete.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['authKey', 'privKey', 'user']);
      expect(await storedDevice('router-x')).toBeNull();
      const script = await app().get('/api/v1/snmp-devices/router-disdik/routeros').set(api(adminKey)).expect(200);
      expect(script.text).toContain('authentication-protocol=SHA1 authentication-password="api-auth-key-1"');
      await app().get('/api/v1/snmp-devices/router-disdik/routeros').set(api(viewerKey)).expect(403);
    });

    it("sets and clears an agency's measure, refusing one that names two counters or an unknown device", async () => {
      const two = (await app().put('/api/v1/agencies/disdik/measure').set(api(adminKey)).send({ device: 'router-disdik', interface: 'ether5', queue: 'disdik' }).expect(400)).body;
      expect(two.error.message).toContain('name exactly one of interface, ifIndex or queue');
      const unknown = (await app().put('/api/v1/agencies/disdik/measure').set(api(adminKey)).send({ device: 'nowhere', ifIndex: 5 }).expect(400)).body;
      expect(unknown.error).toMatchObject({ code: 'INVALID', message: expect.stringContaining('no SNMP device "nowhere"') });
      expect((await app().put('/api/v1/agencies/disdik/measure').set(api(adminKey)).send({ device: 'router-disdik', ifIndex: 5 }).expect(200)).body).toEqual({ id: 'disdik', measure: { device: 'router-disdik', ifIndex: 5, download: 'out' } });
      const inUse = (await app().delete('/api/v1/snmp-devices/router-disdik').set(api(adminKey)).expect(409)).body;
      expect(inUse.error).toEqual({ code: 'CONFLICT', message: 'SNMP device "router-disdik" measures Dinas Pendidikan: give those agencies another measure (or none) first' });
      expect((await app().delete('/api/v1/agencies/disdik/measure').set(api(adminKey)).expect(200)).body).toEqual({ id: 'disdik', measure: null });
      await app().delete('/api/v1/snmp-devices/router-disdik').set(api(adminKey)).expect(200);
      await app().get('/api/v1/snmp-devices/router-disdik').set(api(adminKey)).expect(404);
    });

    it('tests a device over the API: what the real snmpd offers', async () => {
      const r = (await app().get('/api/v1/snmp-devices/core-router/inventory').set(api(viewerKey)).expect(200)).body;
      expect(r.ok).toBe(true);
      expect(r.inventory.interfaces).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'vlan101', descr: 'vlan101', hc: true })]));
      expect(r.inventory.queues).toEqual([{ index: 1, name: 'dinkes' }, { index: 2, name: 'disdik' }]);
    });
  });

  it('lets the collector pick up a measure set in the console (the Dinas Kesehatan queue, above)', async () => {
    await eventually(async () => {
      await collector.runOnce();
      const m = (await app().get('/api/v1/agencies/measurements').set(api(viewerKey)).expect(200)).body.find((x: { agencyId: string }) => x.agencyId === 'dinkes');
      expect(m.last?.source).toEqual({ kind: 'snmp', device: 'core-router', counter: 'queue dinkes' });
    }, { what: 'a measurement of the dinkes queue', timeoutMs: 15_000, intervalMs: 500 });
  });
});
