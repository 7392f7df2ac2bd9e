import type { Logger } from '../log';
import type { Keys } from '../pool/keys';
import type { RedisClient as Redis } from '../redis/client';
import { refreshCapacity } from '../telemetry/capacity-refresh';
import { redisNowMs } from '../redis/time';
import { AdminError, listHotspots, type AdminDeps } from './service';

/**
 * What the dashboard and the reports show: the pool now, its last 24 hours (one sample a minute), and per-day
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
    allocDownKbps: Number(pool[`h:${h.id}:down`] ?? 0),
    allocUpKbps: Number(pool[`h:${h.id}:up`] ?? 0),
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

const HISTORY_KEEP_MS = 48 * 3600_000;

/** Takes this minute's sample, once across every Limpah process (the first to claim the minute writes it). */
export async function samplePool(redis: Redis, keys: Keys): Promise<boolean> {
  const nowMs = await redisNowMs(redis);
  const minute = Math.floor(nowMs / 60_000) * 60_000;
  const claimed = await redis.set(`${keys.poolHistory()}:taken:${minute}`, '1', 'PX', 120_000, 'NX');
  if (!claimed) return false;
  const p = await redis.hmget(keys.pool(), 'capDownKbps', 'allocDownKbps', 'sessions', 'overbooking');
  const sample: PoolSample = {
    t: minute,
    capDownKbps: Math.round(Number(p[0] ?? 0) * Number(p[3] ?? 1)),
    allocDownKbps: Number(p[1] ?? 0),
    sessions: Number(p[2] ?? 0),
  };
  await redis.multi().zadd(keys.poolHistory(), minute, JSON.stringify(sample)).zremrangebyscore(keys.poolHistory(), '-inf', minute - HISTORY_KEEP_MS).exec();
  return true;
}

export function startPoolSampler(redis: Redis, keys: Keys, logger: Logger, intervalMs = 60_000): () => void {
  const run = () => samplePool(redis, keys).catch((err: unknown) => logger.debug({ err }, 'pool sample skipped'));
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function poolHistory(redis: Redis, keys: Keys, hours = 24): Promise<PoolSample[]> {
  const nowMs = await redisNowMs(redis);
  const rows = await redis.zrangebyscore(keys.poolHistory(), nowMs - hours * 3600_000, '+inf');
  return rows.map((r) => JSON.parse(r) as PoolSample);
}

// ---------------------------------------------------------------------------------------------------- reports

/** The WIB day number of an instant, and back. */
export function wibDay(ms: number): number {
  return Math.floor((ms / 1000 + 25200) / 86400);
}
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

/** A month of 730 hours, as telecom prices count it. */
const HOURS_PER_MONTH = 730;

export async function buildReport(d: AdminDeps, fromDay: number, toDay: number): Promise<Report> {
  if (toDay < fromDay || toDay - fromDay > 366) throw new AdminError('INVALID', 'from..to: a report covers 1 to 367 days, the start first');
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
      const sessions = Number(totals[`h:${h.id}:sessions`] ?? 0);
      const sec = Number(totals[`h:${h.id}:sec`] ?? 0);
      const bytes = Number(totals[`h:${h.id}:bytes`] ?? 0);
      if (!sessions && !sec && !bytes) continue;
      pending.push({
        key: `${d.keys.dailyDevicesPrefix()}${day}:${h.id}`,
        day: dayToIso(day),
        hotspotId: h.id,
        hotspotName: h.name,
        kecamatan: h.kecamatan,
        sessions,
        hours: sec / 3600,
        gb: bytes / 1e9,
        mbpsHours: Number(totals[`h:${h.id}:kbpsSec`] ?? 0) / 1000 / 3600,
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
  const uplinkMbps = Math.max(1, Number(site['capacityKbps'] ?? 0) / 1000);
  const price = Number(site['pricePerMbpsMonthIdr'] ?? 0) || Number(site['contractIdrPerYear'] ?? 2_200_000_000) / 12 / uplinkMbps;
  const mbpsHours = sum(rows, 'mbpsHours');
  return {
    from: dayToIso(fromDay),
    to: dayToIso(toDay),
    rows,
    byHotspot,
    byKecamatan,
    uniqueDevices: deviceKeys.length ? await d.redis.pfcount(...(deviceKeys as [string, ...string[]])) : 0,
    delivered: { gb: sum(rows, 'gb'), mbpsHours, pricePerMbpsMonthIdr: Math.round(price), valueIdr: Math.round((mbpsHours / HOURS_PER_MONTH) * price) },
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
  return new Date(ms + 7 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
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

/**
 * A line chart as SVG, drawn on the server: no chart library to load over a slow link, no script, and it prints.
 * Presentation attributes only (no style attributes), so the strict CSP allows it.
 */
export function lineChart(options: {
  title: string;
  series: ReadonlyArray<{ label: string; color: string; points: ReadonlyArray<readonly [number, number]> }>;
  fromMs: number;
  toMs: number;
  unit: string;
  width?: number;
  height?: number;
}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 220;
  const left = 56;
  const right = 12;
  const top = 28;
  const bottom = 28;
  const max = Math.max(1, ...options.series.flatMap((s) => s.points.map((p) => p[1])));
  const niceMax = (() => {
    const p = 10 ** Math.floor(Math.log10(max));
    return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= max) ?? max;
  })();
  const x = (t: number) => left + ((t - options.fromMs) / Math.max(1, options.toMs - options.fromMs)) * (W - left - right);
  const y = (v: number) => top + (1 - v / niceMax) * (H - top - bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title)}" class="chart">`);
  parts.push(`<title>${esc(options.title)}</title>`);
  for (let i = 0; i <= 4; i++) {
    const v = (niceMax * i) / 4;
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d5dbd8" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3d4a44">${esc(formatNumber(v))}</text>`);
  }
  // Hour ticks every 6 hours, in WIB.
  const firstTick = Math.ceil((options.fromMs + 7 * 3600_000) / (6 * 3600_000)) * 6 * 3600_000 - 7 * 3600_000;
  for (let t = firstTick; t <= options.toMs; t += 6 * 3600_000) {
    const hh = new Date(t + 7 * 3600_000).toISOString().slice(11, 16);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#3d4a44">${hh}</text>`);
  }
  parts.push(`<text x="${left}" y="16" font-size="12" font-weight="700" fill="#1a1a1a">${esc(options.title)} (${esc(options.unit)})</text>`);
  let legendX = W - right;
  for (const s of [...options.series].reverse()) {
    legendX -= 8 + s.label.length * 6.5;
    parts.push(`<rect x="${legendX.toFixed(0)}" y="7" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${(legendX + 14).toFixed(0)}" y="16" font-size="11" fill="#1a1a1a">${esc(s.label)}</text>`);
    legendX -= 14;
  }
  for (const s of options.series) {
    if (s.points.length === 0) continue;
    if (s.points.length === 1) {
      parts.push(`<circle cx="${x(s.points[0]![0]).toFixed(1)}" cy="${y(s.points[0]![1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
      continue;
    }
    const path = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
  }
  if (options.series.every((s) => s.points.length === 0)) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13" fill="#3d4a44">—</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export function formatNumber(v: number): string {
  if (v >= 1_000_000) return `${(v / 1_000_000).toFixed(v % 1_000_000 ? 1 : 0)}M`;
  if (v >= 1000) return `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k`;
  return String(Math.round(v * 10) / 10);
}
