import { DEFAULT_OFFICE_HOURS, type OfficeHours } from '../../config/site';
import { redisNowMs } from '../../redis/time';
import { readUsageSamples, usageHistoryDays } from '../../telemetry/usage-history';
import { assembleReport, summarizeAgency, type AgencyRightSizing, type RightSizingAgency, type RightSizingReport, type RightSizingSettings } from '../right-sizing';
import { pricePerMbpsMonthIdr } from '../value';
import type { StoreDeps } from './deps';

/**
 * The right-sizing report read from Redis: the site's office hours, margin and price, the agencies, and each agency's
 * stored minutes (src/telemetry/usage-history.ts), computed by src/admin/right-sizing.ts. A report, so anyone signed
 * in reads it, a viewer too (as /admin/reports and GET /api/v1/reports).
 */

export const RIGHT_SIZING_DEFAULT_DAYS = 30;
/** Agencies whose minutes are read at once: a 30-day period is about 43,000 minutes each. */
const READ_CONCURRENCY = 4;

export interface RightSizingResult extends RightSizingReport {
  /** How long the history is kept (reporting.usageHistoryDays): the longest period there is. */
  readonly retentionDays: number;
  /** The period asked for, when the retention made it shorter. */
  readonly requestedDays: number;
}

/**
 * The report for the `days` (whole, default 30) up to the current minute, Redis time; a period longer than the
 * history is kept is cut to it (requestedDays says what was asked).
 */
export async function rightSizingReport(d: StoreDeps, days: number = RIGHT_SIZING_DEFAULT_DAYS): Promise<RightSizingResult> {
  const [site, agencyRecords, retentionDays, nowMs] = await Promise.all([
    d.redis.hgetall(d.keys.site()),
    d.redis.hgetall(d.keys.agencies()),
    usageHistoryDays(d.redis, d.keys),
    redisNowMs(d.redis),
  ]);
  const requestedDays = Number.isInteger(days) && days >= 1 ? days : RIGHT_SIZING_DEFAULT_DAYS;
  const periodDays = Math.min(requestedDays, retentionDays);
  // Whole minutes, the current one (still being measured) left out.
  const toMs = Math.floor(nowMs / 60_000) * 60_000;
  const settings: RightSizingSettings = {
    fromMs: toMs - periodDays * 86_400_000,
    toMs,
    officeHours: site['officeHours'] ? (JSON.parse(site['officeHours']) as OfficeHours) : (DEFAULT_OFFICE_HOURS as unknown as OfficeHours),
    marginPercent: Number(site['safetyMarginPercent'] ?? 20),
    pricePerMbpsMonthIdr: pricePerMbpsMonthIdr(site),
  };
  const agencies: RightSizingAgency[] = Object.values(agencyRecords)
    .map((json) => JSON.parse(json) as RightSizingAgency)
    .map((a) => ({ id: a.id, name: a.name, committedKbps: a.committedKbps }))
    .sort((a, b) => a.name.localeCompare(b.name));
  // Agency by agency (a few at once): only the figures stay, not every agency's minutes.
  const summaries: AgencyRightSizing[] = new Array(agencies.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(READ_CONCURRENCY, agencies.length) }, async () => {
      while (next < agencies.length) {
        const i = next++;
        const agency = agencies[i]!;
        summaries[i] = summarizeAgency(agency, await readUsageSamples(d.redis, d.keys, agency.id, settings.fromMs, settings.toMs), settings);
      }
    }),
  );
  return { ...assembleReport(summaries, settings), retentionDays, requestedDays };
}
