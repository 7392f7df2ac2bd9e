import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { paths } from '../../src/paths';
import { formatCode } from '../../src/vouchers/codes';
import { createVouchers, getVoucher } from '../../src/vouchers/store';
import { launchChromium } from '../support/browser';
import { fakeMikrotik, type FakeNas } from '../support/fake-nas';
import type { Harness } from '../support/harness';
import { startPortal } from '../support/portal-server';
import { TEST_SECRET } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'id-ID' };

/**
 * A citizen at a MikroTik hotspot, in headless Chromium at a phone's size: the router's login.html, the splash,
 * Sambungkan or a voucher, the router's login with the credentials, the real RADIUS server's answer (radclient as
 * the router), the status page, and logout through the router.
 */
describe('a citizen at a MikroTik hotspot, in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let portalUrl = '';
  let keys: Harness['services']['keys'];
  const routers: FakeNas[] = [];
  let macSeq = 0x40;

  const router = async (options: { linkOrig?: string } = {}): Promise<{ nas: FakeNas; mac: string }> => {
    const mac = `AA:BB:CC:DD:EE:${(macSeq++).toString(16).toUpperCase()}`;
    const nas = await fakeMikrotik({
      portalUrl: () => portalUrl,
      radius: { authPort: h.authPort, acctPort: h.acctPort, secret: TEST_SECRET },
      mac,
      hotspotId: 'taman-kota-sampit',
      identity: 'MikroTik-Taman',
      ...options,
    });
    routers.push(nas);
    return { nas, mac };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    portal = await startPortal();
    ({ h, url: portalUrl } = portal);
    keys = h.services.keys;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(routers.map((r) => r.close()));
    await portal?.close();
  });

  async function openSplash(page: Page, nas: FakeNas, js: boolean): Promise<void> {
    await page.goto(`${nas.url}/login.html`);
    if (!js) await page.getByRole('button', { name: /Lanjutkan/ }).click();
    await page.waitForURL(`${portalUrl}/hotspot/mikrotik`);
    await page.getByRole('heading', { name: 'Taman Kota Sampit' }).waitFor();
  }

  /** After the router's login page hands the credentials over, the router shows the status page. */
  async function expectStatusPage(page: Page, js: boolean): Promise<void> {
    if (!js) await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.waitForURL(/\/hotspot\/status\?/);
  }

  it.each([
    ['with JavaScript', true],
    ['without JavaScript', false],
  ])('taps Sambungkan, is admitted by RADIUS, sees the status page and leaves through the router (%s)', async (_label, js) => {
    const { nas, mac } = await router();
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: js });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await openSplash(page, nas, js);
    await page.screenshot({ path: join(SHOTS, `splash-360${js ? '' : '-nojs'}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Sambungkan' }).click();
    if (!js) await page.screenshot({ path: join(SHOTS, 'router-login-nojs.png'), fullPage: true });
    await expectStatusPage(page, js);
    expect(nas.logins.map((l) => l.reply.code)).toEqual(['Access-Accept']);
    expect(nas.logins[0]!.reply.attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
    await page.getByText('Sisa waktu hari ini').waitFor();
    expect(await page.locator('#speed').textContent()).toMatch(/^\d+\.\d \/ \d+\.\d Mbps$/);
    await page.screenshot({ path: join(SHOTS, `status-360${js ? '' : '-nojs'}.png`), fullPage: true });
    const session = nas.sessions[0]!;
    expect(await h.services.pool.session(session.username)).toMatchObject({ state: 'active', mac });

    await page.getByRole('button', { name: 'Keluar dari WiFi' }).click();
    await page.getByText('router: logged out').waitFor();
    expect(await h.services.pool.session(session.username)).toMatchObject({ state: 'closed' });
    await context.close();
  });

  it('types a voucher code in lower case with spaces, and the session is limited by the voucher', async () => {
    const [code] = await createVouchers(h.redis, keys, {
      count: 1, hotspots: [], validityMinutes: 120, deviceLimit: 1, quotaMB: 300, redeemByMs: Date.now() + 86_400_000,
      batch: 'e2e', note: '', createdBy: 'test',
    });
    const { nas } = await router();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await openSplash(page, nas, true);
    await page.getByLabel('Kode voucher').fill(formatCode(code!).toLowerCase().replace('-', ' '));
    await page.screenshot({ path: join(SHOTS, 'splash-voucher-typed.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pakai voucher' }).click();
    await expectStatusPage(page, true);
    const reply = nas.logins[0]!.reply;
    expect(reply.code).toBe('Access-Accept');
    // The voucher's 120 minutes, less the seconds since its first use; its 300 MB.
    expect(Number(reply.attributes['Session-Timeout'])).toBeGreaterThan(115 * 60);
    expect(Number(reply.attributes['Session-Timeout'])).toBeLessThanOrEqual(120 * 60);
    expect(reply.attributes['Mikrotik-Total-Limit']).toBe(String(300 * 1048576));
    await page.getByText('Sisa kuota voucher').waitFor();
    expect(await page.locator('#mb-left').textContent()).toBe('300 MB');
    await page.screenshot({ path: join(SHOTS, 'status-voucher.png'), fullPage: true });

    // Logout books the router's counters on the voucher, not on the device's free day.
    await page.getByRole('button', { name: 'Keluar dari WiFi' }).click();
    await page.getByText('router: logged out').waitFor();
    expect((await getVoucher(h.redis, keys, code!))?.usedBytes).toBe(2_300_000);
    await context.close();
  });

  it('says beside the field why a voucher code was not taken, and keeps what was typed', async () => {
    const { nas } = await router();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await openSplash(page, nas, true);
    await page.getByLabel('Kode voucher').fill('ABCDE-23456');
    await page.getByRole('button', { name: 'Pakai voucher' }).click();
    await page.getByText('Kode voucher tidak ditemukan').waitFor();
    expect(await page.getByLabel('Kode voucher').inputValue()).toBe('ABCDE-23456');
    expect(await page.getByLabel('Kode voucher').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(SHOTS, 'splash-voucher-wrong.png'), fullPage: true });
    expect(nas.logins).toEqual([]);
    await context.close();
  });

  it("says on the splash, before any login, that the device's day is used up and when to come back", async () => {
    const { nas, mac } = await router();
    const day = Math.floor((Math.floor(Date.now() / 1000) + 25200) / 86400);
    await h.redis.hset(keys.device(mac), `d${day}:b`, 1024 * 1048576);
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await openSplash(page, nas, true);
    // No "Sambungkan" that cannot work: the state is shown up front, without a round trip through the router.
    await page.getByRole('heading', { name: 'Jatah hari ini sudah habis' }).waitFor();
    expect(nas.logins).toEqual([]);
    await page.getByText('Jatah baru mulai besok pukul 00.00 WIB').waitFor();
    // Free access is over for today; a voucher still works.
    expect(await page.getByRole('button', { name: 'Sambungkan' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Pakai voucher' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'splash-refused-daily-limit.png'), fullPage: true });
    await context.close();
  });

  it('fits a 320 px screen with large touch targets, and switches to English', async () => {
    const { nas } = await router();
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'id-ID' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await openSplash(page, nas, true);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(320);
    for (const name of ['Sambungkan', 'Pakai voucher']) {
      expect((await page.getByRole('button', { name }).boundingBox())!.height).toBeGreaterThanOrEqual(44);
    }
    expect((await page.getByLabel('Kode voucher').boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: join(SHOTS, 'splash-320.png'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await page.getByLabel('Voucher code').waitFor();
    await page.screenshot({ path: join(SHOTS, 'splash-320-english.png'), fullPage: true });
    await context.close();
  });

  it('fills in a voucher from its QR link, opened before the phone was let through', async () => {
    const [code] = await createVouchers(h.redis, keys, {
      count: 1, hotspots: ['taman-kota-sampit'], validityMinutes: 60, deviceLimit: 2, quotaMB: 100, redeemByMs: Date.now() + 86_400_000,
      batch: 'e2e', note: '', createdBy: 'test',
    });
    const { nas } = await router();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${portalUrl}/v/${formatCode(code!)}`);
    await page.getByRole('heading', { name: 'Voucher tersimpan' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'voucher-qr-link.png'), fullPage: true });
    await openSplash(page, nas, true);
    expect(await page.getByLabel('Kode voucher').inputValue()).toBe(formatCode(code!));
    await page.getByRole('button', { name: 'Pakai voucher' }).click();
    await expectStatusPage(page, true);
    expect(nas.logins.map((l) => l.reply.code)).toEqual(['Access-Accept']);
    await context.close();
  });
});
