import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readAudit } from '../../src/admin/audit';
import { createOperator } from '../../src/admin/operators';
import { getHotspot } from '../../src/admin/service';
import { paths } from '../../src/paths';
import { launchChromium } from '../support/browser';
import { fakeMikrotik } from '../support/fake-nas';
import { startFreeradiusCoa, type FreeradiusCoa } from '../support/freeradius-coa';
import { grantLogin, type Harness } from '../support/harness';
import { startPortal } from '../support/portal-server';
import { radclient } from '../support/radclient';
import { TEST_SECRET, testSite } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PASSWORD = 'sungai-mentaya-2026';
const LAPTOP = { viewport: { width: 1366, height: 768 }, locale: 'id-ID' };

/**
 * A Diskominfo operator in headless Chromium: signs in, changes a quota that the next Access-Request gets,
 * makes and prints vouchers that a citizen then uses, disconnects a session through a real FreeRADIUS CoA
 * receiver; and a viewer is refused every write.
 */
describe('the admin console in headless Chromium', () => {
  let h: Harness;
  let fr: FreeradiusCoa;
  let browser: Browser;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let portalUrl = '';
  let keys: Harness['services']['keys'];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fr = await startFreeradiusCoa({ secret: TEST_SECRET, requireMessageAuthenticator: true });
    portal = await startPortal(testSite({ coaPort: fr.port }), { allocatorIntervalMs: 3_600_000 });
    ({ h, url: portalUrl } = portal);
    keys = h.services.keys;
    await createOperator(h.redis, keys, { username: 'siti', name: 'Siti Rahmah', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'budi', name: 'Budi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await fr?.stop();
  });

  async function signIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(LAPTOP);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${portalUrl}/admin`);
    await page.getByLabel('Nama pengguna').fill(username);
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Kondisi bandwidth saat ini' }).waitFor();
    return { context, page };
  }

  const accessRequest = async (mac: string) => {
    return grantLogin(h, mac);
  };

  it('signs in, edits a quota, and the next Access-Request gets the new rate', async () => {
    const login = await browser.newContext(LAPTOP);
    const loginPage = await login.newPage();
    await loginPage.goto(`${portalUrl}/admin/login`);
    await loginPage.screenshot({ path: join(SHOTS, 'admin-login.png') });
    await login.close();

    const { context, page } = await signIn('siti');
    await page.screenshot({ path: join(SHOTS, 'admin-dashboard.png'), fullPage: true });
    expect((await accessRequest('AA:00:00:00:20:01')).reply.attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
    await page.getByRole('link', { name: 'Hotspot', exact: true }).click();
    await page.getByRole('link', { name: 'Taman Kota Sampit' }).click();
    await page.getByLabel('Unduh per sesi (kbps)').fill('3072');
    await page.getByLabel('Unggah per sesi (kbps)').fill('1536');
    await page.screenshot({ path: join(SHOTS, 'admin-hotspot-edit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Perubahan hotspot Taman Kota Sampit disimpan.').waitFor();
    expect((await accessRequest('AA:00:00:00:20:02')).reply.attributes['Mikrotik-Rate-Limit']).toBe('1536k/3072k');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('cell', { name: 'Hotspot diubah' }).first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-audit.png'), fullPage: true });
    await context.close();
  });

  it('makes a voucher batch, prints it as an A4 sheet of QR cards, and a citizen logs in with one of them', async () => {
    const { context, page } = await signIn('siti');
    await page.getByRole('link', { name: 'Voucher', exact: true }).click();
    await page.getByLabel('Jumlah voucher').fill('10');
    await page.getByLabel('Berlaku (jam sejak pertama dipakai)').fill('24');
    await page.getByLabel('Kuota (MB)').fill('300');
    await page.getByLabel('Hotspot (kosong = semua)').selectOption('taman-kota-sampit');
    await page.getByLabel('Catatan (mis. nama acara)').fill('Pekan Raya Sampit');
    await page.getByRole('button', { name: 'Buat' }).click();
    await page.getByText('10 voucher dibuat dalam batch').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-voucher-batch.png'), fullPage: true });
    const code = (await page.locator('td code').first().textContent())!;
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);

    await page.getByRole('link', { name: 'Cetak A4' }).click();
    const print = page;
    await print.locator('article.card').first().waitFor();
    expect(await print.locator('article.card').count()).toBe(10);
    expect(await print.locator('article.card svg path').count()).toBe(10);
    await print.screenshot({ path: join(SHOTS, 'admin-voucher-sheet.png'), fullPage: true });
    const pdf = await print.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();

    // The citizen types the printed code at the hotspot.
    const router = await fakeMikrotik({ portalUrl: () => portalUrl, radius: { authPort: h.authPort, acctPort: h.acctPort, secret: TEST_SECRET }, mac: 'AA:00:00:00:21:01', hotspotId: 'taman-kota-sampit', identity: 'MikroTik-Taman' });
    try {
      const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID' });
      const citizen = await phone.newPage();
      citizen.setDefaultTimeout(15_000);
      await citizen.goto(`${router.url}/login.html`);
      await citizen.getByLabel('Kode voucher').fill(code);
      await citizen.getByRole('button', { name: 'Pakai voucher' }).click();
      await citizen.waitForURL(/\/hotspot\/status\?/);
      expect(router.logins[0]!.reply.code).toBe('Access-Accept');
      expect(router.logins[0]!.reply.attributes['Mikrotik-Total-Limit']).toBe(String(300 * 1048576));
      await phone.close();
    } finally {
      await router.close();
    }
  });

  it('disconnects a live session through a real FreeRADIUS CoA receiver', async () => {
    const mac = 'AA:00:00:00:22:01';
    const { grant, reply } = await accessRequest(mac);
    expect(reply.code).toBe('Access-Accept');
    await radclient(h.acctPort, 'acct', TEST_SECRET, ['Acct-Status-Type = Start', `User-Name = "${grant.username}"`, 'Acct-Session-Id = "d1"', `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1', 'Framed-IP-Address = 10.5.50.77']);
    const { context, page } = await signIn('siti');
    await page.getByRole('link', { name: 'Sesi', exact: true }).click();
    await page.getByLabel('MAC', { exact: true }).first().fill(mac);
    await page.getByRole('button', { name: 'Saring' }).click();
    await page.getByRole('cell', { name: mac, exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-sessions.png'), fullPage: true });
    await page.getByRole('button', { name: `Putuskan ${mac}` }).click();
    // One click asks first, and says what will happen; nothing is sent to the router yet.
    await page.getByRole('heading', { name: `Putuskan sesi ${mac}?` }).waitFor();
    expect((await fr.received()).filter((p) => p.code === 'Disconnect-Request' && p.attributes['User-Name'] === grant.username)).toEqual([]);
    await page.getByRole('button', { name: 'Ya, putuskan sesi' }).click();
    await page.getByText(`Sesi ${mac} di Taman Kota Sampit diputus.`).waitFor();
    const disconnects = (await fr.received()).filter((p) => p.code === 'Disconnect-Request');
    expect(disconnects.at(-1)!.attributes).toMatchObject({ 'User-Name': grant.username, 'Acct-Session-Id': 'd1', 'Framed-IP-Address': '10.5.50.77' });
    expect(await h.services.pool.session(grant.username)).toMatchObject({ state: 'closed' });
    await context.close();
  });

  it('refuses a viewer every write, and shows no forms that would change anything', async () => {
    const { context, page } = await signIn('budi');
    await page.goto(`${portalUrl}/admin/hotspots/taman-kota-sampit`);
    expect(await page.getByRole('button', { name: 'Simpan' }).count()).toBe(0);
    expect(await page.getByLabel('Unduh per sesi (kbps)').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-viewer-hotspot.png'), fullPage: true });
    const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value'))!;
    const writes = [
      '/admin/hotspots', '/admin/hotspots/taman-kota-sampit', '/admin/hotspots/taman-kota-sampit/nas', '/admin/hotspots/taman-kota-sampit/nas/remove',
      '/admin/sessions/g-aaaaaaaaaaaa/disconnect', '/admin/devices/block', '/admin/devices/unblock', '/admin/vouchers', '/admin/vouchers/x/revoke',
      '/admin/agencies/dinkes', '/admin/telemetry-keys', '/admin/telemetry-keys/abcdef123456/revoke', '/admin/operators', '/admin/operators/siti',
      '/admin/api-keys', '/admin/api-keys/abcdef123456/revoke',
    ];
    for (const path of writes) {
      // Each form as an admin would fill it, so that only the role check stands between it and a change.
      const r = await page.request.post(`${portalUrl}${path}`, {
        form: { _csrf: csrf, action: 'disable', ip: '127.0.0.1', mac: 'AA:00:00:00:00:01', minutes: '5', count: '1', validityHours: '1', deviceLimit: '1', quotaMB: '1', committedKbps: '1', name: 'k', role: 'admin', username: 'mallory', password: 'long-enough-password' },
      });
      expect([path, r.status()]).toEqual([path, 403]);
    }
    expect((await getHotspot({ redis: h.redis, keys }, 'taman-kota-sampit')).disabled).toBe(false);
    // Nothing the viewer did reached the audit log but signing in.
    expect((await readAudit(h.redis, keys, { actor: 'budi' })).map((e) => e.action)).toEqual(['login']);
    await context.close();
  });
});
