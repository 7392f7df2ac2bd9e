import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { createOperator, type Actor } from '../../src/admin/operators';
import { parseSite } from '../../src/config/site';
import { redisNowMs } from '../../src/redis/time';
import { DAY_BYTES, readUsageSamples, recordUsageSamples, wibDayStartMs, type UsageSample } from '../../src/telemetry/usage-history';
import { wibDay } from '../../src/time';
import { startHarness, type Harness } from '../support/harness';
import { testSite } from '../support/site';

const MINUTE = 60_000;
const DAY = 86_400_000;
const PASSWORD = 'taman-kota-sampit-2026';
const ROOT: Actor = { kind: 'operator', name: 'root', role: 'admin', scope: { kecamatan: [], hotspots: [] } };
/** Offices open 08.00–16.00 every day, so that the figures do not depend on the weekday the test runs on. */
const EVERY_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['08:00', '16:00']]));
const wibHour = (t: number) => new Date(t + 7 * 3600_000).getUTCHours();
const office = (t: number) => wibHour(t) >= 8 && wibHour(t) < 16;

/**
 * Per-minute usage stored in the real redis-server and read back as the right-sizing report, through the admin API
 * (JSON and CSV) and the console page. The test site's agencies: Dinas Kesehatan commits 20 Mbps, Dinas Pendidikan 30.
 */
describe('the right-sizing report from stored per-minute usage', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  let viewerKey = '';
  let recorded: UsageSample[] = [];

  beforeAll(async () => {
    const site = testSite();
    h = await startHarness(parseSite({ ...site, officeHours: EVERY_DAY, reporting: { ...site.reporting, usageHistoryDays: 35 } }));
    keys = h.services.keys;
    viewerKey = await createAdminApiKey(h.redis, keys, ROOT, { name: 'bupati-dashboard', role: 'viewer', scope: { kecamatan: [], hotspots: [] } });
    await createOperator(h.redis, keys, { username: 'budi', name: 'Budi', role: 'viewer', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
    // The last three days, minute by minute, sent as a collector would: batches of 500 measurements.
    //  - dinkes: 8 Mbps in office hours, 12 Mbps in the last 6 minutes of each hour (10%); 2 Mbps outside; up 1 Mbps.
    //  - disdik: 9 Mbps in office hours, 25 Mbps at 10.54–10.59 (1.25% of office minutes, 10% of the 10 o'clock hour);
    //    3 Mbps outside; up 1.5 Mbps.
    const end = Math.floor((await redisNowMs(h.redis)) / MINUTE) * MINUTE;
    for (let t = end - 3 * DAY; t < end; t += MINUTE) {
      const m = new Date(t).getUTCMinutes();
      recorded.push({ agencyId: 'dinkes', atMs: t + 17_000, downKbps: office(t) ? (m >= 54 ? 12_000 : 8_000) : 2_000, upKbps: 1_000 });
      recorded.push({ agencyId: 'disdik', atMs: t + 42_000, downKbps: office(t) ? (wibHour(t) === 10 && m >= 54 ? 25_000 : 9_000) : 3_000, upKbps: 1_500 });
    }
    for (let i = 0; i < recorded.length; i += 500) await recordUsageSamples(h.redis, keys, recorded.slice(i, i + 500), 35);
  });
  afterAll(async () => {
    await h.close();
  });
  const api = () => request(h.services.app);
  const asViewer = () => ({ Authorization: `Bearer ${viewerKey}` });

  it('keeps one string per agency per WIB day, 8 bytes a minute, expiring the retention after the day ends', async () => {
    const yesterday = wibDay(recorded[recorded.length - 1]!.atMs) - 1;
    const key = keys.agencyMinutes('dinkes', yesterday);
    expect(await h.redis.strlen(key)).toBe(DAY_BYTES);
    expect(await h.redis.pexpiretime(key)).toBe(wibDayStartMs(yesterday + 1) + 35 * DAY);
    // 09.00 WIB yesterday is minute 540, stored the day's last minute first: at byte (1439 − 540) × 8, 8000 + 1 down
    // and 1000 + 1 up, big-endian.
    const slot = await h.redis.getrangeBuffer(key, 899 * 8, 899 * 8 + 7);
    expect([slot.readUInt32BE(0), slot.readUInt32BE(4)]).toEqual([8_001, 1_001]);
    const dinkes = await readUsageSamples(h.redis, keys, 'dinkes', 0, Date.now() + DAY);
    expect(dinkes).toHaveLength(3 * 1440);
    expect(dinkes[0]).toEqual({ atMs: recorded[0]!.atMs - 17_000, downKbps: recorded[0]!.downKbps, upKbps: 1_000 });
  });

  it("keeps the minute's last measurement, skips readings that are not numbers, and stores nothing past the retention", async () => {
    const nowMs = await redisNowMs(h.redis);
    const minute = Math.floor((nowMs - 10 * DAY) / MINUTE) * MINUTE;
    await recordUsageSamples(h.redis, keys, [
      { agencyId: 'probe', atMs: minute + 50_000, downKbps: 3_000, upKbps: 30 },
      { agencyId: 'probe', atMs: minute + 10_000, downKbps: 1_000, upKbps: 10 },
      { agencyId: 'probe', atMs: minute + MINUTE, downKbps: Number.NaN, upKbps: 5 },
      { agencyId: 'probe', atMs: minute + 2 * MINUTE, downKbps: 1_234.6, upKbps: 0 },
    ]);
    expect(await readUsageSamples(h.redis, keys, 'probe', minute, minute + 3 * MINUTE)).toEqual([
      { atMs: minute, downKbps: 3_000, upKbps: 30 },
      { atMs: minute + 2 * MINUTE, downKbps: 1_235, upKbps: 0 },
    ]);
    // A later batch writes over the minute, whatever the measurement's second.
    await recordUsageSamples(h.redis, keys, [{ agencyId: 'probe', atMs: minute + 5_000, downKbps: 7_000, upKbps: 70 }]);
    expect((await readUsageSamples(h.redis, keys, 'probe', minute, minute + MINUTE))[0]).toEqual({ atMs: minute, downKbps: 7_000, upKbps: 70 });
    // Without the retention given, the site's (35 days) is read from Redis: a day 40 days old is gone at once.
    const old = nowMs - 40 * DAY;
    await recordUsageSamples(h.redis, keys, [{ agencyId: 'probe', atMs: old, downKbps: 1, upKbps: 1 }]);
    expect(await h.redis.exists(keys.agencyMinutes('probe', wibDay(old)))).toBe(0);
    await recordUsageSamples(h.redis, keys, []);
  });

  it('answers the report as JSON to a viewer, with the figures of the pattern', async () => {
    const r = await api().get('/api/v1/reports/right-sizing?days=7').set(asViewer()).expect(200);
    const report = r.body;
    expect([report.days, report.requestedDays, report.retentionDays, report.marginPercent]).toEqual([7, 7, 35, 20]);
    // Rp2.2 billion a year / 12 / 100 Mbps of uplink.
    expect(report.pricePerMbpsMonthIdr).toBe(1_833_333);
    expect(report.toMs - report.fromMs).toBe(7 * DAY);
    expect(report.from).toBe(new Date(report.fromMs).toISOString());
    const [dinkes, disdik] = report.agencies;
    expect(dinkes).toMatchObject({
      id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20_000, samples: 3 * 1440, coverage: 3 / 7,
      officeHours: { samples: 3 * 480, down: { p50Kbps: 8_000, p95Kbps: 12_000, peakKbps: 12_000 }, up: { p50Kbps: 1_000, p95Kbps: 1_000, peakKbps: 1_000 } },
      outsideOfficeHours: { samples: 3 * 960, down: { p50Kbps: 2_000, p95Kbps: 2_000, peakKbps: 2_000 } },
      above80Share: 0, needKbps: 12_000, suggestedKbps: 15_000, reclaimableKbps: 5_000, raiseKbps: 0, noSuggestion: null,
    });
    // 12000 × 1.2 = 14400 → 15 Mbps. Disdik: its office p95 is 9 Mbps (the burst is 1.25%): 10800 → 11 Mbps.
    const bursts = recorded.filter((s) => s.agencyId === 'disdik' && s.downKbps > 24_000).length;
    expect(disdik).toMatchObject({
      committedKbps: 30_000, officeHours: { down: { p50Kbps: 9_000, p95Kbps: 9_000, peakKbps: 25_000 } },
      above80Share: bursts / (3 * 1440), needKbps: 9_000, suggestedKbps: 11_000, reclaimableKbps: 19_000,
    });
    expect(disdik.hourlyP95DownKbps[10]).toBe(25_000);
    // Every hour frees 5 + 19 Mbps, but at 10.00 Disdik uses 25 of its 30: only 5 + 5 there. At Rp1,833,333.33 per Mbps
    // a month, 24 Mbps for an hour a day is Rp1,833,333 a month, and 10 Mbps Rp763,889.
    expect(report.hours.map((x: { gainDownKbps: number }) => x.gainDownKbps)).toEqual(Array.from({ length: 24 }, (_, i) => (i === 10 ? 10_000 : 24_000)));
    expect(report.hours.map((x: { gainUpKbps: number }) => x.gainUpKbps)).toEqual(Array(24).fill(24_000));
    expect(report.hours[10].valueIdrPerMonth).toBe(763_889);
    expect(report.hours[11].valueIdrPerMonth).toBe(1_833_333);
    expect(report.totals).toMatchObject({ reclaimableKbps: 24_000, raiseKbps: 0, agenciesWithSuggestion: 2, valueIdrPerMonth: 23 * 1_833_333 + 763_889 });
    expect(report.totals.averageGainDownKbps).toBeCloseTo((23 * 24_000 + 10_000) / 24, 9);
  });

  it('answers both CSV tables, cuts a period to the retention, and refuses a period that is not a whole number of days', async () => {
    const agencies = await api().get('/api/v1/reports/right-sizing?days=7&format=csv').set(asViewer()).expect(200);
    expect(agencies.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = agencies.text.trim().split('\r\n').map((l) => l.split(','));
    const column = (name: string) => rows[0]!.indexOf(name);
    const dinkes = rows.find((row) => row[0] === 'dinkes')!;
    expect([dinkes[column('committed_kbps')], dinkes[column('office_down_p95_kbps')], dinkes[column('suggested_kbps')], dinkes[column('reclaimable_kbps')]]).toEqual(['20000', '12000', '15000', '5000']);
    const hours = await api().get('/api/v1/reports/right-sizing?days=7&format=csv&part=hours').set(asViewer()).expect(200);
    expect(hours.text.split('\r\n').slice(0, 2)).toEqual(['hour_wib,gain_down_kbps,gain_up_kbps,value_idr_per_month', '00:00,24000,24000,1833333']);
    expect(hours.text).toContain('\r\n10:00,10000,24000,763889\r\n');

    const cut = (await api().get('/api/v1/reports/right-sizing?days=60').set(asViewer()).expect(200)).body;
    expect([cut.days, cut.requestedDays, cut.retentionDays]).toEqual([35, 60, 35]);
    const bad = await api().get('/api/v1/reports/right-sizing?days=0').set(asViewer()).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID', details: [{ path: 'days', message: expect.any(String) }] });
    await api().get('/api/v1/reports/right-sizing').expect(401);
    const doc = (await api().get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.paths['/reports/right-sizing'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['days', 'format', 'part']);
  });

  it('shows a viewer the printable console page in Indonesian and English, linked from the reports and agencies pages', async () => {
    const login = await api().post('/admin/login').type('form').send({ username: 'budi', password: PASSWORD }).expect(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const from of ['/admin/reports', '/admin/agencies']) {
      expect((await api().get(from).set('Cookie', cookie).expect(200)).text).toContain('<a href="/admin/reports/right-sizing">Penyesuaian komitmen instansi');
    }
    const page = await api().get('/admin/reports/right-sizing?days=7').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('<h1>Penyesuaian komitmen instansi</h1>');
    expect(page.text).toMatch(/<link rel="stylesheet" href="\/static\/right-sizing\.css\?v=\w+">/);
    expect(page.text).toContain('<option value="7" selected>7 hari terakhir</option>');
    const dinkesRow = /<tr id="agency-dinkes">[\s\S]*?<\/tr>/.exec(page.text)![0];
    expect(dinkesRow).toContain('<strong>15,0</strong>');
    expect(dinkesRow).toContain('turun 5');
    expect(page.text).toContain('Rp42.930.548');
    expect(page.text).toContain('<svg');
    expect(page.text.match(/<rect [^>]*fill="#0b5d3b"/g)).toHaveLength(24);
    const css = await api().get('/static/right-sizing.css').expect(200);
    expect(css.text).toContain('@media print');

    const english = await api().get('/admin/reports/right-sizing?days=7&lang=en').set('Cookie', cookie).expect(200);
    expect(english.text).toContain('<h1>Right-sizing agency commitments</h1>');
    expect(english.text).toContain('down 5');
    expect(english.text).toContain('Rp42,930,548');

    const csv = await api().get('/admin/reports/right-sizing?days=7&format=csv&part=hours').set('Cookie', cookie).expect(200);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="limpah-right-sizing-hours-\d{4}-\d{2}-\d{2}-7d\.csv"$/);
    expect(csv.text).toContain('10:00,10000,24000,763889');
    // A period the page cannot show falls back to 30 days.
    expect((await api().get('/admin/reports/right-sizing?days=abc').set('Cookie', cookie).expect(200)).text).toContain('<option value="30" selected>');
  });
});
