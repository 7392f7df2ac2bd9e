import request from 'supertest';
import { REPLY_MESSAGES } from '../../src/refusals';
import { papLogin, startHarness, type Harness } from '../support/harness';
import { formFields } from '../support/html';
import { testSite } from '../support/site';

const ROUTER = {
  mac: 'AA:BB:CC:DD:EE:02',
  'link-login-only': 'http://10.5.50.1/login',
  'link-orig': 'http://example.org/',
  identity: 'MikroTik-Taman',
};

const hidden = (html: string) => formFields(html).fields;

describe('the MikroTik portal pages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const app = () => request(h.services.app);

  it('accepts the router variables by GET too, and finds the hotspot by the hotspot field before the identity', async () => {
    const res = await app().get('/hotspot/mikrotik').query({ ...ROUTER, identity: 'unknown-router', hotspot: 'aula-desa-baamang' }).expect(200);
    expect(res.text).toContain('Aula Desa Baamang Barat');
    expect(res.text).toContain('Batas per perangkat: 1 jam per sambungan, 2 jam dan 512 MB per hari.');
  });

  it('is in Bahasa Indonesia by default and in English when the phone asks for it', async () => {
    const id = await app().post('/hotspot/mikrotik').type('form').send(ROUTER).expect(200);
    expect(id.text).toContain('<html lang="id">');
    expect(id.headers['content-language']).toBe('id');
    const en = await app().post('/hotspot/mikrotik').set('Accept-Language', 'en-US,en;q=0.9').type('form').send(ROUTER).expect(200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('>Connect<');
    const toggled = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, lang: 'en' }).expect(200);
    expect(toggled.text).toContain('>Connect<');
  });

  it('shows the reason the router gave after a refused login only when it is one of Limpah\'s own, never text of a link\'s choosing', async () => {
    const own = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, error: REPLY_MESSAGES.pool_full }).expect(200);
    expect(own.text).toContain(REPLY_MESSAGES.pool_full);
    // Anyone can send a citizen a link (or a form) with an error of their choosing: it becomes the fixed text.
    const made = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, error: 'Transfer Rp50.000 ke 0812 <script>alert(1)</script>' }).expect(200);
    expect(made.text).not.toContain('Transfer Rp50.000');
    expect(made.text).not.toContain('<script>alert(1)');
    expect(made.text).toContain('Gagal tersambung');
  });

  it('keeps the language the citizen chose through the router\'s round trips, which carry none', async () => {
    const chosen = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, lang: 'en' }).expect(200);
    expect(chosen.text).toContain('>Connect<');
    const cookie = ([] as string[]).concat(chosen.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    // The router shows its login page again after a refusal and posts back without a language: still English.
    const back = await app().post('/hotspot/mikrotik').set('Cookie', cookie).type('form').send({ ...ROUTER, error: REPLY_MESSAGES.pool_full }).expect(200);
    expect(back.text).toContain('<html lang="en">');
  });

  it('states the terms that apply: a voucher-only hall is not "free, no registration", and opening hours are shown', async () => {
    const only = await startHarness(testSite({ villageHallLogin: ['voucher'] }));
    try {
      const hours = { mon: ['08:00', '16:00'], tue: ['08:00', '16:00'], wed: ['08:00', '16:00'], thu: ['08:00', '16:00'], fri: ['08:00', '11:00'], sat: ['08:00', '12:00'] };
      await only.redis.hset(only.services.keys.hotspot('aula-desa-baamang'), 'openingHours', JSON.stringify(hours));
      const page = await request(only.services.app).post('/hotspot/mikrotik').type('form').send({ ...ROUTER, hotspot: 'aula-desa-baamang' }).expect(200);
      expect(page.text).not.toContain('Gratis, tanpa pendaftaran');
      expect(page.text).not.toContain('Batas per perangkat');
      expect(page.text).toContain('Masuk dengan voucher dari petugas');
      expect(page.text).toContain('Jam buka: Senin–Kamis 08.00–16.00; Jumat 08.00–11.00; Sabtu 08.00–12.00 WIB.');
    } finally {
      await only.close();
    }
  });

  it('sends a strict CSP with no inline script except by nonce, and no third-party origins', async () => {
    const res = await app().post('/hotspot/mikrotik').type('form').send(ROUTER).expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/https?:\/\/(?!10\.5\.50\.1|example\.org)/);
  });

  it('tells a visitor who came without the router to connect through the WiFi first', async () => {
    const res = await app().get('/hotspot/mikrotik').expect(400);
    expect(res.text).toContain('harus dibuka melalui WiFi hotspot');
  });

  it.each([
    ['a bad MAC', { mac: 'not-a-mac' }],
    ['a login URL that is not http(s)', { 'link-login-only': 'javascript:alert(1)' }],
    ['an oversized field', { 'link-login-only': `http://10.5.50.1/${'a'.repeat(600)}` }],
    ['a broken CHAP challenge', { 'chap-id': '\\371', 'chap-challenge': '\\999' }],
    ['a CHAP id without a challenge', { 'chap-id': '\\371' }],
  ])('refuses %s with a clear page', async (_name, change) => {
    const res = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, ...change }).expect(400);
    expect(res.text).toContain('Data dari router tidak lengkap atau rusak');
    expect(res.text).not.toContain('javascript:alert');
  });

  it('never posts credentials to a login URL outside the router ranges (no open redirect through the portal)', async () => {
    for (const url of ['https://evil.example/phish', 'http://8.8.8.8/login', 'http://[2001:db8::1]/login']) {
      await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, 'link-login-only': url }).expect(400);
    }
    for (const url of ['http://192.168.88.1/login', 'https://100.64.0.1/login', 'http://[fe80::1]/login']) {
      await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, 'link-login-only': url }).expect(200);
    }
  });

  it('refuses an unknown hotspot', async () => {
    const res = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, identity: 'MT-Nowhere' }).expect(404);
    expect(res.text).toContain('belum terdaftar');
  });

  it('never sends the citizen on to a script URL through link-orig: it falls back to the welcome page', async () => {
    const res = await app().post('/hotspot/mikrotik').type('form').send({ ...ROUTER, 'link-orig': 'javascript:alert(document.cookie)' }).expect(200);
    expect(hidden(res.text)['dst']).toBe('http://portal.test/hotspot/welcome?hotspot=taman-kota-sampit');
    expect(res.text).not.toContain('javascript:');
  });

  it('issues a grant only for the fields it signed and from its own pages: a changed MAC, login URL or hotspot, or another site, is refused', async () => {
    const splash = await app().post('/hotspot/mikrotik').type('form').send(ROUTER).expect(200);
    const fields = hidden(splash.text);
    for (const [name, value] of [['mac', 'AA:BB:CC:DD:EE:99'], ['linkLoginOnly', 'http://evil.example/login'], ['hotspot', 'aula-desa-baamang'], ['dst', 'http://evil.example/']]) {
      const res = await app().post('/hotspot/mikrotik/connect').type('form').send({ ...fields, [name!]: value }).expect(400);
      expect(res.text).toContain('Data dari router tidak lengkap atau rusak');
    }
    expect(splash.headers['cache-control']).toBe('no-store');
    // A valid form posted from another site's page (cross-site request forgery) is refused too.
    await app().post('/hotspot/mikrotik/connect').set('Origin', 'http://evil.example').type('form').send(fields).expect(403);
    const ok = await app().post('/hotspot/mikrotik/connect').set('Origin', 'http://portal.test').type('form').send(fields).expect(200);
    const login = hidden(ok.text);
    expect(login['username']).toMatch(/^g-[a-z2-9]{12}$/);
    expect(login['password']).toMatch(/^[a-z2-9]{16}$/); // PAP: no chap-id from the router
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.text).toMatch(/<script nonce="[^"]+">document.getElementById\('router-login'\).submit\(\);<\/script>/);
    // Storage: the grant must expire by itself, two minutes after it was issued.
    const ttl = await h.redis.pttl(h.services.keys.grant(login['username']!));
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    // The grant is for this device at this hotspot: RADIUS refuses it for another device or at another hotspot.
    const admit = (mac: string, hotspotId: string) =>
      h.services.pool.admit({ sessionId: login['username']!, mac, hotspotId, nasIp: '127.0.0.1', acctSessionId: 'p1', requestKey: `${mac}-${hotspotId}`, credential: { kind: 'pap', value: login['password']! } });
    expect(await admit('AA:BB:CC:DD:EE:99', 'taman-kota-sampit')).toEqual({ ok: false, reason: 'mac_mismatch' });
    expect(await admit('AA:BB:CC:DD:EE:02', 'aula-desa-baamang')).toEqual({ ok: false, reason: 'grant_invalid' });
    expect((await papLogin(h, { username: login['username']!, password: login['password']!, mac: 'AA:BB:CC:DD:EE:02' })).code).toBe('Access-Accept');
  });

  it('reports health with Redis reachable', async () => {
    expect((await app().get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('serves the stylesheet with long-lived caching and answers unknown pages with a 404 page', async () => {
    // The page names the stylesheet by its content: kept for a year, and a new one after an upgrade.
    const page = await app().post('/hotspot/mikrotik').type('form').send(ROUTER).expect(200);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)![1]!.replace('&#x3D;', '=');
    expect(href).toMatch(/^\/static\/portal\.css\?v=[0-9a-f]{10}$/);
    const css = await app().get(href).expect(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Without the digest (or with an old one), it is revalidated every time.
    expect((await app().get('/static/portal.css').expect(200)).headers['cache-control']).toBe('no-cache');
    expect((await app().get('/static/portal.css?v=0123456789').expect(200)).headers['cache-control']).toBe('no-cache');
    const icon = await app().get('/favicon.ico').expect(204);
    expect(icon.text).toBe('');
    const missing = await app().get('/nothing-here').expect(404);
    expect(missing.text).toContain('Halaman tidak ditemukan');
  });

  it('keeps the splash page small for a slow link, and compresses it', async () => {
    const res = await app().post('/hotspot/mikrotik').set('Accept-Encoding', 'gzip').type('form').send(ROUTER).expect(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const css = await app().get('/static/portal.css');
    expect(Buffer.byteLength(res.text) + Buffer.byteLength(css.text)).toBeLessThan(20 * 1024);
  });
});

describe('grant creation under load', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function connect(mac: string) {
    const splash = await request(h.services.app).post('/hotspot/mikrotik').type('form').send({ ...ROUTER, mac, hotspot: 'aula-desa-baamang' });
    return request(h.services.app).post('/hotspot/mikrotik/connect').type('form').send(formFields(splash.text).fields);
  }

  it('lets a crowd in at once, but refuses a device that asks again and again, telling it to wait a minute', async () => {
    // A device gets 6 grants a minute; the crowd's network (the router's address) 600.
    const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(`AA:00:00:00:01:${i.toString(16).padStart(2, '0')}`)));
    expect(crowd.map((r) => r.status)).toEqual(Array(20).fill(200));
    const same = [];
    for (let i = 0; i < 7; i++) same.push((await connect('AA:00:00:00:02:01')).status);
    expect(same).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const refused = await connect('AA:00:00:00:02:01');
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.text).toContain('Tunggu 1 menit');
  });
});
