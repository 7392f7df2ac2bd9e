import { wibClock, wibDay, WIB_OFFSET_MS } from '../time';
import { hotspotField, type Keys } from '../redis/keys';
import type { RedisClient as Redis } from '../redis/client';
import { refreshCapacity } from '../pool/capacity-refresh';
import { redisNowMs } from '../redis/time';
import { AdminError, listHotspots, type AdminDeps } from './service';
import { mbpsHoursValueIdr, pricePerMbpsMonthIdr } from './value';

/**
 * What the dashboard and the reports show: the pool now, its last hour, day or week (one sample a minute), and per-day
 * totals per hotspot and kecamatan with what the spare capacity delivered.
 */

export interface PoolRow {
  readonly key: string;
  readonly label: string;
  readonly hotspots: number;
  readonly sessions: number;
  readonly maxSessions: number;
  readonly allocDownKbps: number;
  readonly allocUpKbps: number;
}

export interface PoolOverview {
  readonly atMs: number;
  readonly uplinkKbps: number;
  readonly headroomKbps: number;
  readonly claims: ReadonlyArray<{ agencyId: string; downKbps: number; upKbps: number; basis: string }>;
  readonly claimedDownKbps: number;
  readonly publicDownKbps: number;
  readonly publicUpKbps: number;
  readonly overbooking: number;
  readonly allocDownKbps: number;
  readonly allocUpKbps: number;
  readonly sessions: number;
  readonly byKecamatan: PoolRow[];
  readonly byHotspot: PoolRow[];
}

export async function poolOverview(d: AdminDeps): Promise<PoolOverview> {
  const [capacity, site, pool, hotspots, nowMs] = await Promise.all([
    refreshCapacity(d.redis, d.keys),
    d.redis.hgetall(d.keys.site()),
    d.redis.hgetall(d.keys.pool()),
    listHotspots(d),
    redisNowMs(d.redis),
  ]);
  const byHotspot: PoolRow[] = hotspots.map((h) => ({
    key: h.id,
    label: h.name,
    hotspots: 1,
    sessions: h.liveSessions,
    maxSessions: h.quota.maxSessions,
    allocDownKbps: Number(pool[hotspotField(h.id, 'down')] ?? 0),
    allocUpKbps: Number(pool[hotspotField(h.id, 'up')] ?? 0),
  }));
  const kec = new Map<string, PoolRow>();
  hotspots.forEach((h, i) => {
    const row = byHotspot[i]!;
    const k = kec.get(h.kecamatan) ?? { key: h.kecamatan, label: h.kecamatan, hotspots: 0, sessions: 0, maxSessions: 0, allocDownKbps: 0, allocUpKbps: 0 };
    kec.set(h.kecamatan, {
      ...k,
      hotspots: k.hotspots + 1,
      sessions: k.sessions + row.sessions,
      maxSessions: k.maxSessions + row.maxSessions,
      allocDownKbps: k.allocDownKbps + row.allocDownKbps,
      allocUpKbps: k.allocUpKbps + row.allocUpKbps,
    });
  });
  return {
    atMs: nowMs,
    uplinkKbps: Number(site['capacityKbps'] ?? 0),
    headroomKbps: Number(site['headroomKbps'] ?? 0),
    claims: capacity.claims,
    claimedDownKbps: capacity.claims.reduce((a, c) => a + c.downKbps, 0),
    publicDownKbps: capacity.downKbps,
    publicUpKbps: capacity.upKbps,
    overbooking: Number(pool['overbooking'] ?? 1),
    allocDownKbps: Number(pool['allocDownKbps'] ?? 0),
    allocUpKbps: Number(pool['allocUpKbps'] ?? 0),
    sessions: Number(pool['sessions'] ?? 0),
    byKecamatan: [...kec.values()].sort((a, b) => a.label.localeCompare(b.label)),
    byHotspot,
  };
}

export interface PoolSample {
  readonly t: number;
  readonly capDownKbps: number;
  readonly allocDownKbps: number;
  readonly sessions: number;
}

/** The dashboard's chart ranges; the history (pool-sampler.ts) keeps a day more than the longest. */
export const CHART_RANGES = { '1h': 3600_000, '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000 } as const;
export type ChartRange = keyof typeof CHART_RANGES;
/** The most points a chart draws: a week of minutes is averaged down to about one point per quarter hour. */
const CHART_POINTS = 720;

export async function poolHistory(redis: Redis, keys: Keys, hours = 24): Promise<PoolSample[]> {
  const nowMs = await redisNowMs(redis);
  const rows = await redis.zrangebyscore(keys.poolHistory(), nowMs - hours * 3600_000, '+inf');
  return rows.map((r) => JSON.parse(r) as PoolSample);
}

/** When the oldest sample kept was taken, or null before the first: how far back the charts can have data. */
export async function historyStart(redis: Redis, keys: Keys): Promise<number | null> {
  const [first] = await redis.zrange(keys.poolHistory(), 0, 0);
  return first ? (JSON.parse(first) as PoolSample).t : null;
}

/**
 * Samples averaged into at most `points` buckets (capacity and allocation averaged, sessions at their peak, so that a
 * busy quarter hour still shows), for a chart that stays small over a week.
 */
export function downsample(samples: readonly PoolSample[], fromMs: number, toMs: number, points = CHART_POINTS): PoolSample[] {
  // Whole buckets of 1, 2, 5, 10, 15, 30 or 60 minutes: a week becomes quarter hours, a day two minutes.
  const rawMinutes = (toMs - fromMs) / points / 60_000;
  const bucketMs = ([1, 2, 5, 10, 15, 30, 60].find((m) => m >= rawMinutes) ?? Math.ceil(rawMinutes / 60) * 60) * 60_000;
  if (bucketMs === 60_000) return [...samples];
  const buckets = new Map<number, PoolSample[]>();
  for (const s of samples) {
    const b = fromMs + Math.floor((s.t - fromMs) / bucketMs) * bucketMs;
    buckets.set(b, [...(buckets.get(b) ?? []), s]);
  }
  return [...buckets.entries()].sort((x, y) => x[0] - y[0]).map(([, list]) => ({
    t: list[Math.floor(list.length / 2)]!.t,
    capDownKbps: list.reduce((a, s) => a + s.capDownKbps, 0) / list.length,
    allocDownKbps: list.reduce((a, s) => a + s.allocDownKbps, 0) / list.length,
    sessions: Math.max(...list.map((s) => s.sessions)),
  }));
}

// ---------------------------------------------------------------------------------------------------- reports

/** A WIB day number as an ISO date, and back. */
export { wibDay };
export function dayToIso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
export function isoToDay(iso: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const ms = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 86_400_000);
}

export interface ReportRow {
  readonly day: string;
  readonly hotspotId: string;
  readonly hotspotName: string;
  readonly kecamatan: string;
  /** Distinct devices that day at that hotspot (HyperLogLog of keyed MAC hashes: about 1% error). */
  readonly devices: number;
  readonly sessions: number;
  readonly hours: number;
  readonly gb: number;
  readonly mbpsHours: number;
}

export interface DeliveredValue {
  readonly gb: number;
  readonly mbpsHours: number;
  /** Rupiah per Mbps per month used for the value. */
  readonly pricePerMbpsMonthIdr: number;
  readonly valueIdr: number;
}

export interface Report {
  readonly from: string;
  readonly to: string;
  readonly rows: ReportRow[];
  readonly byHotspot: Array<Omit<ReportRow, 'day'>>;
  readonly byKecamatan: Array<Omit<ReportRow, 'day' | 'hotspotId' | 'hotspotName'>>;
  /** Distinct devices over the whole range and every hotspot. */
  readonly uniqueDevices: number;
  readonly delivered: DeliveredValue;
}

export async function buildReport(d: AdminDeps, fromDay: number, toDay: number): Promise<Report> {
  if (toDay < fromDay || toDay - fromDay > 366) throw new AdminError('INVALID', 'from..to: a report covers 1 to 367 days, the start first').says('reportRange');
  const hotspots = await listHotspots(d);
  const site = await d.redis.hgetall(d.keys.site());
  const rows: ReportRow[] = [];
  const deviceKeys: string[] = [];
  // Two round trips for the whole range: every day's totals, then every device count that has data.
  const days = Array.from({ length: toDay - fromDay + 1 }, (_, i) => fromDay + i);
  const totalsPipe = d.redis.pipeline();
  for (const day of days) totalsPipe.hgetall(d.keys.daily(day));
  const totalsByDay = ((await totalsPipe.exec()) ?? []).map(([err, v]) => (err ? {} : (v as Record<string, string>)));
  const pending: Array<Omit<ReportRow, 'devices'> & { key: string }> = [];
  days.forEach((day, i) => {
    const totals = totalsByDay[i] ?? {};
    for (const h of hotspots) {
      const sessions = Number(totals[hotspotField(h.id, 'sessions')] ?? 0);
      const sec = Number(totals[hotspotField(h.id, 'sec')] ?? 0);
      const bytes = Number(totals[hotspotField(h.id, 'bytes')] ?? 0);
      if (!sessions && !sec && !bytes) continue;
      pending.push({
        key: d.keys.dailyDevices(day, h.id),
        day: dayToIso(day),
        hotspotId: h.id,
        hotspotName: h.name,
        kecamatan: h.kecamatan,
        sessions,
        hours: sec / 3600,
        gb: bytes / 1e9,
        mbpsHours: Number(totals[hotspotField(h.id, 'kbpsSec')] ?? 0) / 1000 / 3600,
      });
    }
  });
  const countPipe = d.redis.pipeline();
  for (const p of pending) countPipe.pfcount(p.key);
  const counts = pending.length ? ((await countPipe.exec()) ?? []).map(([err, v]) => (err ? 0 : Number(v))) : [];
  pending.forEach(({ key, ...row }, i) => {
    deviceKeys.push(key);
    rows.push({ ...row, devices: counts[i] ?? 0 });
  });
  const sum = <K extends 'devices' | 'sessions' | 'hours' | 'gb' | 'mbpsHours'>(list: ReportRow[], k: K) => list.reduce((a, r) => a + r[k], 0);
  const group = (by: (r: ReportRow) => string) => {
    const m = new Map<string, ReportRow[]>();
    for (const r of rows) m.set(by(r), [...(m.get(by(r)) ?? []), r]);
    return m;
  };
  const byHotspot = [...group((r) => r.hotspotId).values()].map((list) => ({
    hotspotId: list[0]!.hotspotId, hotspotName: list[0]!.hotspotName, kecamatan: list[0]!.kecamatan,
    devices: sum(list, 'devices'), sessions: sum(list, 'sessions'), hours: sum(list, 'hours'), gb: sum(list, 'gb'), mbpsHours: sum(list, 'mbpsHours'),
  }));
  const byKecamatan = [...group((r) => r.kecamatan).values()].map((list) => ({
    kecamatan: list[0]!.kecamatan,
    devices: sum(list, 'devices'), sessions: sum(list, 'sessions'), hours: sum(list, 'hours'), gb: sum(list, 'gb'), mbpsHours: sum(list, 'mbpsHours'),
  }));
  const price = pricePerMbpsMonthIdr(site);
  const mbpsHours = sum(rows, 'mbpsHours');
  return {
    from: dayToIso(fromDay),
    to: dayToIso(toDay),
    rows,
    byHotspot,
    byKecamatan,
    uniqueDevices: deviceKeys.length ? await d.redis.pfcount(...(deviceKeys as [string, ...string[]])) : 0,
    delivered: { gb: sum(rows, 'gb'), mbpsHours, pricePerMbpsMonthIdr: Math.round(price), valueIdr: Math.round(mbpsHoursValueIdr(mbpsHours, price)) },
  };
}

/** A report's rows as CSV, one per day and hotspot. */
export function reportCsv(report: Report): string {
  return toCsv(
    ['date', 'hotspot_id', 'hotspot', 'kecamatan', 'unique_devices', 'sessions', 'hours', 'gb', 'mbps_hours'],
    report.rows.map((r) => [r.day, r.hotspotId, r.hotspotName, r.kecamatan, r.devices, r.sessions, r.hours, r.gb, r.mbpsHours]),
  );
}

/** The WIB date and time of an instant, "2026-11-28 22:37". */
export function wib(ms: number): string {
  return wibClock(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** CSV with a header row; fields quoted where they need it. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (v: string | number) => {
    const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v;
    // A leading =, +, - or @ would be a formula in a spreadsheet: quoted with a leading apostrophe.
    const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------- charts

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A readable step (1, 2, 2.5 or 5 times a power of ten) of at least `raw`; a whole number when `integer`. */
function niceStep(raw: number, integer: boolean): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const step = m * p;
    if (step >= raw * (1 - 1e-9) && (!integer || Number.isInteger(step))) return step;
  }
  return 10 * p;
}

/** The value axis: its top and the step between its grid lines (at most about five lines; whole numbers for counts). */
export function valueScale(max: number, integer = false): { top: number; step: number } {
  if (integer && max <= 4) return { top: Math.max(1, Math.ceil(max)), step: 1 };
  const step = niceStep(Math.max(max, integer ? 4 : 1) / 4, integer);
  return { top: Math.ceil(max / step - 1e-9) * step || step, step };
}


/**
 * A line chart as SVG, drawn on the server: no chart library to load over a slow link, no script, and it prints.
 * Presentation attributes only (no style attributes), so the strict CSP allows it. It is 960 units wide with 14-unit
 * text and the console shows one chart per row, so on a 1366 px laptop its text is as large as the page's. Times are
 * WIB: every 10 minutes over an hour, every 3 hours over a day, each day over a week. The part of the range before
 * the first sample is shaded and says so, so that a fresh install does not look like an empty pool.
 */
export function lineChart(options: {
  title: string;
  series: ReadonlyArray<{ label: string; color: string; points: ReadonlyArray<readonly [number, number]> }>;
  fromMs: number;
  toMs: number;
  unit: string;
  /** Counts (sessions): whole numbers on the value axis. */
  integer?: boolean;
  lang?: 'id' | 'en';
  /** What the shaded part before the first sample says. */
  noDataLabel?: string;
  width?: number;
  height?: number;
}): string {
  const W = options.width ?? 960;
  const H = options.height ?? 260;
  const left = 64;
  const right = 16;
  const top = 40;
  const bottom = 36;
  const lang = options.lang ?? 'id';
  const locale = lang === 'id' ? 'id-ID' : 'en-GB';
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const max = Math.max(0, ...options.series.flatMap((s) => s.points.map((p) => p[1])));
  const scale = valueScale(max, options.integer ?? false);
  const span = Math.max(1, options.toMs - options.fromMs);
  const x = (t: number) => left + ((t - options.fromMs) / span) * (W - left - right);
  const y = (v: number) => top + (1 - v / scale.top) * (H - top - bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title)}" class="chart">`);
  parts.push(`<title>${esc(options.title)}</title>`);
  // Before the first sample: shaded, and labelled (between two grid lines) when there is room.
  const firstT = Math.min(options.toMs, ...options.series.flatMap((s) => (s.points[0] ? [s.points[0][0]] : [])));
  let noData = '';
  if (firstT - options.fromMs > Math.max(120_000, span * 0.02)) {
    const x0 = x(options.fromMs);
    const x1 = x(Math.min(firstT, options.toMs));
    parts.push(`<rect x="${x0.toFixed(1)}" y="${top}" width="${(x1 - x0).toFixed(1)}" height="${H - top - bottom}" fill="#e9edeb"/>`);
    if (options.noDataLabel && x1 - x0 > options.noDataLabel.length * 8 + 16) {
      noData = `<text x="${((x0 + x1) / 2).toFixed(1)}" y="${(top + (H - top - bottom) * 0.375 + 5).toFixed(1)}" text-anchor="middle" font-size="14" fill="#4a5650">${esc(options.noDataLabel)}</text>`;
    }
  }
  for (let v = 0; v <= scale.top + scale.step / 2; v += scale.step) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d5dbd8" stroke-width="1"/>`);
    parts.push(`<text x="${left - 8}" y="${(y(v) + 5).toFixed(1)}" text-anchor="end" font-size="14" fill="#3d4a44">${esc(number.format(v))}</text>`);
  }
  if (noData) parts.push(noData);
  const tickMs = span <= 2 * 3600_000 ? 10 * 60_000 : span <= 36 * 3600_000 ? 3 * 3600_000 : 24 * 3600_000;
  const tickLabel = new Intl.DateTimeFormat(locale, tickMs < 24 * 3600_000
    ? { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { timeZone: 'Asia/Jakarta', weekday: 'short', day: 'numeric', month: 'short' });
  const firstTick = Math.ceil((options.fromMs + WIB_OFFSET_MS) / tickMs) * tickMs - WIB_OFFSET_MS;
  for (let t = firstTick; t <= options.toMs; t += tickMs) {
    const label = tickLabel.format(t);
    const tx = x(t);
    // A label that would run past either end of the axis is left out rather than clipped.
    if (tx - label.length * 4 < left - 8 || tx + label.length * 4 > W) continue;
    parts.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${H - bottom}" y2="${H - bottom + 5}" stroke="#7a8680" stroke-width="1"/>`);
    parts.push(`<text x="${tx.toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="14" fill="#3d4a44">${esc(label)}</text>`);
  }
  parts.push(`<text x="${left}" y="20" font-size="16" font-weight="700" fill="#1a1a1a">${esc(options.title)}${options.unit ? ` (${esc(options.unit)})` : ''}</text>`);
  let legendX = W - right;
  for (const s of [...options.series].reverse()) {
    legendX -= 8 + s.label.length * 8;
    parts.push(`<rect x="${legendX.toFixed(0)}" y="8" width="12" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${(legendX + 17).toFixed(0)}" y="19" font-size="14" fill="#1a1a1a">${esc(s.label)}</text>`);
    legendX -= 20;
  }
  for (const s of options.series) {
    if (s.points.length === 0) continue;
    if (s.points.length === 1) {
      parts.push(`<circle cx="${x(s.points[0]![0]).toFixed(1)}" cy="${y(s.points[0]![1]).toFixed(1)}" r="4" fill="${s.color}"/>`);
      continue;
    }
    const path = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
