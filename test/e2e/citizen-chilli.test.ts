import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { paths } from '../../src/paths';
import { createVouchers } from '../../src/vouchers/store';
import { formatCode } from '../../src/vouchers/codes';
import { launchChromium } from '../support/browser';
import { fakeChilli, type FakeNas } from '../support/fake-nas';
import type { Harness } from '../support/harness';
import { startPortal } from '../support/portal-server';
import { CHILLI_RADIUS_SECRET, CHILLI_UAM_SECRET, chilliSite } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'id-ID' };
const UAM_SECRET = CHILLI_UAM_SECRET;
const RADIUS_SECRET = CHILLI_RADIUS_SECRET;

/**
 * A citizen at a CoovaChilli hotspot, in headless Chromium: Chilli's redirect (signed with md), the splash, the
 * browser sent to Chilli's /logon with the CHAP response, the real RADIUS server's answer (radclient as Chilli),
 * the status page, and logoff through Chilli.
 */
describe('a citizen at a CoovaChilli hotspot, in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let portalUrl = '';
  let keys: Harness['services']['keys'];
  const nases: FakeNas[] = [];
  let macSeq = 0x10;

  const chilli = async (): Promise<{ nas: FakeNas; mac: string }> => {
    const mac = `AA-BB-CC-00-0C-${(macSeq++).toString(16).toUpperCase()}`;
    const nas = await fakeChilli({
      portalUrl: () => portalUrl,
      radius: { authPort: h.authPort, acctPort: h.acctPort, secret: RADIUS_SECRET },
      uamSecret: UAM_SECRET,
      nasid: 'chilli-pundu',
      mac,
    });
    nases.push(nas);
    return { nas, mac };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    portal = await startPortal(chilliSite(['click', 'voucher']));
    ({ h, url: portalUrl } = portal);
    keys = h.services.keys;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(nases.map((n) => n.close()));
    await portal?.close();
  });

  it('is sent to the splash by Chilli, taps Sambungkan, is admitted with ChilliSpot rates, sees the status page and logs off', async () => {
    const { nas, mac } = await chilli();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${nas.url}/`);
    await page.getByRole('heading', { name: 'Aula Desa Pundu' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'chilli-splash-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sambungkan' }).click();
    await page.waitForURL(/\/hotspot\/status\?/);
    const reply = nas.logins[0]!.reply;
    expect(reply.code).toBe('Access-Accept');
    expect(reply.attributes).toMatchObject({ 'ChilliSpot-Bandwidth-Max-Up': '512', 'ChilliSpot-Bandwidth-Max-Down': '1024', 'WISPr-Bandwidth-Max-Down': '1024000' });
    await page.getByText('Sisa waktu hari ini').waitFor();
    await page.screenshot({ path: join(SHOTS, 'chilli-status-360.png'), fullPage: true });
    const sid = nas.sessions[0]!.username;
    expect(await h.services.pool.session(sid)).toMatchObject({ state: 'active', mac: mac.replaceAll('-', ':') });

    await page.getByRole('button', { name: 'Keluar dari WiFi' }).click();
    await page.getByText('Anda sudah keluar dari WiFi publik').waitFor();
    expect(await h.services.pool.session(sid)).toMatchObject({ state: 'closed' });
    await context.close();
  });

  it('logs in with a voucher, and a second device is refused once the voucher allows only one', async () => {
    const [code] = await createVouchers(h.redis, keys, {
      count: 1, hotspots: ['aula-desa-pundu'], validityMinutes: 1440, deviceLimit: 1, quotaMB: 500, redeemByMs: Date.now() + 86_400_000,
      batch: 'e2e', note: '', createdBy: 'test',
    });
    const first = await chilli();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${first.nas.url}/`);
    await page.getByLabel('Kode voucher').fill(code!);
    await page.getByRole('button', { name: 'Pakai voucher' }).click();
    await page.waitForURL(/\/hotspot\/status\?/);
    expect(first.nas.logins[0]!.reply.attributes['ChilliSpot-Max-Total-Octets']).toBe(String(500 * 1048576));
    await page.getByText('Sisa kuota voucher').waitFor();
    await context.close();

    const second = await chilli();
    const other = await browser.newContext(PHONE);
    const page2 = await other.newPage();
    page2.setDefaultTimeout(15_000);
    await page2.goto(`${second.nas.url}/`);
    await page2.getByLabel('Kode voucher').fill(formatCode(code!));
    await page2.getByRole('button', { name: 'Pakai voucher' }).click();
    await page2.getByText('sudah dipakai di perangkat lain').waitFor();
    await page2.screenshot({ path: join(SHOTS, 'chilli-voucher-other-device.png'), fullPage: true });
    expect(second.nas.logins).toEqual([]);
    await other.close();
  });

  it('says up front that the hotspot is full, and explains the refusal Chilli reports with res=failed when tried anyway', async () => {
    await h.redis.hset(keys.hotspot('aula-desa-pundu'), 'maxSessions', 0);
    try {
      const { nas } = await chilli();
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${nas.url}/`);
      // Before any tap: the splash already says so.
      await page.getByRole('heading', { name: 'Hotspot sedang penuh' }).waitFor();
      expect(nas.logins).toEqual([]);
      await page.getByRole('button', { name: 'Sambungkan' }).click();
      await page.waitForURL(/res=failed/);
      await page.getByRole('heading', { name: 'Hotspot sedang penuh' }).waitFor();
      expect(nas.logins.map((l) => l.reply.code)).toEqual(['Access-Reject']);
      await page.getByText('Coba lagi dalam 10–15 menit').waitFor();
      // Trying again later is still offered.
      await page.getByRole('button', { name: 'Sambungkan' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'chilli-refused-full.png'), fullPage: true });
      await context.close();
    } finally {
      await h.redis.hset(keys.hotspot('aula-desa-pundu'), 'maxSessions', 20);
    }
  });
});
