import { once } from 'node:events';
import type { Server } from 'node:http';
import request from 'supertest';
import { LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS } from '../../src/admin/auth';
import { readAudit } from '../../src/admin/audit';
import { getHotspot } from '../../src/admin/service';
import { createOperator, getOperator, updateOperator } from '../../src/admin/operators';
import { verifyPassword } from '../../src/admin/passwords';
import { harnessForSuite, startHarness, type Harness } from '../support/harness';

const PASSWORD = 'pasir-panjang-2026';

/** The console's sign-in, sessions and CSRF, through HTTP as a browser would do it. */
describe('the admin console: sign-in, sessions, CSRF and throttling', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  harnessForSuite(async (started) => {
    h = started;
    keys = h.services.keys;
    await createOperator(h.redis, keys, { username: 'siti', name: 'Siti', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'budi', name: 'Budi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'rina', name: 'Rina', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
  });
  const app = () => request(h.services.app);

  async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
    const r = await app().post('/admin/login').type('form').send({ username, password: PASSWORD }).expect(303);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    const page = await app().get('/admin/hotspots').set('Cookie', cookie).expect(200);
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]! };
  }

  it('keeps passwords as scrypt hashes, never as text', async () => {
    const op = (await getOperator(h.redis, keys, 'siti'))!;
    expect(op.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    // Storage: what is stored of the account must not contain the password in clear.
    expect(JSON.stringify(await h.redis.hgetall(keys.operator('siti')))).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, op.passwordHash)).toBe(true);
    expect(await verifyPassword('pasir-panjang-2025', op.passwordHash)).toBe(false);
  });

  it('sends a visitor to the sign-in page, and signs in with an HttpOnly, SameSite=Strict cookie', async () => {
    expect((await app().get('/admin').expect(303)).headers['location']).toBe('/admin/login');
    const page = await app().get('/admin/login').expect(200);
    expect(page.text).toContain('Nama pengguna');
    const r = await app().post('/admin/login').type('form').send({ username: 'siti', password: PASSWORD }).expect(303);
    expect(String(r.headers['set-cookie'])).toMatch(/limpah_admin=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
    const dashboard = await app().get('/admin').set('Cookie', String(r.headers['set-cookie']).split(';')[0]!).expect(200);
    expect(dashboard.text).toContain('Kondisi bandwidth saat ini');
    expect(dashboard.headers['content-security-policy']).toContain("script-src 'nonce-");
    expect((await readAudit(h.redis, keys, { action: 'login', actor: 'siti' })).length).toBeGreaterThan(0);
  });

  it('refuses a form without the session CSRF token, and takes it with the token', async () => {
    const { cookie, csrf } = await signIn('siti');
    const form = { name: 'Taman Kota Sampit', kecamatan: 'Mentawa Baru Ketapang', kind: 'park', loginMethods: ['click', 'voucher'], maxSessions: '60', downKbps: '2048', upKbps: '1024', minDownKbps: '256', minUpKbps: '128', sessionMinutes: '60', dailyMinutes: '180', dailyMB: '1024', idleMinutes: '10', interimSeconds: '300', deviceSessions: '1', maxShareKbps: '0' };
    await app().post('/admin/hotspots/taman-kota-sampit').set('Cookie', cookie).type('form').send(form).expect(403);
    await app().post('/admin/hotspots/taman-kota-sampit').set('Cookie', cookie).type('form').send({ ...form, _csrf: 'x'.repeat(32) }).expect(403);
    expect((await getHotspot({ redis: h.redis, keys }, 'taman-kota-sampit')).quota.maxSessions).toBe(50);
    await app().post('/admin/hotspots/taman-kota-sampit').set('Cookie', cookie).type('form').send({ ...form, _csrf: csrf }).expect(303);
    expect((await getHotspot({ redis: h.redis, keys }, 'taman-kota-sampit')).quota.maxSessions).toBe(60);
  });

  it('ends the session at sign-out: the cookie no longer opens the console', async () => {
    const { cookie, csrf } = await signIn('rina');
    await app().post('/admin/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf }).expect(303);
    await app().get('/admin').set('Cookie', cookie).expect(303);
  });

  it('ends every session of an account when its password changes', async () => {
    const { cookie } = await signIn('rina');
    await app().get('/admin').set('Cookie', cookie).expect(200);
    await updateOperator(h.redis, keys, 'rina', { password: PASSWORD });
    await app().get('/admin').set('Cookie', cookie).expect(303);
  });

  it('lets a viewer change their own password, which ends their sessions', async () => {
    await createOperator(h.redis, keys, { username: 'dewi', name: 'Dewi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    const { cookie, csrf } = await signIn('dewi');
    const wrong = await app().post('/admin/account').set('Cookie', cookie).type('form').send({ _csrf: csrf, current: 'not-it-at-all', password: 'baru-sekali-2027', confirm: 'baru-sekali-2027' }).expect(400);
    expect(wrong.text).toContain('Kata sandi sekarang salah');
    await app().post('/admin/account').set('Cookie', cookie).type('form').send({ _csrf: csrf, current: PASSWORD, password: 'short', confirm: 'short' }).expect(400);
    await app().post('/admin/account').set('Cookie', cookie).type('form').send({ _csrf: csrf, current: PASSWORD, password: 'baru-sekali-2027', confirm: 'baru-sekali-2027' }).expect(303);
    await app().get('/admin').set('Cookie', cookie).expect(303);
    await app().post('/admin/login').type('form').send({ username: 'dewi', password: 'baru-sekali-2027' }).expect(303);
    expect((await readAudit(h.redis, keys, { action: 'operator.password', actor: 'dewi' })).length).toBe(1);
  });

  it('throttles failed sign-ins per account and address: after five, even the right password waits there', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) {
      const r = await app().post('/admin/login').type('form').send({ username: 'budi', password: `wrong-${i}-password` }).expect(401);
      expect(r.text).toContain('Nama pengguna atau kata sandi salah');
    }
    const locked = await app().post('/admin/login').type('form').send({ username: 'budi', password: PASSWORD }).expect(429);
    expect(locked.text).toContain('Tunggu 15 menit');
    // Another account from the same address is not locked out by it.
    await app().post('/admin/login').type('form').send({ username: 'siti', password: PASSWORD }).expect(303);
  });

  it('answers the same for an unknown name as for a wrong password', async () => {
    const r = await app().post('/admin/login').type('form').send({ username: 'nobody', password: PASSWORD }).expect(401);
    expect(r.text).toContain('Nama pengguna atau kata sandi salah');
  });

  it('counts parallel guesses before checking them: twenty at once get five tries', async () => {
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => app().post('/admin/login').type('form').send({ username: 'rina', password: `guess-${i}-xxxxxxx` })));
    const statuses = tries.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS);
  });
});

/**
 * Failed sign-ins counted per account from one address, per account from everywhere and per address, so that a
 * stranger cannot lock the real user out and a guesser with many addresses still gets few guesses. Behind a proxy
 * (TRUST_PROXY), the address is the one X-Forwarded-For gives: that is how these tests come from many addresses.
 */
describe('sign-in throttling per account and address', () => {
  let h: Harness;
  let server: Server;
  beforeAll(async () => {
    h = await startHarness(undefined, { trustProxy: true });
    for (const username of ['ani', 'eko', 'fajar', 'gita', 'hadi']) {
      await createOperator(h.redis, h.services.keys, { username, name: username, role: 'operator', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    }
    // One listening server for every request (supertest would start one per request otherwise).
    server = h.services.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(async () => {
    server.close();
    await h.close();
  });
  const signIn = (address: string, username: string, password: string) =>
    request(server).post('/admin/login').set('X-Forwarded-For', address).type('form').send({ username, password });
  const times = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

  it("does not lock the real user out from another address, however long a stranger keeps guessing at one", async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) await signIn('198.51.100.7', 'ani', `wrong-${i}-password`).expect(401);
    await signIn('203.0.113.20', 'ani', PASSWORD).expect(303);
    // The stranger's address stays locked out of the account, and is told to wait.
    const locked = await signIn('198.51.100.7', 'ani', PASSWORD).expect(429);
    expect(locked.text).toContain('Tunggu 15 menit');
    expect(locked.text).toContain('ke akun ini dari alamat ini');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
    // Refused attempts are not counted: they do not use up the account's allowance from everywhere.
    const more = await times(LOGIN_FAILURES_PER_ACCOUNT, (i) => signIn('198.51.100.7', 'ani', `more-${i}-password`));
    expect(more.map((r) => r.status)).toEqual(Array(LOGIN_FAILURES_PER_ACCOUNT).fill(429));
    await signIn('203.0.113.20', 'ani', PASSWORD).expect(303);
  });

  it('refuses the right password from the address that made five wrong ones, and says in English what to do', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) await signIn('198.51.100.8', 'eko', `wrong-${i}-password`).expect(401);
    const locked = await signIn('198.51.100.8', 'eko', PASSWORD).set('Accept-Language', 'en').expect(429);
    expect(locked.text).toContain('to this account from this address. Wait 15 min, then try again.');
    expect(locked.text).toContain('Ask another admin to set a new one');
  });

  it('counts an IPv6 address by its /64, so a guesser cannot step through the addresses it holds', async () => {
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) await signIn(`2001:db8:1:2::${i + 1}`, 'gita', `wrong-${i}-password`).expect(401);
    await signIn('2001:db8:1:2:ffff::1', 'gita', PASSWORD).expect(429);
    await signIn('2001:db8:1:3::1', 'gita', PASSWORD).expect(303);
  });

  it('caps guessing at one account from many addresses together, in parallel, at fifty per window', async () => {
    const addresses = LOGIN_FAILURES_PER_ACCOUNT / LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS + 2;
    const tries = await times(addresses * LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS, (i) => signIn(`192.0.2.${1 + (i % addresses)}`, 'fajar', `guess-${i}-xxxxxxx`));
    const statuses = tries.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_FAILURES_PER_ACCOUNT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS);
    // Now even the right password from a new address waits, and the message says someone may be guessing.
    const locked = await signIn('192.0.2.200', 'fajar', PASSWORD).expect(429);
    expect(locked.text).toContain('mungkin ada yang sedang menebak kata sandinya');
    expect(locked.text).toContain('beri tahu admin lain');
    // The guessers' addresses are not locked out of other accounts by it.
    await signIn('192.0.2.1', 'hadi', PASSWORD).expect(303);
  });

  it('caps one address across accounts at twenty failures per window', async () => {
    const names = LOGIN_FAILURES_PER_ADDRESS / LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS;
    const tries = await times(LOGIN_FAILURES_PER_ADDRESS, (i) => signIn('192.0.2.50', `nobody-${i % names}`, `guess-${i}-xxxxxxx`));
    expect(tries.map((r) => r.status)).toEqual(Array(LOGIN_FAILURES_PER_ADDRESS).fill(401));
    const locked = await signIn('192.0.2.50', 'hadi', PASSWORD).expect(429);
    expect(locked.text).toContain('Terlalu banyak percobaan masuk yang gagal dari alamat ini');
    await signIn('192.0.2.51', 'hadi', PASSWORD).expect(303);
  });

  it('keeps no failure counter past its window', async () => {
    // Storage: every failure counter must expire within its window (no interface lists them).
    const counters = await h.redis.keys(`{${h.namespace}}:login-fail:*`);
    expect(counters.length).toBeGreaterThan(10);
    for (const key of counters) {
      const ttl = await h.redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(LOGIN_WINDOW_MS);
    }
  });
});

describe('ADMIN_NETWORKS', () => {
  it('hides the console, the admin API and metrics from other addresses, and leaves citizens and telemetry alone', async () => {
    const elsewhere = await startHarness(undefined, { adminNetworks: ['10.20.0.0/16', '192.168.1.7'] });
    const here = await startHarness(undefined, { adminNetworks: ['10.20.0.0/16', '127.0.0.0/8'] });
    try {
      const app = request(elsewhere.services.app);
      expect((await app.get('/admin/login').expect(404)).text).toContain('Halaman tidak ditemukan');
      await app.get('/metrics').expect(404);
      expect((await app.get('/api/v1/pool').expect(404)).body.error.code).toBe('NOT_FOUND');
      await app.get('/api/v1/openapi.json').expect(404);
      // In any letter case: Express routes ignore it, and so does the guard.
      await app.get('/ADMIN/login').expect(404);
      await app.get('/Api/V1/pool').expect(404);
      await app.get('/METRICS').expect(404);
      // A trailing slash or a query reaches the same route: the guard is on the mount, not on the path string.
      await app.get('/metrics/').expect(404);
      await app.get('/METRICS/').expect(404);
      await app.get('/metrics/?x').expect(404);
      await app.get('/admin/?x').expect(404);
      await app.get('/api/v1/pool/').expect(404);
      // Agencies push from their own networks; citizens come from every hotspot.
      await app.post('/api/v1/agencies/usage').send([]).expect(401);
      await app.get('/healthz').expect(200);
      await app.get('/v/ABCDE-23456').expect(200);
      await request(here.services.app).get('/admin/login').expect(200);
      await request(here.services.app).get('/metrics').expect(200);
      await request(here.services.app).get('/metrics/?x').expect(200);
    } finally {
      await elsewhere.close();
      await here.close();
    }
  });
});
