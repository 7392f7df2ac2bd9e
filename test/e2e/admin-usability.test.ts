import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createOperator } from '../../src/admin/operators';
import { getHotspot } from '../../src/admin/service';
import { paths } from '../../src/paths';
import { launchChromium } from '../support/browser';
import { grantLogin, type Harness } from '../support/harness';
import { startPortal } from '../support/portal-server';
import { radclient } from '../support/radclient';
import { TEST_SECRET, testSite } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PASSWORD = 'sungai-mentaya-2026';
/** The operators' laptops: 1366 x 768. */
const LAPTOP = { viewport: { width: 1366, height: 768 }, locale: 'id-ID' };

/**
 * What an operator sees (issue 12), in headless Chromium on a 1366 x 768 screen: the dashboard's ranges and readable
 * axes, a hotspot's live sessions, a confirmation reached by keyboard, a blocked device the router did not let go,
 * refusals in Indonesian, voucher cards that say where and until when, and the Operators page. The test router
 * answers no Disconnect (nothing listens at its CoA port), as a router that is down would.
 */
describe('the admin console for operators, in headless Chromium at 1366 x 768', () => {
  let h: Harness;
  let browser: Browser;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let url = '';
  let keys: Harness['services']['keys'];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    portal = await startPortal(testSite(), { allocatorIntervalMs: 3_600_000 });
    ({ h, url } = portal);
    keys = h.services.keys;
    await createOperator(h.redis, keys, { username: 'siti', name: 'Siti Rahmah', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await createOperator(h.redis, keys, { username: 'andi.saputra', name: 'Andi Saputra', role: 'operator', scope: { kecamatan: ['Baamang'], hotspots: [] }, password: PASSWORD });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  async function signIn(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(LAPTOP);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${url}/admin`);
    await page.getByLabel('Nama pengguna').fill('siti');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Kondisi bandwidth saat ini' }).waitFor();
    return { context, page };
  }
  const started = async (mac: string, sessionId: string) => {
    const { grant } = await grantLogin(h, mac);
    await radclient(h.acctPort, 'acct', TEST_SECRET, ['Acct-Status-Type = Start', `User-Name = "${grant.username}"`, `Acct-Session-Id = "${sessionId}"`, `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1']);
    return grant.username;
  };
  /** The rendered height of a chart's axis labels, in CSS pixels. */
  const axisTextHeights = (page: Page) => page.$$eval('svg.chart text[font-size="14"]', (els) => els.map((e) => e.getBoundingClientRect().height));

  it('draws a fresh install over the last hour with readable axes, whole-number session ticks, and a week on request', async () => {
    const { context, page } = await signIn();
    await page.getByRole('link', { name: '1 jam' }).and(page.locator('[aria-current]')).waitFor();
    expect(await page.locator('svg.chart text', { hasText: 'belum ada data' }).count()).toBe(2);
    const heights = await axisTextHeights(page);
    expect(heights.length).toBeGreaterThan(10);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(13);
    const sessionTicks = await page.locator('svg.chart').nth(1).locator('text[text-anchor="end"]').allTextContents();
    expect(sessionTicks.every((t) => /^\d+$/.test(t))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-dashboard-fresh.png') });

    // A week of samples: a pool that follows office hours, and sessions in the evenings.
    const now = Date.now();
    const pipe = h.redis.pipeline();
    for (let t = Math.floor((now - 7 * 86_400_000) / 60_000) * 60_000; t < now - 60 * 60_000; t += 60_000) {
      const hour = new Date(t + 7 * 3600_000).getUTCHours();
      const office = hour >= 8 && hour < 16;
      const sample = { t, capDownKbps: office ? 20_000 : 60_000, allocDownKbps: office ? 6_000 : 38_000 + (hour % 5) * 2_000, sessions: office ? 3 : 15 + (hour % 4) };
      pipe.zadd(keys.poolHistory(), t, JSON.stringify(sample));
    }
    await pipe.exec();
    await page.getByRole('link', { name: '7 hari' }).click();
    await page.getByRole('link', { name: '7 hari' }).and(page.locator('[aria-current]')).waitFor();
    expect(await page.locator('svg.chart text', { hasText: /^(Sen|Sel|Rab|Kam|Jum|Sab|Min), \d+ \w+$/ }).count()).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: join(SHOTS, 'admin-dashboard-7d.png'), fullPage: true });
    await context.close();
  });

  it("shows a hotspot's live sessions and allocation, and disabling it asks first, reached by keyboard", async () => {
    const mac = 'AA:00:00:00:95:01';
    await started(mac, 'e2e-live');
    const { context, page } = await signIn();
    await page.getByRole('link', { name: 'Taman Kota Sampit' }).first().click();
    await page.getByRole('heading', { name: 'Sekarang' }).waitFor();
    expect(await page.locator('#live-sessions').textContent()).toBe('1 / 50');
    expect(await page.locator('#live-allocation').textContent()).toBe('2 Mbps / 1 Mbps');
    await page.getByRole('cell', { name: mac }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-hotspot-live.png') });

    await page.getByRole('button', { name: 'Nonaktifkan' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Nonaktifkan hotspot Taman Kota Sampit?' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-confirm-disable.png') });
    expect((await getHotspot({ redis: h.redis, keys }, 'taman-kota-sampit')).disabled).toBe(false);
    // From the top of the page, Tab reaches the confirmation (after the skip link and the menu).
    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'Ya, nonaktifkan hotspot'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    expect(focused).toBe('Ya, nonaktifkan hotspot');
    await page.keyboard.press('Enter');
    await page.getByText('Hotspot Taman Kota Sampit dinonaktifkan. Warga tidak bisa login di sana sampai diaktifkan lagi.').waitFor();
    expect((await getHotspot({ redis: h.redis, keys }, 'taman-kota-sampit')).disabled).toBe(true);
    await page.getByRole('button', { name: 'Aktifkan' }).click();
    await page.getByText('Hotspot Taman Kota Sampit diaktifkan lagi.').waitFor();
    await context.close();
  });

  it('blocks a device whose router does not answer: its session is marked blocked, the block is listed with its end, and lifted', async () => {
    const mac = 'AA:00:00:00:96:01';
    await started(mac, 'e2e-block');
    const { context, page } = await signIn();
    await page.getByRole('link', { name: 'Sesi', exact: true }).click();
    await page.getByRole('link', { name: `Blokir ${mac}` }).click();
    await page.getByLabel('Lama blokir (menit)').fill('45');
    await page.getByLabel('Alasan').fill('unduhan berlebihan');
    await page.getByRole('button', { name: 'Blokir perangkat' }).click();
    await page.getByText(`Perangkat ${mac} diblokir sampai`).waitFor({ timeout: 20_000 });
    expect(await page.locator('.flash').textContent()).toContain('1 sesi belum bisa diputus karena routernya tidak menjawab');
    const row = page.getByRole('row').filter({ hasText: 'Taman Kota Sampit' }).filter({ hasText: mac });
    expect(await row.getByRole('cell').nth(5).textContent()).toBe('diblokir, belum diputus router');
    const block = page.getByRole('row').filter({ hasText: 'unduhan berlebihan' });
    expect(await block.textContent()).toMatch(new RegExp(`${mac}\\d+ \\w+ \\d{4} \\d\\d\\.\\d\\d WIB4[45] menit lagisitiunduhan berlebihan`));
    await page.screenshot({ path: join(SHOTS, 'admin-sessions-blocked.png'), fullPage: true });
    await page.getByRole('button', { name: `Buka blokir ${mac}` }).click();
    await page.getByText(`Blokir perangkat ${mac} dibuka.`).waitFor();
    await page.getByText('Tidak ada perangkat yang sedang diblokir.').waitFor();
    await context.close();
  }, 40_000);

  it('says in Indonesian which field is wrong, and offers only the kecamatan of the site', async () => {
    const { context, page } = await signIn();
    await page.goto(`${url}/admin/hotspots/taman-kota-sampit`);
    expect(await page.getByLabel('Kecamatan').locator('option').allTextContents()).toEqual(['Baamang', 'Mentawa Baru Ketapang']);
    await page.getByLabel('Unduh minimum (kbps)').fill('5000');
    await page.getByRole('button', { name: 'Simpan' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Unduh minimum (kbps) tidak boleh lebih besar dari Unduh per sesi (kbps).');
    await page.screenshot({ path: join(SHOTS, 'admin-hotspot-error.png') });
    await context.close();
  });

  it('prints voucher cards with the WiFi name, where they work and until when, in type that reads', async () => {
    const { context, page } = await signIn();
    await page.goto(`${url}/admin/hotspots/taman-kota-sampit`);
    await page.getByLabel('Nama WiFi (SSID), dicetak di voucher').fill('Kotim-WiFi-Gratis');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Perubahan hotspot Taman Kota Sampit disimpan.').waitFor();
    await page.getByRole('link', { name: 'Voucher', exact: true }).click();
    await page.getByLabel('Jumlah voucher').fill('4');
    await page.getByLabel('Hotspot (kosong = semua)').selectOption('taman-kota-sampit');
    await page.getByLabel('Catatan (mis. nama acara)').fill('Pelatihan UMKM');
    await page.getByRole('button', { name: 'Buat' }).click();
    await page.getByText('4 voucher dibuat dalam batch').waitFor();
    await page.getByRole('link', { name: 'Cetak A4' }).click();
    const cards = page.locator('article.card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(4);
    const card = (await cards.first().innerText()).replace(/\s+/g, ' ');
    expect(card).toContain('WiFi: Kotim-WiFi-Gratis');
    expect(card).toContain('Berlaku di: Taman Kota Sampit');
    expect(card).toMatch(/Pakai sebelum: \d+ \w+ \d{4}/);
    expect(card).toContain('Sambungkan HP ke WiFi Kotim-WiFi-Gratis');
    // 8.5 pt is 11.33 CSS px; nothing on a card is smaller, and nothing is cut off at its edge.
    const sizes = await cards.first().locator('p, h2').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11.3);
    const overflow = await cards.evaluateAll((els) => els.map((e) => e.scrollHeight - e.clientHeight));
    expect(Math.max(...overflow)).toBeLessThanOrEqual(1);
    // The WiFi name is there whole, not cut with an ellipsis.
    const wifi = await cards.first().locator('.wifi strong').evaluate((e) => ({ text: e.textContent, box: e.getBoundingClientRect().width, card: e.closest('article')!.getBoundingClientRect().right - e.getBoundingClientRect().right }));
    expect(wifi.text).toBe('Kotim-WiFi-Gratis');
    expect(wifi.card).toBeGreaterThan(0);
    expect(await cards.first().locator('.wifi').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-voucher-cards.png') });
    await context.close();
  });

  it('offers a new script key as a viewer, and shows every field of an operator unclipped', async () => {
    const { context, page } = await signIn();
    await page.getByRole('link', { name: 'Operator', exact: true }).click();
    expect(await page.getByLabel('Peran').last().inputValue()).toBe('viewer');
    expect(await page.locator('input[placeholder]').count()).toBe(0);
    // Each operator's row fits on one line: its Save button sits beside its fields, not under them.
    for (const form of await page.locator('.row-form').all()) {
      const [first, save] = [(await form.locator('.field').first().boundingBox())!, (await form.getByRole('button').boundingBox())!];
      expect(save.y).toBeLessThan(first.y + first.height);
    }
    for (const field of await page.locator('.row-form input[type=password]').all()) {
      const id = await field.getAttribute('id');
      expect(await page.locator(`label[for="${id}"]`).textContent()).toBe('Kata sandi baru');
      const box = (await field.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1366);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.screenshot({ path: join(SHOTS, 'admin-operators.png'), fullPage: true });
    await context.close();
  });
});
