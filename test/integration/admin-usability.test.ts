import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { createOperator, type Actor } from '../../src/admin/operators';
import { createVoucherBatch, getHotspot, hotspotAllocation, listHotspots } from '../../src/admin/service';
import { loginState } from '../../src/pool/availability';
import { batchVouchers } from '../../src/vouchers/store';
import { grantLogin, harnessForSuite, startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

const PASSWORD = 'kuala-kuayan-2026';
const ADMIN: Actor = { kind: 'operator', name: 'siti', role: 'admin', scope: { kecamatan: [], hotspots: [] } };

/** The Taman Kota Sampit form as the console posts it, with its current values. */
const TAMAN = {
  name: 'Taman Kota Sampit', kecamatan: 'Mentawa Baru Ketapang', kind: 'park', loginMethods: ['click', 'voucher'], maxSessions: '50', downKbps: '2048',
  upKbps: '1024', minDownKbps: '256', minUpKbps: '128', sessionMinutes: '60', dailyMinutes: '180', dailyMB: '1024', idleMinutes: '10', interimSeconds: '300',
  deviceSessions: '1', maxShareKbps: '0',
};

/**
 * What an operator meets in the console (issue 12): blocked devices listed and marked, kecamatan from the site's list,
 * destructive actions that ask first and say what they did, Indonesian without codes, charts over a chosen range,
 * voucher cards that say where and until when, and script keys that read only unless told otherwise.
 */
describe('the admin console for operators (issue 12)', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  harnessForSuite(async (started) => {
    h = started;
    keys = h.services.keys;
    await createOperator(h.redis, keys, { username: 'siti', name: 'Siti', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'andi', name: 'Andi', role: 'operator', scope: { kecamatan: ['Mentawa Baru Ketapang'], hotspots: [] }, password: PASSWORD });
  });
  const app = () => request(h.services.app);
  const deps = () => ({ redis: h.redis, keys, pool: h.services.pool, nas: h.services.nas, sessions: h.services.sessions, logger: h.logger });

  async function signIn(username: string, lang: 'id' | 'en' = 'id'): Promise<{ cookie: string; csrf: string }> {
    const r = await app().post('/admin/login').type('form').send({ username, password: PASSWORD }).expect(303);
    const cookie = `${String(r.headers['set-cookie']).split(';')[0]!}; limpah_admin_lang=${lang}`;
    const page = await app().get('/admin/hotspots').set('Cookie', cookie).expect(200);
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]! };
  }
  const post = (as: { cookie: string; csrf: string }, path: string, form: Record<string, unknown>) =>
    app().post(path).set('Cookie', as.cookie).type('form').send({ ...form, _csrf: as.csrf });
  const get = (as: { cookie: string }, path: string) => app().get(path).set('Cookie', as.cookie).expect(200);
  /** The flash a change lands on, as the browser would follow the redirect. */
  const flash = (location: unknown) => decodeURIComponent(/[?&]msg=([^&]*)/.exec(String(location))![1]!);
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/\s+/g, ' ');
  const started = async (mac: string, sessionId: string) => {
    const { grant, reply } = await grantLogin(h, mac);
    expect(reply.code).toBe('Access-Accept');
    await radclient(h.acctPort, 'acct', TEST_SECRET, ['Acct-Status-Type = Start', `User-Name = "${grant.username}"`, `Acct-Session-Id = "${sessionId}"`, `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1']);
    return grant.username;
  };

  describe('blocked devices (item 9)', () => {
    it('lists a block with its end and who set it, marks the session its router did not let go as blocked, and unblocks it', async () => {
      const siti = await signIn('siti');
      const mac = 'AA:00:00:00:90:01';
      const session = await started(mac, 'b1');
      expect(text((await get(siti, '/admin/sessions')).text)).toContain(`${mac} Taman Kota Sampit`);
      // Nothing answers Disconnect at the test router's CoA port: the block holds, the session stays in the ledger.
      const blocked = await post(siti, '/admin/devices/block', { mac: mac.toLowerCase(), minutes: '90', reason: 'spam pesan' }).expect(303);
      expect(flash(blocked.headers['location'])).toMatch(new RegExp(`^Perangkat ${mac} diblokir sampai \\d+ \\w+ \\d{4} \\d\\d\\.\\d\\d WIB; 0 sesi diputus, tetapi 1 sesi belum bisa diputus karena routernya tidak menjawab`));
      expect(await h.services.pool.session(session)).toMatchObject({ state: 'active' });
      expect((await loginState(h.redis, keys, 'taman-kota-sampit', mac)).obstacle).toBe('device_blocked');

      const page = text((await get(siti, '/admin/sessions')).text);
      const row = page.slice(page.indexOf(`${mac} Taman Kota Sampit`), page.indexOf('Perangkat yang diblokir'));
      expect(row).toContain('diblokir, belum diputus router');
      expect(row).not.toMatch(/ aktif /);
      const list = page.slice(page.indexOf('Perangkat yang diblokir'));
      expect(list).toMatch(new RegExp(`${mac} \\d+ \\w+ \\d{4} \\d\\d\\.\\d\\d WIB 1 jam (29|30) menit lagi siti spam pesan Buka blokir`));

      // Another operator sees the block but may not lift it: only an admin or who set it.
      const andi = await signIn('andi');
      expect(text((await get(andi, '/admin/sessions')).text)).not.toContain('Buka blokir');
      const refused = await post(andi, '/admin/devices/unblock', { mac }).expect(403);
      expect(text(refused.text)).toContain('Blokir ini dipasang oleh siti; hanya admin atau siti yang boleh membukanya.');

      // The admin API lists it too.
      const key = await createAdminApiKey(h.redis, keys, ADMIN, { name: 'monitor', role: 'viewer', scope: { kecamatan: [], hotspots: [] } });
      const api = await app().get('/api/v1/devices/blocks').set('Authorization', `Bearer ${key}`).expect(200);
      expect(api.body).toEqual([{ mac, until: expect.any(Number), by: 'siti', reason: 'spam pesan' }]);

      const lifted = await post(siti, '/admin/devices/unblock', { mac }).expect(303);
      expect(flash(lifted.headers['location'])).toBe(`Blokir perangkat ${mac} dibuka. Perangkat itu bisa login lagi.`);
      const after = text((await get(siti, '/admin/sessions')).text);
      expect(after).toContain('Tidak ada perangkat yang sedang diblokir.');
      expect(after).not.toContain('diblokir, belum diputus router');
      expect((await app().get('/api/v1/devices/blocks').set('Authorization', `Bearer ${key}`).expect(200)).body).toEqual([]);
      // Nothing stands in the way of the device's next login.
      expect((await loginState(h.redis, keys, 'taman-kota-sampit', mac)).obstacle).toBeNull();
    }, 30_000);
  });

  describe('kecamatan from the site list (item 10)', () => {
    it('offers the site kecamatan to choose from, and refuses a typo with the list, saving nothing', async () => {
      const siti = await signIn('siti');
      const form = (await get(siti, '/admin/hotspots/new')).text;
      expect(form).toMatch(/<select id="kecamatan" name="kecamatan" required><option value=""><\/option><option>Baamang<\/option><option>Mentawa Baru Ketapang<\/option><\/select>/);

      const typo = await post(siti, '/admin/hotspots/taman-kota-sampit', { ...TAMAN, kecamatan: 'Mentawa Baru Ketapan' }).expect(400);
      expect(text(typo.text)).toContain('Kecamatan "Mentawa Baru Ketapan" tidak ada di daftar kecamatan. Pilih salah satu: Baamang, Mentawa Baru Ketapang.');
      expect((await getHotspot(deps(), 'taman-kota-sampit')).kecamatan).toBe('Mentawa Baru Ketapang');

      await post(siti, '/admin/hotspots', { ...TAMAN, id: 'aula-desa-baru', name: 'Aula Desa Baru', kecamatan: 'baamang' }).expect(400);
      expect((await listHotspots(deps())).map((x) => x.id)).not.toContain('aula-desa-baru');
      await expect(getHotspot(deps(), 'aula-desa-baru')).rejects.toMatchObject({ code: 'NOT_FOUND' });

      // An operator's scope too: a typo there would match no hotspot at all.
      const scope = await post(siti, '/admin/operators/andi', { role: 'operator', scopeKecamatan: 'Mentawa Baru Ketapang, Bamang', scopeHotspots: '' }).expect(400);
      expect(text(scope.text)).toContain('Kecamatan "Bamang" tidak ada di daftar kecamatan.');

      // The admin API refuses the same, in English.
      const key = await createAdminApiKey(h.redis, keys, ADMIN, { name: 'kec-check', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
      const hotspot = await app().get('/api/v1/hotspots/taman-kota-sampit').set('Authorization', `Bearer ${key}`).expect(200);
      const { id: _, nas: __, liveSessions: ___, heldDownKbps: ____, source: _____, disabled: ______, ...editable } = hotspot.body;
      const put = await app().put('/api/v1/hotspots/taman-kota-sampit').set('Authorization', `Bearer ${key}`).send({ ...editable, openingHours: undefined, kecamatan: 'Seranau' }).expect(400);
      expect(put.body.error.message).toContain('"Seranau" is not in the site\'s list');
    });
  });

  describe('destructive actions ask first and say what they did (item 11)', () => {
    it('disables a hotspot only after a confirmation page that works without JavaScript', async () => {
      const siti = await signIn('siti');
      const ask = await post(siti, '/admin/hotspots/taman-kota-sampit', { action: 'disable' }).expect(200);
      expect(ask.text).toContain('<h1 id="confirm-title">Nonaktifkan hotspot Taman Kota Sampit?</h1>');
      expect(text(ask.text)).toContain('Warga tidak bisa login di Taman Kota Sampit sampai hotspot ini diaktifkan lagi.');
      expect(ask.text).toContain('<input type="hidden" name="action" value="disable">');
      expect(ask.text).toContain('<input type="hidden" name="confirmed" value="1">');
      expect(ask.text).toMatch(/<a class="button" href="\/admin\/hotspots\/taman-kota-sampit">Batal<\/a>/);
      expect(ask.text).not.toContain('<script');
      expect((await getHotspot(deps(), 'taman-kota-sampit')).disabled).toBe(false);

      const done = await post(siti, '/admin/hotspots/taman-kota-sampit', { action: 'disable', confirmed: '1' }).expect(303);
      expect(flash(done.headers['location'])).toBe('Hotspot Taman Kota Sampit dinonaktifkan. Warga tidak bisa login di sana sampai diaktifkan lagi.');
      expect((await getHotspot(deps(), 'taman-kota-sampit')).disabled).toBe(true);
      expect(text((await get(siti, '/admin/hotspots/taman-kota-sampit')).text)).toContain('Hotspot ini nonaktif: warga tidak bisa login di sini.');
      // Enabling takes nothing away: no question.
      const enabled = await post(siti, '/admin/hotspots/taman-kota-sampit', { action: 'enable' }).expect(303);
      expect(flash(enabled.headers['location'])).toBe('Hotspot Taman Kota Sampit diaktifkan lagi. Warga bisa login di sana.');
      expect((await getHotspot(deps(), 'taman-kota-sampit')).disabled).toBe(false);
    });

    it('asks before an operator outside the hotspot scope could even be asked: refused first', async () => {
      const andi = await signIn('andi');
      const r = await post(andi, '/admin/hotspots/aula-desa-baamang', { action: 'disable' }).expect(403);
      expect(text(r.text)).toContain('Hotspot Aula Desa Baamang Barat di luar wilayah kerja Anda.');
      expect(r.text).not.toContain('confirm-title');
    });

    it('removes a router, revokes a batch and disconnects a session only when confirmed', async () => {
      const siti = await signIn('siti');
      await post(siti, '/admin/hotspots/aula-desa-baamang/nas', { type: 'mikrotik', ip: '127.0.1.60', identifier: 'MT-Cadangan', coaPort: '3799', rateChange: 'coa' }).expect(200);
      const askRouter = await post(siti, '/admin/hotspots/aula-desa-baamang/nas/remove', { ip: '127.0.1.60' }).expect(200);
      expect(askRouter.text).toContain('Hapus router MT-Cadangan dari Aula Desa Baamang Barat?');
      expect(h.services.nas.lookup('127.0.1.60')).toMatchObject({ identifier: 'MT-Cadangan' });
      const removed = await post(siti, '/admin/hotspots/aula-desa-baamang/nas/remove', { ip: '127.0.1.60', confirmed: '1' }).expect(303);
      expect(flash(removed.headers['location'])).toBe('Router MT-Cadangan (127.0.1.60) dihapus dari Aula Desa Baamang Barat.');
      expect(h.services.nas.lookup('127.0.1.60')).toBeUndefined();

      const { batch } = await createVoucherBatch(deps(), ADMIN, { count: 3, validityHours: 24, deviceLimit: 1, quotaMB: 100, hotspots: ['taman-kota-sampit'] });
      const askBatch = await post(siti, `/admin/vouchers/${batch}/revoke`, {}).expect(200);
      expect(text(askBatch.text)).toContain(`Batalkan semua voucher batch ${batch}? 3 voucher di batch ini tidak bisa dipakai lagi`);
      expect((await batchVouchers(h.redis, keys, batch)).map((v) => v.status)).toEqual(['unused', 'unused', 'unused']);
      const revoked = await post(siti, `/admin/vouchers/${batch}/revoke`, { confirmed: '1' }).expect(303);
      expect(flash(revoked.headers['location'])).toBe(`Batch ${batch} dibatalkan: 3 voucher tidak bisa dipakai lagi.`);
      expect((await batchVouchers(h.redis, keys, batch)).map((v) => v.status)).toEqual(['revoked', 'revoked', 'revoked']);

      const mac = 'AA:00:00:00:91:01';
      const session = await started(mac, 'd11');
      const askDisconnect = await post(siti, `/admin/sessions/${session}/disconnect`, {}).expect(200);
      expect(text(askDisconnect.text)).toContain(`Putuskan sesi ${mac}? Perangkat ${mac} di Taman Kota Sampit langsung terputus dari WiFi.`);
      expect(await h.services.pool.session(session)).toMatchObject({ state: 'active' });
      // The test router does not answer: the console says so, in Indonesian, and what to check.
      const failed = await post(siti, `/admin/sessions/${session}/disconnect`, { confirmed: '1' }).expect(502);
      expect(text(failed.text)).toContain(`Router MikroTik-Taman tidak menjawab permintaan putus, jadi sesi ${mac} masih tercatat berjalan. Periksa koneksi ke router (port CoA 3799), lalu coba lagi.`);
      expect(failed.text).not.toMatch(/the router did not confirm|failed\)/);
    }, 30_000);
  });

  describe('Indonesian without codes (item 12)', () => {
    it('names refused fields by their labels, in the reader\'s language', async () => {
      const siti = await signIn('siti');
      const r = await post(siti, '/admin/hotspots/taman-kota-sampit', { ...TAMAN, minDownKbps: '5000' }).expect(400);
      expect(text(r.text)).toContain('Unduh minimum (kbps) tidak boleh lebih besar dari Unduh per sesi (kbps).');
      expect(r.text).not.toMatch(/quota\.|minDownKbps:|must /);
      const empty = await post(siti, '/admin/hotspots/taman-kota-sampit', { ...TAMAN, maxSessions: '', interimSeconds: '30' }).expect(400);
      expect(text(empty.text)).toContain('Maks. sesi bersamaan harus diisi angka. Router lapor pemakaian tiap (detik) paling kecil 60.');
      const en = await post(await signIn('siti', 'en'), '/admin/hotspots/taman-kota-sampit', { ...TAMAN, minDownKbps: '5000' }).expect(400);
      expect(text(en.text)).toContain('Minimum download (kbps) must not be more than Download per session (kbps).');
      const hours = await post(siti, '/admin/hotspots/taman-kota-sampit', { ...TAMAN, open_mon: '18:00', close_mon: '08:00' }).expect(400);
      expect(text(hours.text)).toContain('Jam buka Senin: jam tutup harus setelah jam buka, di hari yang sama.');
      const mac = await post(siti, '/admin/devices/block', { mac: 'bukan-mac', minutes: '10' }).expect(400);
      expect(text(mac.text)).toContain('"bukan-mac" bukan alamat MAC. Tulis seperti AA:BB:CC:DD:EE:FF.');
    });

    it('shows agencies and hotspots by name, claim bases, session states and times in words, one decimal mark', async () => {
      const siti = await signIn('siti');
      const dashboard = text((await get(siti, '/admin')).text);
      expect(dashboard).toMatch(/Dinas Kesehatan 20 Mbps 20 Mbps (jam kerja, dihitung penuh sesuai komitmen|di luar jam kerja, dihitung 100% dari komitmen)/);
      expect(dashboard).not.toMatch(/office-hours|no-data|measured| dinkes /);
      expect(dashboard).not.toContain('Kolam bandwidth');

      const hotspotHtml = (await get(siti, '/admin/hotspots/taman-kota-sampit')).text;
      const hotspot = text(hotspotHtml);
      expect(hotspot).toContain('Putus otomatis jika tidak dipakai (menit)');
      expect(hotspot).toContain('Router lapor pemakaian tiap (detik)');
      expect(hotspot).not.toMatch(/Batas diam|Interval akuntansi/);
      expect(hotspotHtml).toContain('aria-label="Senin, jam buka"');
      expect(hotspotHtml).not.toMatch(/aria-label="[^"]* (from|to)"/);

      const mac = 'AA:00:00:00:92:01';
      await grantLogin(h, mac);
      const sessions = text((await get(siti, `/admin/sessions?mac=${mac}`)).text);
      expect(sessions).toContain(`${mac} Taman Kota Sampit 2,0 / 1,0 Mbps 0 MB kurang dari 1 menit menunggu router`);
      expect(sessions).not.toMatch(/pending|taman-kota-sampit/);

      const { batch } = await createVoucherBatch(deps(), ADMIN, { count: 1, validityHours: 24, deviceLimit: 2, quotaMB: 1500, kecamatan: ['Baamang'] });
      const vouchers = text((await get(siti, '/admin/vouchers')).text);
      expect(vouchers).toMatch(new RegExp(`${batch} 1 24 jam · 2 perangkat 1\\.500 MB Kec\\. Baamang \\d+ \\w+ \\d{4} siti`));
      expect(vouchers).not.toMatch(/ 24 h /);
    });

    it('shows the audit log with actions in words, objects by name, WIB times instead of milliseconds', async () => {
      const siti = await signIn('siti');
      await post(siti, '/admin/hotspots/taman-kota-sampit', { ...TAMAN, idleMinutes: '15' }).expect(303);
      const page = (await get(siti, '/admin/audit')).text;
      const all = text(page);
      expect(all).toMatch(/Hotspot diubah Hotspot Taman Kota Sampit .*Putus otomatis jika tidak dipakai \(menit\) : 10 → 15/);
      expect(all).toMatch(/Perangkat diblokir Perangkat AA:00:00:00:90:01 .*Sampai : — → \d+ \w+ \d{4} \d\d\.\d\d WIB/);
      expect(all).not.toMatch(/\b1\d{12}\b/);
      expect(all).not.toMatch(/hotspot\.update|device\.block|hotspot:taman/);
      // The object filter finds a hotspot by its name as well as its id.
      expect(text((await get(siti, '/admin/audit?target=Taman+Kota')).text)).toContain('Hotspot Taman Kota Sampit');
      expect(text((await get(siti, '/admin/audit?action=device.unblock')).text)).toContain('Blokir dibuka');
    });
  });

  describe('charts and a hotspot now (item 13)', () => {
    it('offers 1 hour, 24 hours and 7 days, and starts a fresh install on the hour', async () => {
      const siti = await signIn('siti');
      const fresh = (await get(siti, '/admin')).text;
      expect(fresh).toContain('<a href="/admin?range=1h" aria-current="true">1 jam</a>');
      expect(fresh).toContain('Bandwidth untuk warga dan yang dibagikan, 1 jam terakhir');
      const week = (await get(siti, '/admin?range=7d')).text;
      expect(week).toContain('<a href="/admin?range=7d" aria-current="true">7 hari</a>');
      expect(week).toContain('Jumlah sesi, 7 hari terakhir');
      // Day ticks over a week ("Sen, 30 Nov"), hour ticks over a day ("15.00").
      expect(week).toMatch(/>(Sen|Sel|Rab|Kam|Jum|Sab|Min), \d+ \w+<\/text>/);
      expect((await get(siti, '/admin?range=24h')).text).toMatch(/>\d\d\.00<\/text>/);
      // Samples older than an hour: the default is the day again.
      const t = Date.now() - 3 * 3600_000;
      await h.redis.zadd(keys.poolHistory(), t, JSON.stringify({ t, capDownKbps: 40000, allocDownKbps: 1000, sessions: 1 }));
      expect((await get(siti, '/admin')).text).toContain('<a href="/admin?range=24h" aria-current="true">24 jam</a>');
    });

    it('shows a hotspot\'s live sessions and what the pool handed out there', async () => {
      const siti = await signIn('siti');
      const mac = 'AA:00:00:00:94:01';
      await started(mac, 'live1');
      const page = (await get(siti, '/admin/hotspots/taman-kota-sampit')).text;
      const live = (await h.services.pool.liveSessions('taman-kota-sampit')).length;
      const down = (await hotspotAllocation(deps(), 'taman-kota-sampit')).downKbps;
      expect(down).toBeGreaterThan(0);
      expect(page).toContain(`<dd id="live-sessions">${live} / 50</dd>`);
      expect(page).toMatch(new RegExp(`<dd id="live-allocation">${(down / 1000).toLocaleString('id-ID', { maximumFractionDigits: 1 })} Mbps / [\\d,]+ Mbps</dd>`));
      expect(text(page)).toContain(`${mac} 2 Mbps / 1 Mbps`);
    });
  });

  describe('voucher cards (item 14) and script keys (item 16)', () => {
    it('prints where a voucher works, the WiFi name and the redeem-by date on every card', async () => {
      const siti = await signIn('siti');
      await post(siti, '/admin/hotspots/aula-desa-baamang', { ...TAMAN, name: 'Aula Desa Baamang Barat', kecamatan: 'Baamang', kind: 'village-hall', ssid: 'WiFi-Gratis-Kotim' }).expect(303);
      const { batch } = await createVoucherBatch(deps(), ADMIN, { count: 2, validityHours: 5, deviceLimit: 1, quotaMB: 300, redeemDays: 30, kecamatan: ['Baamang'] });
      const sheet = text((await get(siti, `/admin/vouchers/${batch}/print`)).text);
      const redeemBy = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric' }).format(Date.now() + 30 * 86_400_000);
      expect(sheet.match(/Voucher WiFi Publik Gratis [A-Z2-9]{5}-[A-Z2-9]{5} WiFi: WiFi-Gratis-Kotim /g)).toHaveLength(2);
      expect(sheet).toContain('Berlaku 5 jam sejak pertama dipakai · 300 MB · 1 perangkat');
      expect(sheet).toContain('Berlaku di: semua hotspot di Kec. Baamang');
      expect(sheet).toContain(`Pakai sebelum: ${redeemBy}`);
      expect(sheet).toContain('Sambungkan HP ke WiFi WiFi-Gratis-Kotim, buka situs web apa saja');
    });

    it('renders every page in both languages without a hole ("undefined", "NaN") or a leftover code', async () => {
      const { batch } = await createVoucherBatch(deps(), ADMIN, { count: 1, validityHours: 1.5, deviceLimit: 1, quotaMB: 100 });
      const pages = ['/admin', '/admin?range=7d', '/admin/hotspots', '/admin/hotspots/new', '/admin/hotspots/taman-kota-sampit', '/admin/sessions', '/admin/vouchers',
        `/admin/vouchers/${batch}`, `/admin/vouchers/${batch}/print`, '/admin/agencies', '/admin/reports', '/admin/audit', '/admin/operators', '/admin/account'];
      for (const lang of ['id', 'en'] as const) {
        const as = await signIn('siti', lang);
        for (const path of pages) {
          const page = text((await get(as, path)).text);
          expect([lang, path, page.match(/undefined|NaN|\[object|\{\w+\}|outside-office-hours|pending|[a-z]+\.[a-z]+\.[a-z]+/g)]).toEqual([lang, path, null]);
        }
      }
      expect(text((await get(await signIn('siti', 'en'), `/admin/vouchers/${batch}`)).text)).toContain('1.5 hours from first use');
      expect(text((await get(await signIn('siti'), `/admin/vouchers/${batch}`)).text)).toContain('1,5 jam sejak pertama dipakai');
    });

    it('makes a new script API key a viewer unless an admin chooses more, in the console and the API', async () => {
      const siti = await signIn('siti');
      const page = (await get(siti, '/admin/operators')).text;
      expect(page).toMatch(/<select id="ak-role" name="role"[^>]*><option value="viewer" selected>pemantau<\/option><option value="operator">operator<\/option><option value="admin">admin<\/option><\/select>/);
      expect(page).not.toMatch(/placeholder=/);
      await post(siti, '/admin/api-keys', { name: 'laporan-bulanan' }).expect(200);
      const key = await createAdminApiKey(h.redis, keys, ADMIN, { name: 'setup', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
      await app().post('/api/v1/api-keys').set('Authorization', `Bearer ${key}`).send({ name: 'grafana' }).expect(200);
      const listed = (await app().get('/api/v1/api-keys').set('Authorization', `Bearer ${key}`).expect(200)).body as Array<{ name: string; role: string }>;
      expect(listed.filter((k) => k.name === 'laporan-bulanan' || k.name === 'grafana').map((k) => k.role)).toEqual(['viewer', 'viewer']);
    });
  });
});
