import { createSocket } from 'node:dgram';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createOperator } from '../../src/admin/operators';
import { parseSite, type Site } from '../../src/config/site';
import { paths } from '../../src/paths';
import type { SnmpCollector } from '../../src/telemetry/snmp/collector';
import { launchChromium } from '../support/browser';
import { eventually } from '../support/eventually';
import type { Harness } from '../support/harness';
import { startPortal } from '../support/portal-server';
import { testSite } from '../support/site';
import { startSnmpd, type SnmpdLab } from '../support/snmpd';

const SHOTS = join(paths.root, 'test-output', 'screenshots');
const PASSWORD = 'sungai-mentaya-2026';
/** A phone in a Diskominfo engineer's hand at the core router: 360 x 740. */
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'id-ID' };

/**
 * The agencies page on a phone, in headless Chromium: an agency measured over SNMP by a real snmpd (the core
 * router's stand-in, test/support/snmpd.ts) shows its rate, source and age; an agency on a device that does not
 * answer says why; the devices section; "Uji perangkat" lists the interfaces and queues, and a queue is assigned
 * to an agency from its row. Nothing on these pages scrolls sideways at 360 px.
 */
describe('the agencies page with SNMP, in headless Chromium on a phone', () => {
  let lab: SnmpdLab;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let h: Harness;
  let browser: Browser;
  let collector: SnmpCollector;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    lab = await startSnmpd({ ifName: 'vlan101', queues: ['dinkes', 'disdik', 'bappeda'] });
    const dead = createSocket('udp4');
    await new Promise<void>((r) => dead.bind(0, '127.0.0.1', r));
    const deadPort = dead.address().port;
    await new Promise<void>((r) => dead.close(() => r()));
    const base = JSON.parse(JSON.stringify(testSite())) as Site;
    const site = parseSite({
      ...base,
      agencies: [
        { id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20000, measure: { device: 'core-router', interface: 'vlan101' } },
        { id: 'disdik', name: 'Dinas Pendidikan', committedKbps: 30000, measure: { device: 'router-disdik', queue: 'disdik' } },
      ],
      telemetry: {
        ...base.telemetry,
        snmp: {
          devices: [
            { id: 'core-router', host: lab.host, port: lab.port, version: '3', user: lab.v3.user, authProtocol: 'sha256', authKey: lab.v3.authKey, privKey: lab.v3.privKey, intervalSeconds: 3600 },
            { id: 'router-disdik', host: '127.0.0.1', port: deadPort, version: '2c', community: 'ro-disdik', timeoutMs: 300, retries: 0, intervalSeconds: 3600 },
          ],
        },
      },
    });
    portal = await startPortal(site, { allocatorIntervalMs: 3_600_000, radius: { address: '10.20.0.5', authPort: 1812, acctPort: 1813 } });
    h = portal.h;
    collector = h.services.jobs.find((j) => j.name === 'snmp-collector') as SnmpCollector;
    await createOperator(h.redis, h.services.keys, { username: 'siti', name: 'Siti Rahmah', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    await collector.runOnce();
    await lab.receive(2_000_000, 8_000);
    // snmpd refreshes its interface table every few seconds: polled until a reading shows the transfer.
    await eventually(async () => {
      await collector.runOnce();
      const usage = JSON.parse((await h.redis.hget(h.services.keys.agencyUsage(), 'dinkes')) ?? '{}') as { downKbps?: number };
      expect(usage.downKbps).toBeGreaterThan(1000);
    }, { what: 'a rate of the transfer on vlan101', timeoutMs: 15_000, intervalMs: 500 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await lab?.stop();
  });

  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('shows the measured rate, its source and age, the failing device and why, and maps a queue from "Uji perangkat"', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${portal.url}/admin/agencies`);
    await page.getByLabel('Nama pengguna').fill('siti');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Kondisi bandwidth saat ini' }).waitFor();
    await page.goto(`${portal.url}/admin/agencies`);

    const dinkes = page.locator('#agency-dinkes');
    await dinkes.getByText(/^SNMP core-router · ifName vlan101 \(ifIndex \d+\)$/).waitFor();
    await dinkes.getByText('SNMP core-router · interface vlan101').waitFor();
    expect(await dinkes.locator('td[data-label="Pemakaian terukur"]').innerText()).toMatch(/^[1-9]\d*,\d \/ \d+,\d Mbps$/);
    const disdik = page.locator('#agency-disdik');
    await disdik.getByText('router-disdik: Perangkat tidak menjawab', { exact: false }).waitFor();
    await page.locator('#device-router-disdik').getByText('Perangkat tidak menjawab', { exact: false }).waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-agencies-snmp-phone.png'), fullPage: true });

    await page.locator('#device-core-router').getByRole('button', { name: 'Uji perangkat core-router' }).click();
    await page.getByRole('heading', { name: 'Uji perangkat core-router' }).waitFor();
    await page.getByText(/Perangkat menjawab: \d+ interface dan 3 simple queue\./).waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-snmp-test-phone.png'), fullPage: true });
    await page.getByLabel('Instansi untuk queue disdik').selectOption('disdik');
    await page.getByRole('button', { name: 'Pakai queue disdik untuk instansi' }).click();
    await page.getByText('Dinas Pendidikan kini diukur dari queue disdik di core-router.', { exact: false }).waitFor();
    await page.locator('#agency-disdik').getByText('SNMP core-router · queue disdik').waitFor();

    await page.goto(`${portal.url}/admin/snmp-devices/core-router`);
    await page.getByRole('heading', { name: 'Perintah RouterOS' }).waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'admin-snmp-device-phone.png'), fullPage: true });
    await context.close();
  });
});
