import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { paths } from '../../src/paths';
import { decodeMikrotikOctal } from '../../src/portal/mikrotik-chap';
import { launchChromium } from '../support/browser';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
// radclient treats a 17-octet CHAP-Password as already hashed only if one octet is below 32, and re-hashes it
// as a cleartext password otherwise; a CHAP ident below 32 keeps the router's CHAP-Password as it is.
const CHAP_ID = '\\011';
const CHAP_CHALLENGE = '\\357\\123\\045\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015';

/**
 * Plays the MikroTik router's HTTP side: serves the router's login.html (from nas/mikrotik, with the portal URL
 * filled in, as an engineer would upload it) and records what the citizen's browser posts to link-login-only.
 */
async function fakeRouter(portalUrl: () => string): Promise<{ server: Server; url: string; posts: Array<Record<string, string>> }> {
  const template = readFileSync(join(paths.root, 'nas', 'mikrotik', 'login.html'), 'utf8');
  const posts: Array<Record<string, string>> = [];
  const server = createServer((req, res) => {
    const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.method === 'POST' && req.url === '/login') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts.push(Object.fromEntries(new URLSearchParams(body)));
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>router: logged in</p>');
      });
      return;
    }
    // RouterOS substitutes $(var) and evaluates $(if chap-id) ... $(endif) before serving login.html.
    const vars: Record<string, string> = {
      mac: 'AA:BB:CC:DD:EE:42', ip: '10.5.50.42', username: '', 'link-login': `${self}/login?dst=x`,
      'link-login-only': `${self}/login`, 'link-orig': 'http://example.org/berita', error: '', 'chap-id': CHAP_ID,
      'chap-challenge': CHAP_CHALLENGE, identity: 'MikroTik-Taman', 'server-name': 'hotspot1',
    };
    const page = template
      .replaceAll('https://portal.example.id', portalUrl())
      .replaceAll('HOTSPOT_ID', 'taman-kota-sampit')
      .replace(/\$\(if chap-id\)([\s\S]*?)\$\(endif\)/g, '$1')
      .replace(/\$\(([a-z-]+)\)/g, (_m, name: string) => vars[name] ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

describe('a citizen on a phone, in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let portal: Server;
  let portalUrl = '';
  let router: Awaited<ReturnType<typeof fakeRouter>>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness();
    portal = createServer(h.services.app);
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', () => r()));
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
    router = await fakeRouter(() => portalUrl);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    router?.server.close();
    portal?.close();
    await h?.close();
  });

  it.each([
    ['with JavaScript', true],
    ['without JavaScript', false],
  ])('goes from the router page to the splash, taps Sambungkan, and the router gets credentials RADIUS accepts (%s)', async (_label, js) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: js, locale: 'id-ID' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const before = router.posts.length;
    await page.goto(`${router.url}/login.html`);
    if (!js) await page.getByRole('button', { name: /Lanjutkan/ }).click();
    await page.waitForURL(`${portalUrl}/hotspot/mikrotik`);
    await page.getByRole('heading', { name: 'Taman Kota Sampit' }).waitFor();
    await page.screenshot({ path: join(SHOTS, `splash-360${js ? '' : '-nojs'}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Sambungkan' }).click();
    if (!js) {
      await page.screenshot({ path: join(SHOTS, 'router-login-nojs.png'), fullPage: true });
      await page.getByRole('button', { name: 'Lanjutkan' }).click();
    }
    await page.getByText('router: logged in').waitFor();
    await context.close();

    expect(router.posts.length).toBe(before + 1);
    const posted = router.posts[router.posts.length - 1]!;
    const statusLink = new URL(posted['dst']!);
    expect(statusLink.searchParams.get('next')).toBe('http://example.org/berita');
    const chapId = decodeMikrotikOctal(CHAP_ID)!;
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, [
      `User-Name = "${posted['username']}"`,
      `CHAP-Password = 0x${chapId.toString('hex')}${posted['password']}`,
      `CHAP-Challenge = 0x${decodeMikrotikOctal(CHAP_CHALLENGE)!.toString('hex')}`,
      'Calling-Station-Id = "AA:BB:CC:DD:EE:42"',
      'NAS-IP-Address = 127.0.0.1',
      'Message-Authenticator = 0x00',
    ]);
    expect(reply.code).toBe('Access-Accept');
    expect(reply.attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
    // What the router shows next: the status page.
    const statusPage = await (await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: js, locale: 'id-ID' })).newPage();
    await statusPage.goto(`${portalUrl}${statusLink.pathname}${statusLink.search}`);
    await statusPage.getByText('Sisa waktu hari ini').waitFor();
    await statusPage.screenshot({ path: join(SHOTS, `status-360${js ? '' : '-nojs'}.png`), fullPage: true });
    await statusPage.context().close();
    await h.services.pool.release(posted['username']!, 'taman-kota-sampit', 'test');
  });

  it('shows the router refusal to the citizen in plain words, and the page fits a 320 px screen', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'id-ID' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const query = new URLSearchParams({
      mac: 'AA:BB:CC:DD:EE:43', 'link-login-only': `${router.url}/login`, identity: 'MikroTik-Taman',
      error: 'Hotspot sedang penuh. Coba lagi dalam 10-15 menit, saat pengguna lain selesai.',
    });
    await page.goto(`${portalUrl}/hotspot/mikrotik?${query}`);
    await page.getByRole('alert').waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(320);
    const button = await page.getByRole('button', { name: 'Sambungkan' }).boundingBox();
    expect(button!.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: join(SHOTS, 'splash-320-refused.png'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'splash-320-english.png'), fullPage: true });
    await context.close();
  });
});
