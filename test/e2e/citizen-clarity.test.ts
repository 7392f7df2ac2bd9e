import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { paths } from '../../src/paths';
import { formatCode } from '../../src/vouchers/codes';
import { createVouchers, getVoucher } from '../../src/vouchers/store';
import { launchChromium } from '../support/browser';
import { fakeMikrotik, type FakeNas } from '../support/fake-nas';
import { startPortal } from '../support/portal-server';
import { TEST_SECRET, testSite } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'id-ID' };

/**
 * What a citizen reads, in both languages, where the usability review found it wrong (issue 12): a language that
 * sticks through the router, the status page that says when the connection ends, a voucher that a refused login
 * does not use up, terms that fit the hotspot, and where the Captive Portal API sends a phone.
 */
describe('what a citizen reads, in Chromium at phone size', () => {
  let browser: Browser;
  const portals: Array<Awaited<ReturnType<typeof startPortal>>> = [];
  const routers: FakeNas[] = [];
  let macSeq = 0x10;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(routers.map((r) => r.close()));
    await Promise.all(portals.map((p) => p.close()));
  });

  const portal = async (site = testSite()) => {
    const p = await startPortal(site);
    portals.push(p);
    return p;
  };
  const router = async (p: Awaited<ReturnType<typeof startPortal>>, hotspotId = 'taman-kota-sampit', identity = 'MikroTik-Taman') => {
    const mac = `AA:BB:CC:DD:E1:${(macSeq++).toString(16).toUpperCase().padStart(2, '0')}`;
    const nas = await fakeMikrotik({ portalUrl: () => p.url, radius: { authPort: p.h.authPort, acctPort: p.h.acctPort, secret: TEST_SECRET }, mac, hotspotId, identity });
    routers.push(nas);
    return { nas, mac };
  };
  const phone = async (): Promise<BrowserContext> => {
    const context = await browser.newContext(PHONE);
    context.setDefaultTimeout(15_000);
    return context;
  };

  it('keeps English once chosen, through the router, on the status page, which says when the connection ends', async () => {
    const p = await portal();
    const { nas } = await router(p);
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${nas.url}/login.html`);
    await page.getByRole('heading', { name: 'Taman Kota Sampit' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/\/hotspot\/status\?/);
    // The router's round trip carried no language: the page is still in English, with the way back.
    await page.getByText('Time left today').waitFor();
    await page.getByText(/^3 hours$|^2 hours 59 minutes$/).waitFor();
    await page.getByText(/This connection ends in (1 hour|59 minutes)/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'status-en.png'), fullPage: true });
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await page.getByText('Sisa waktu hari ini').waitFor();
    await page.getByText(/Sambungan ini berakhir dalam (1 jam|59 menit)/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'status-id.png'), fullPage: true });
    await context.close();
  });

  it.each([['id'], ['en']] as const)('gives a voucher back when the login is refused, says why and keeps the code (%s)', async (lang) => {
    // 60000 - 10000 headroom - 50000 committed: the pool has nothing for citizens.
    const p = await portal(testSite({ capacityKbps: 60_000 }));
    const [code] = await createVouchers(p.h.redis, p.h.services.keys, { count: 1, hotspots: [], validityMinutes: 180, deviceLimit: 1, quotaMB: 200, redeemByMs: Date.now() + 86_400_000, batch: 'e2e', note: '', createdBy: 'test' });
    const { nas } = await router(p);
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${nas.url}/login.html`);
    await page.getByRole('heading', { name: 'Taman Kota Sampit' }).waitFor();
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    const t = lang === 'id' ? { full: 'Kapasitas sedang habis', field: 'Kode voucher', use: 'Pakai voucher' } : { full: 'No capacity left right now', field: 'Voucher code', use: 'Use voucher' };
    // Said up front, before any tap.
    await page.getByRole('heading', { name: t.full }).waitFor();
    await page.getByLabel(t.field).fill(code!);
    await page.getByRole('button', { name: t.use }).click();
    await page.waitForURL(`${p.url}/hotspot/mikrotik`);
    await page.getByRole('heading', { name: t.full }).waitFor();
    expect(nas.logins.map((l) => l.reply.code)).toEqual(['Access-Reject']);
    expect(await page.getByLabel(t.field).inputValue()).toBe(formatCode(code!));
    expect((await getVoucher(p.h.redis, p.h.services.keys, code!))!).toMatchObject({ status: 'unused', devices: 0 });
    await page.screenshot({ path: join(SHOTS, `voucher-refused-kept-${lang}.png`), fullPage: true });
    await context.close();
  });

  it.each([['id'], ['en']] as const)('states a voucher-only hall\'s terms as they apply, with its opening hours (%s)', async (lang) => {
    const p = await portal(testSite({ villageHallLogin: ['voucher'] }));
    const hours = { mon: ['00:00', '23:59'], tue: ['00:00', '23:59'], wed: ['00:00', '23:59'], thu: ['00:00', '23:59'], fri: ['00:00', '23:59'], sat: ['00:00', '23:59'], sun: ['00:00', '23:59'] };
    await p.h.redis.hset(p.h.services.keys.hotspot('aula-desa-baamang'), 'openingHours', JSON.stringify(hours));
    const { nas } = await router(p, 'aula-desa-baamang', 'MT-AulaBaamang');
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${nas.url}/login.html`);
    await page.getByRole('heading', { name: 'Aula Desa Baamang Barat' }).waitFor();
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    const text = await page.locator('.terms').textContent();
    if (lang === 'id') {
      expect(text).toContain('Masuk dengan voucher dari petugas');
      expect(text).toContain('Jam buka: Senin–Minggu 00.00–23.59 WIB.');
      expect(text).not.toContain('Gratis, tanpa pendaftaran');
    } else {
      expect(text).toContain('Log in with a voucher from the staff');
      expect(text).toContain('Open: Monday–Sunday 00.00–23.59 WIB.');
      expect(text).not.toContain('Free, no registration');
    }
    await page.screenshot({ path: join(SHOTS, `splash-voucher-only-${lang}.png`), fullPage: true });
    await context.close();
  });

  it('sends a phone that found the hotspot through the Captive Portal API to a page that says how to log in', async () => {
    const p = await portal();
    const api = JSON.parse(await (await fetch(`${p.url}/api/captive/taman-kota-sampit`)).text()) as Record<string, string>;
    const context = await phone();
    const page = await context.newPage();
    for (const [url, lang, heading] of [[api['user-portal-url']!, 'id', 'Cara tersambung'], [`${api['venue-info-url']!}&lang=en`, 'en', 'How to connect']] as const) {
      await page.goto(url);
      await page.getByRole('heading', { name: heading }).waitFor();
      await page.screenshot({ path: join(SHOTS, `venue-${lang}.png`), fullPage: true });
    }
    await context.close();
  });
});
