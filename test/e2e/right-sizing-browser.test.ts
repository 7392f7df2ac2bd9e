import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createOperator } from '../../src/admin/operators';
import { parseSite } from '../../src/config/site';
import { inOfficeHours } from '../../src/pool/capacity';
import { paths } from '../../src/paths';
import { redisNowMs } from '../../src/redis/time';
import { recordUsageSamples, type UsageSample } from '../../src/telemetry/usage-history';
import { launchChromium } from '../support/browser';
import { startPortal } from '../support/portal-server';
import { testSite } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PASSWORD = 'sungai-mentaya-2026';
const MINUTE = 60_000;

/**
 * The right-sizing report in headless Chromium, on a laptop and a phone and as printed: a week of five agencies'
 * minutes, read by a viewer. The page must not widen a phone's screen (its wide tables scroll inside their box), and
 * paper gets neither the console's bar nor its forms.
 */
describe('the right-sizing report in headless Chromium', () => {
  let browser: Browser;
  let portal: Awaited<ReturnType<typeof startPortal>>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const site = testSite();
    const agencies = [
      ...site.agencies,
      { id: 'bappeda', name: 'Bappeda', committedKbps: 10_000 },
      { id: 'satpol-pp', name: 'Satpol PP', committedKbps: 8_000 },
      { id: 'disdukcapil', name: 'Dinas Kependudukan dan Pencatatan Sipil', committedKbps: 15_000 },
    ];
    const withAgencies = parseSite({ ...site, agencies });
    portal = await startPortal(withAgencies, { allocatorIntervalMs: 3_600_000 });
    const { h } = portal;
    await createOperator(h.redis, h.services.keys, { username: 'budi', name: 'Budi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    const end = Math.floor((await redisNowMs(h.redis)) / MINUTE) * MINUTE;
    const officeHours = withAgencies.officeHours;
    const batch: UsageSample[] = [];
    for (let t = end - 7 * 86_400_000; t < end; t += MINUTE) {
      const open = inOfficeHours(officeHours, t);
      const hour = new Date(t + 7 * 3600_000).getUTCHours();
      const m = new Date(t).getUTCMinutes();
      const wave = 1 + 0.3 * Math.sin(t / 3_600_000);
      batch.push({ agencyId: 'dinkes', atMs: t, downKbps: (open ? (m >= 54 ? 12_000 : 8_000) : 2_000) * wave, upKbps: 1_000 });
      batch.push({ agencyId: 'disdik', atMs: t, downKbps: open ? (hour === 10 && m >= 54 ? 25_000 : 9_000 * wave) : 3_000, upKbps: 1_500 });
      batch.push({ agencyId: 'bappeda', atMs: t, downKbps: open ? 11_000 * wave : 1_500, upKbps: 2_000 });
      batch.push({ agencyId: 'disdukcapil', atMs: t, downKbps: hour >= 1 && hour < 3 ? 10_000 : open ? 6_000 * wave : 800, upKbps: hour >= 1 && hour < 3 ? 9_000 : 700 });
      if (end - t < 600 * MINUTE) batch.push({ agencyId: 'satpol-pp', atMs: t, downKbps: 2_500 * wave, upKbps: 400 });
    }
    for (let i = 0; i < batch.length; i += 500) await recordUsageSamples(h.redis, h.services.keys, batch.slice(i, i + 500));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  it('reads on a laptop and a phone, and prints without the console around it', async () => {
    for (const [name, viewport] of [['laptop', { width: 1366, height: 768 }], ['phone', { width: 360, height: 740 }]] as const) {
      const context = await browser.newContext({ viewport, locale: 'id-ID', deviceScaleFactor: 1 });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${portal.url}/admin/login`);
      await page.getByLabel('Nama pengguna').fill('budi');
      await page.getByLabel('Kata sandi').fill(PASSWORD);
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.getByRole('heading', { name: 'Kondisi bandwidth saat ini' }).waitFor();
      await page.goto(`${portal.url}/admin/reports`);
      await page.getByRole('link', { name: /Penyesuaian komitmen instansi/ }).click();
      await page.getByRole('heading', { name: 'Penyesuaian komitmen instansi' }).waitFor();
      await page.getByLabel('Periode').selectOption('7');
      await page.getByRole('button', { name: 'Tampilkan' }).click();
      await page.waitForURL(/days=7/);
      // The page is as wide as the screen; the tables and the chart scroll inside their own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.screenshot({ path: join(SHOTS, `admin-right-sizing-${name}.png`), fullPage: true });
      if (name === 'laptop') {
        // As on A4 landscape: 297 mm less the 12 mm margins, at 96 px to the inch.
        await page.setViewportSize({ width: 1032, height: 730 });
        await page.emulateMedia({ media: 'print' });
        expect(await page.locator('header.bar').isVisible()).toBe(false);
        expect(await page.locator('form.filters').isVisible()).toBe(false);
        await page.screenshot({ path: join(SHOTS, 'admin-right-sizing-print.png'), fullPage: true });
        await page.pdf({ path: join(SHOTS, 'admin-right-sizing.pdf'), format: 'A4', landscape: true, printBackground: true });
      }
      await context.close();
    }
  });
});
