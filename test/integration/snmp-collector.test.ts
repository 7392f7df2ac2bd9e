import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import type { Actor } from '../../src/admin/operators';
import type { RightSizingReport } from '../../src/admin/right-sizing';
import { parseSite, type Site } from '../../src/config/site';
import { computeCapacity } from '../../src/pool/capacity';
import { readAgencyUsage } from '../../src/pool/capacity-refresh';
import { readSnmpStatus } from '../../src/telemetry/snmp/collector';
import { readUsageSamples } from '../../src/telemetry/usage-history';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { startSnmpd, type SnmpdLab } from '../support/snmpd';

/**
 * The SNMP collector against a real Debian snmpd (test/support/snmpd.ts): an agency measured by a MikroTik simple
 * queue (the stand-in table, real tc counters) over SNMP v2c, another by an interface over SNMP v3 authPriv, a third
 * not measured. Traffic crosses a real veth; the figures are what Limpah stored, compared with what moved.
 */

const INTERVAL_S = 5;
const PUSH_KEY = 'lmp_test_push_snmp_0123456789abcdef';
const ROOT: Actor = { kind: 'operator', name: 'root', role: 'admin', scope: { kecamatan: [], hotspots: [] } };
const STALE_S = 30;

function site(lab: SnmpdLab): Site {
  return parseSite({
    name: 'SNMP test',
    outsideOfficeFraction: 1,
    uplink: { capacityKbps: 100_000, headroomKbps: 10_000 },
    telemetry: {
      apiKeys: [{ name: 'dinkes-router', key: PUSH_KEY, agencies: ['dinkes'] }],
      staleAfterSeconds: STALE_S,
      safetyMarginPercent: 20,
      snmp: {
        devices: [
          { id: 'core', host: lab.host, port: lab.port, version: '2c', community: lab.community, intervalSeconds: INTERVAL_S, timeoutMs: 1000, retries: 0 },
          { id: 'core-v3', host: lab.host, port: lab.port, version: '3', user: lab.v3.user, authProtocol: 'sha256', authKey: lab.v3.authKey, privKey: lab.v3.privKey, intervalSeconds: INTERVAL_S, timeoutMs: 1000, retries: 0 },
          { id: 'wrong-key', host: lab.host, port: lab.port, version: '3', user: lab.v3.user, authProtocol: 'sha256', authKey: 'not-the-right-key', privKey: lab.v3.privKey, intervalSeconds: INTERVAL_S, timeoutMs: 1000, retries: 0 },
        ],
      },
    },
    agencies: [
      // The queue faces the agency: what leaves it (receive(), the router's BytesOut) is the agency's download.
      { id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20_000, measure: { device: 'core', queue: 'dinkes' } },
      // Counted on the router's side of the link: what comes in (send()) is this agency's download.
      { id: 'disdik', name: 'Dinas Pendidikan', committedKbps: 30_000, measure: { device: 'core-v3', interface: lab.ifName, download: 'in' } },
      { id: 'bappeda', name: 'Bappeda', committedKbps: 10_000 },
    ],
    hotspots: [],
  });
}

interface Reading {
  readonly atMs: number;
  readonly downKbps: number;
  readonly source: string;
}

describe('SNMP collectors against a real snmpd', () => {
  let lab: SnmpdLab;
  let h: Harness;
  let theSite: Site;

  beforeAll(async () => {
    lab = await startSnmpd({ queues: ['dinkes', 'disdik'] });
    theSite = site(lab);
    h = await startHarness(theSite);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await lab?.stop();
  });

  /** The queue's busiest minute in the first test, for the right-sizing report at the end. */
  let busiestMinuteMs = 0;

  /** Every distinct measurement stored for an agency while `during` runs, read every 250 ms. */
  async function watch(agencyId: string, during: Promise<unknown>): Promise<Reading[]> {
    const seen = new Map<number, Reading>();
    let done = false;
    void during.finally(() => (done = true));
    while (!done) {
      const u = (await readAgencyUsage(h.redis, h.services.keys)).get(agencyId);
      if (u) seen.set(u.atMs, { atMs: u.atMs, downKbps: u.downKbps, source: u.source?.kind === 'snmp' ? `snmp:${u.source.counter}` : `push:` });
      await new Promise((r) => setTimeout(r, 250));
    }
    await during;
    return [...seen.values()];
  }

  /** Readings whose whole poll interval lay inside the transfer [startMs, endMs]. */
  const inside = (readings: Reading[], startMs: number, endMs: number) =>
    readings.filter((r) => r.atMs - INTERVAL_S * 1000 >= startMs + 500 && r.atMs <= endMs - 250);

  it('measures a queue over v2c and an interface over v3 within ±10% of what moved, and capacity follows', async () => {
    // One transfer at a time: the interface counts everything on the link (another flow's ACKs included).
    // What moved is what the kernel counted on the link (headers included, as a router's counters are), over the
    // transfer; the payload rate is printed beside it.
    const ifaceStart = Date.now();
    const linkBefore = lab.linkBytes();
    const iface = lab.send(1_000 * 1000 * 16 / 8, 1_000, 'interface'); // 16 s at 1000 kbps
    const disdik = await watch('disdik', iface);
    const i = await iface;
    const linkAfter = lab.linkBytes();
    const ifaceEnd = Date.now();
    const ifaceKbps = ((linkAfter.toAgent - linkBefore.toAgent) * 8) / i.ms;
    const startMs = Date.now();
    const queue = lab.receive(2_000 * 1000 * 16 / 8, 2_000, 'dinkes'); // 16 s at 2000 kbps
    const dinkes = await watch('dinkes', queue);
    const endMs = Date.now();
    const q = await queue;
    // The queue stand-in counts IP packets as tc does; its payload rate and the link's differ by the headers only.
    const queueKbps = (q.bytes * 8) / q.ms;

    const dinkesInside = inside(dinkes, startMs, endMs);
    const disdikInside = inside(disdik, ifaceStart, ifaceEnd);
    // The figures for the closing note.
    console.log(`[snmp] queue: payload ${queueKbps.toFixed(0)} kbps, measured ${dinkesInside.map((r) => r.downKbps).join(', ')}; interface: on the link ${ifaceKbps.toFixed(0)} kbps (payload ${((i.bytes * 8) / i.ms).toFixed(0)}), measured ${disdikInside.map((r) => r.downKbps).join(', ')}`);
    expect(dinkesInside.length).toBeGreaterThanOrEqual(1);
    expect(disdikInside.length).toBeGreaterThanOrEqual(1);
    for (const r of dinkesInside) expect(Math.abs(r.downKbps - queueKbps) / queueKbps).toBeLessThanOrEqual(0.1);
    for (const r of disdikInside) expect(Math.abs(r.downKbps - ifaceKbps) / ifaceKbps).toBeLessThanOrEqual(0.1);
    expect(dinkesInside[0]!.source).toBe('snmp:queue dinkes');
    expect(disdikInside[0]!.source).toMatch(new RegExp(`^snmp:ifName ${lab.ifName} \\(ifIndex \\d+\\)$`));

    // The pool's capacity is what the stored measurements give (uplink − headroom − claims), without any push.
    await eventually(async () => {
      const usage = await readAgencyUsage(h.redis, h.services.keys);
      const nowMs = Date.now();
      const expected = computeCapacity(
        {
          uplinkKbps: 100_000, headroomKbps: 10_000, staleAfterMs: STALE_S * 1000, safetyMarginPercent: 20,
          officeHours: theSite.officeHours, outsideOfficeFraction: 1, usage,
          agencies: theSite.agencies.map((a) => ({ id: a.id, committedKbps: a.committedKbps })),
        },
        nowMs,
      );
      expect(expected.claims.map((c) => c.basis)).toEqual(['measured', 'measured', 'no-data']);
      expect((await h.services.pool.snapshot()).capDownKbps).toBe(expected.downKbps);
    }, { what: 'capacity from the SNMP measurements', timeoutMs: INTERVAL_S * 1000 + 1000 });

    // The per-minute history keeps what was measured, and the right-sizing report (API) shows it: the queue's peak
    // is the transfer's rate. A few minutes are too few for a suggested commitment, and the report says so.
    const minutes = await readUsageSamples(h.redis, h.services.keys, 'dinkes', startMs - 60_000, Date.now() + 60_000);
    const peak = Math.max(...minutes.map((m) => m.downKbps));
    expect(Math.abs(peak - queueKbps) / queueKbps).toBeLessThanOrEqual(0.1);
    busiestMinuteMs = minutes.find((m) => m.downKbps === peak)!.atMs;
  }, 90_000);

  it('claims an agency measured both ways at its newest measurement, and says where it came from', async () => {
    const usage = async () => (await readAgencyUsage(h.redis, h.services.keys)).get('dinkes')!;
    await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${PUSH_KEY}`)
      .send([{ agencyId: 'dinkes', downKbps: 1777, upKbps: 111, at: Date.now() }]).expect(200);
    expect(await usage()).toMatchObject({ downKbps: 1777, source: { kind: 'push', key: 'dinkes-router' } });
    // The next poll is newer: SNMP wins again.
    await eventually(async () => expect((await usage()).source).toMatchObject({ kind: 'snmp', device: 'core', counter: 'queue dinkes' }), {
      what: 'the next SNMP measurement', timeoutMs: INTERVAL_S * 1000 + 2000,
    });
    // A push measured before it does not move the agency back in time.
    await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${PUSH_KEY}`)
      .send([{ agencyId: 'dinkes', downKbps: 1666, upKbps: 1, at: Date.now() - 60_000 }]).expect(200);
    expect((await usage()).source?.kind).toBe('snmp');
  }, 30_000);

  it('says why a device with a wrong v3 key is refused, and counts it on /metrics', async () => {
    await eventually(async () => {
      const status = (await readSnmpStatus(h.redis, h.services.keys)).get('wrong-key');
      expect(status).toMatchObject({ errorCode: 'auth', okAtMs: null });
      expect(status?.error).toMatch(/refused the SNMP v3 authentication: check the authentication key/);
    }, { what: 'the wrong-key status', timeoutMs: INTERVAL_S * 1000 + 2000 });
    const metrics = (await request(h.services.app).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/limpah_snmp_polls_total\{device="wrong-key",result="auth",app="limpah"\} [1-9]/);
    expect(metrics).toMatch(/limpah_agency_measured_kbps\{agency="dinkes",direction="down",source="snmp",app="limpah"\} \d/);
  });

  /**
   * Moves the queue's traffic at 1500 kbps for `seconds` and, `atMs` into it, disturbs the counters; returns the
   * rate moved and the readings whose interval began after the transfer did (a poll interval is at most INTERVAL_S
   * + 1 s of ticks: earlier ones still hold the previous test's traffic), each checked to be no spike: never below 0,
   * never more than what moved.
   */
  async function disturbedTransfer(seconds: number, atMs: number, disturb: () => Promise<void>): Promise<{ kbps: number; startMs: number; during: Reading[] }> {
    const startMs = Date.now();
    const queue = lab.receive(1_500 * 1000 * seconds / 8, 1_500, 'dinkes');
    const disturbed = (async () => {
      await new Promise((r) => setTimeout(r, atMs));
      await disturb();
    })();
    const readings = await watch('dinkes', Promise.all([queue, disturbed]));
    const q = await queue;
    const kbps = (q.bytes * 8) / q.ms;
    const during = readings.filter((r) => r.atMs > startMs + (INTERVAL_S + 1.5) * 1000);
    expect(during.length).toBeGreaterThanOrEqual(2);
    for (const r of during) {
      expect(r.downKbps).toBeGreaterThanOrEqual(0);
      expect(r.downKbps).toBeLessThanOrEqual(kbps * 1.1);
    }
    return { kbps, startMs, during };
  }

  it('gives no spike when the router restarts and its queue counters start from zero', async () => {
    const { kbps, startMs, during } = await disturbedTransfer(26, 7_000, () => lab.restart({ resetQueueCounters: true }));
    // Measuring resumes after the restart: the first poll after it gives no rate, the next one does.
    expect(during.some((r) => r.atMs > startMs + 7_000 + INTERVAL_S * 1000 && Math.abs(r.downKbps - kbps) / kbps <= 0.1)).toBe(true);
  }, 60_000);

  it('gives no rate, and no spike, when a queue is recreated and its counters start from zero while the router runs on', async () => {
    await disturbedTransfer(26, 8_000, () => lab.resetQueueCounters());
    expect((await readSnmpStatus(h.redis, h.services.keys)).get('core')?.errorCode).toBeNull();
  }, 60_000);

  it('turns the agencies of a silent device stale, and the pool falls back to their committed rates', async () => {
    lab.silence();
    try {
      await eventually(async () => {
        const status = await readSnmpStatus(h.redis, h.services.keys);
        expect(status.get('core')).toMatchObject({ errorCode: 'timeout' });
        expect(status.get('core')?.error).toMatch(/no answer from .* within 1000 ms/);
      }, { what: 'the timeout in the status', timeoutMs: INTERVAL_S * 1000 + 3000 });
      // Once the last measurements are older than staleAfterSeconds, every agency is claimed at its commitment.
      await eventually(async () => {
        expect((await h.services.pool.snapshot()).capDownKbps).toBe(100_000 - 10_000 - 20_000 - 30_000 - 10_000);
      }, { what: 'capacity back at the committed rates', timeoutMs: (STALE_S + 2 * INTERVAL_S + 20) * 1000, intervalMs: 1000 });
    } finally {
      lab.resume();
    }
  }, 90_000);

  it('shows the measured traffic in the right-sizing report (API), too few minutes for a suggestion yet', async () => {
    const apiKey = await createAdminApiKey(h.redis, h.services.keys, ROOT, { name: 'bupati-dashboard', role: 'viewer', scope: { kecamatan: [], hotspots: [] } });
    // The report covers whole minutes up to the current one: wait until the queue's busiest minute is one of them.
    const report = await eventually(async () => {
      const r = (await request(h.services.app).get('/api/v1/reports/right-sizing?days=1').set('Authorization', `Bearer ${apiKey}`).expect(200)).body as RightSizingReport;
      expect(r.toMs).toBeGreaterThan(busiestMinuteMs);
      return r;
    }, { what: "the queue's busiest minute in the report", timeoutMs: 65_000, intervalMs: 1000 });
    const row = report.agencies.find((a) => a.id === 'dinkes')!;
    const minutes = await readUsageSamples(h.redis, h.services.keys, 'dinkes', report.fromMs, report.toMs);
    expect(row.samples).toBe(minutes.length);
    // A minute keeps its last measurement (usage-history.ts), so the report's peak is the busiest stored minute: one
    // of this suite's transfers (1500 or 2000 kbps of payload, plus a few percent of headers).
    const peaks = [row.officeHours, row.outsideOfficeHours].flatMap((r) => (r.down ? [r.down.peakKbps] : []));
    expect(Math.max(...peaks)).toBe(Math.max(...minutes.map((m) => m.downKbps)));
    expect(Math.max(...peaks)).toBeGreaterThanOrEqual(1500 * 0.95);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(2000 * 1.1);
    expect(row).toMatchObject({ committedKbps: 20_000, noSuggestion: 'few-samples', suggestedKbps: null });
    expect(report.agencies.find((a) => a.id === 'bappeda')).toMatchObject({ samples: 0 });
  }, 90_000);
});
