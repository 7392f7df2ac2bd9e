import type { OfficeHours } from '../config/site';
import { inOfficeHours } from '../pool/capacity';
import { wibClock } from '../time';
import { HOURS_PER_MONTH, mbpsHoursValueIdr } from './value';

/**
 * The right-sizing report, computed from figures already read (no Redis here; service/right-sizing.ts reads): for
 * each agency over a period, its committed rate against what it measured minute by minute, a suggested commitment,
 * and what citizens would gain per hour of the day if every suggestion were taken, with its value at the contract
 * price. A commitment is one rate for both directions (computeCapacity claims it down and up), so download and upload
 * are both measured against it.
 *
 *  - pX (p50, p95) by nearest rank: of n measured minutes sorted, the ceil(X/100 × n)-th smallest; peak: the largest.
 *    Office hours are the site's (inOfficeHours, by each minute's WIB weekday and time); "outside" is every other minute.
 *  - above80Share = measured minutes in which download or upload was above 80% of the commitment ÷ measured minutes
 *    (null with a commitment of 0).
 *  - need = the larger of the office-hours p95 and the outside p95, each of download and upload. Each regime's own p95,
 *    not one over every minute: nights and weekends are three quarters of a week and would hide the office-hours
 *    demand a commitment exists for, and an agency that backs up at night needs its guarantee then too.
 *  - suggested = ceil(need × (1 + margin/100) / 1000) × 1000 kbps, a whole Mbps, and at least 1 Mbps (or the
 *    commitment, when that is lower). It is NOT capped at the commitment: an agency that needs more than it committed
 *    is told so (a raise), because the router guarantees it only its commitment and above that it borrows from the
 *    citizens' class, with no guarantee in its busiest hours. Hiding that would make the report flatter, not truer.
 *  - No suggestion (noSuggestion says why) with fewer than MIN_SAMPLES measured minutes (a day), or fewer than
 *    MIN_OFFICE_SAMPLES in office hours: a p95 of a few minutes is a guess, and an agency must not lose its guarantee
 *    on a guess. Such an agency keeps its commitment in the gain below.
 *  - reclaimable = committed − suggested when positive; raise = suggested − committed when positive.
 *  - The gain per hour h of the day (0–23 WIB), per direction, summed over the agencies with a suggestion:
 *
 *        gainₕ = Σ  max(committed, p95ₕ) − max(suggested, p95ₕ)
 *
 *    where p95ₕ is the agency's p95 over its measured minutes in hour h across the period (0 without any). What an
 *    agency holds at hour h is the larger of its guarantee and what it really uses then: max(committed, p95ₕ) today,
 *    max(suggested, p95ₕ) after the change. Citizens gain the difference and no more: at an hour the agency uses more
 *    than the suggestion, only down to what it uses; at an hour it uses more than its commitment, nothing (citizens
 *    never had that capacity); a raise costs them (a negative term) only what the agency does not already take by
 *    borrowing. For p95ₕ ≤ committed this is the plain committed − max(suggested, p95ₕ).
 *  - valueₕ a month = the value (value.ts, the reports' one rule) of gainₕ Mbps for one hour a day through a month of
 *    HOURS_PER_MONTH hours, i.e. gainₕ Mbps × price ÷ 24; the 24 hours together are the average gain's worth for a
 *    month. Download only: the contract is priced per (symmetric) Mbps, and adding upload would count it twice.
 */

/** A day of measured minutes: less is too little to suggest a commitment. */
export const MIN_SAMPLES = 1440;
/** Half a working day of measured office-hours minutes: less is too little to know the office-hours p95. */
export const MIN_OFFICE_SAMPLES = 240;
/** "Busy": above this share of the commitment. */
export const BUSY_SHARE = 0.8;

export interface RightSizingAgency {
  readonly id: string;
  readonly name: string;
  readonly committedKbps: number;
}

export interface MeasuredMinute {
  readonly atMs: number;
  readonly downKbps: number;
  readonly upKbps: number;
}

export interface RightSizingSettings {
  /** The period: minutes whose start lies in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly officeHours: OfficeHours;
  /** The site's telemetry.safetyMarginPercent. */
  readonly marginPercent: number;
  /** value.ts pricePerMbpsMonthIdr. */
  readonly pricePerMbpsMonthIdr: number;
}

export interface RateStats {
  readonly p50Kbps: number;
  readonly p95Kbps: number;
  readonly peakKbps: number;
}

export interface RegimeStats {
  readonly samples: number;
  /** Null without a measured minute. */
  readonly down: RateStats | null;
  readonly up: RateStats | null;
}

export type NoSuggestion = 'few-samples' | 'few-office-samples';

export interface AgencyRightSizing {
  readonly id: string;
  readonly name: string;
  readonly committedKbps: number;
  /** Measured minutes in the period, and their share of its minutes (0–1). */
  readonly samples: number;
  readonly coverage: number;
  readonly officeHours: RegimeStats;
  readonly outsideOfficeHours: RegimeStats;
  /** Share (0–1) of measured minutes above 80% of the commitment, download or upload; null with a commitment of 0. */
  readonly above80Share: number | null;
  /** The p95 the suggestion starts from (the larger regime's, download or upload), or null without a suggestion. */
  readonly needKbps: number | null;
  /** Which regime set the need. */
  readonly needFrom: 'office-hours' | 'outside-office-hours' | null;
  readonly suggestedKbps: number | null;
  /** Why there is no suggestion, or null. */
  readonly noSuggestion: NoSuggestion | null;
  /** committed − suggested when positive, else 0 (and 0 without a suggestion). */
  readonly reclaimableKbps: number;
  /** suggested − committed when positive, else 0. */
  readonly raiseKbps: number;
  /** p95 per WIB hour of the day (index 0–23) over the period, or null for an hour without a measured minute. */
  readonly hourlyP95DownKbps: ReadonlyArray<number | null>;
  readonly hourlyP95UpKbps: ReadonlyArray<number | null>;
}

export interface HourGain {
  /** WIB hour of the day, 0–23. */
  readonly hour: number;
  readonly gainDownKbps: number;
  readonly gainUpKbps: number;
  /** What the download gain at this hour is worth a month, rupiah. */
  readonly valueIdrPerMonth: number;
}

export interface RightSizingReport {
  readonly fromMs: number;
  readonly toMs: number;
  readonly days: number;
  readonly marginPercent: number;
  readonly pricePerMbpsMonthIdr: number;
  readonly agencies: readonly AgencyRightSizing[];
  readonly hours: readonly HourGain[];
  readonly totals: {
    readonly committedKbps: number;
    readonly agenciesWithSuggestion: number;
    readonly agenciesWithoutSuggestion: number;
    /** Σ committed and Σ suggested of the agencies with a suggestion. */
    readonly committedWithSuggestionKbps: number;
    readonly suggestedKbps: number;
    readonly reclaimableKbps: number;
    readonly raiseKbps: number;
    /** The download gain averaged over the 24 hours. */
    readonly averageGainDownKbps: number;
    /** Σ of the hours' values: what the gain is worth a month, rupiah. */
    readonly valueIdrPerMonth: number;
  };
}

/** The nearest-rank percentile of ascending values (at least one). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function stats(values: number[]): RateStats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { p50Kbps: percentile(sorted, 50), p95Kbps: percentile(sorted, 95), peakKbps: sorted[sorted.length - 1]! };
}

/** Kbps rounded up to a whole Mbps; to the kbps first, since 10000 × 1.2 is 12000.000000000002 in floating point. */
function wholeMbps(kbps: number): number {
  return Math.ceil(Math.round(kbps) / 1000) * 1000;
}

/** One agency's figures from its measured minutes in the period (any order; minutes outside the period are ignored). */
export function summarizeAgency(agency: RightSizingAgency, minutes: readonly MeasuredMinute[], settings: RightSizingSettings): AgencyRightSizing {
  const office = { down: [] as number[], up: [] as number[] };
  const outside = { down: [] as number[], up: [] as number[] };
  const hourly = Array.from({ length: 24 }, () => ({ down: [] as number[], up: [] as number[] }));
  const busyKbps = agency.committedKbps * BUSY_SHARE;
  let busy = 0;
  let samples = 0;
  for (const m of minutes) {
    if (m.atMs < settings.fromMs || m.atMs >= settings.toMs) continue;
    samples++;
    const regime = inOfficeHours(settings.officeHours, m.atMs) ? office : outside;
    regime.down.push(m.downKbps);
    regime.up.push(m.upKbps);
    const hour = hourly[wibClock(m.atMs).getUTCHours()]!;
    hour.down.push(m.downKbps);
    hour.up.push(m.upKbps);
    if (m.downKbps > busyKbps || m.upKbps > busyKbps) busy++;
  }
  const periodMinutes = Math.max(1, Math.round((settings.toMs - settings.fromMs) / 60_000));
  const officeHours: RegimeStats = { samples: office.down.length, down: stats(office.down), up: stats(office.up) };
  const outsideOfficeHours: RegimeStats = { samples: outside.down.length, down: stats(outside.down), up: stats(outside.up) };
  const noSuggestion: NoSuggestion | null = samples < MIN_SAMPLES ? 'few-samples' : officeHours.samples < MIN_OFFICE_SAMPLES ? 'few-office-samples' : null;
  const regimeNeed = (r: RegimeStats) => Math.max(r.down?.p95Kbps ?? 0, r.up?.p95Kbps ?? 0);
  const officeNeed = regimeNeed(officeHours);
  const outsideNeed = regimeNeed(outsideOfficeHours);
  const needKbps = noSuggestion ? null : Math.max(officeNeed, outsideNeed);
  const suggestedKbps = needKbps === null ? null : Math.max(wholeMbps(needKbps * (1 + settings.marginPercent / 100)), Math.min(1000, agency.committedKbps));
  const p95 = (values: number[]) => (values.length ? percentile(Float64Array.from(values).sort(), 95) : null);
  return {
    id: agency.id,
    name: agency.name,
    committedKbps: agency.committedKbps,
    samples,
    coverage: Math.min(1, samples / periodMinutes),
    officeHours,
    outsideOfficeHours,
    above80Share: agency.committedKbps > 0 && samples > 0 ? busy / samples : null,
    needKbps,
    needFrom: needKbps === null ? null : officeNeed >= outsideNeed ? 'office-hours' : 'outside-office-hours',
    suggestedKbps,
    noSuggestion,
    reclaimableKbps: suggestedKbps === null ? 0 : Math.max(0, agency.committedKbps - suggestedKbps),
    raiseKbps: suggestedKbps === null ? 0 : Math.max(0, suggestedKbps - agency.committedKbps),
    hourlyP95DownKbps: hourly.map((h) => p95(h.down)),
    hourlyP95UpKbps: hourly.map((h) => p95(h.up)),
  };
}

/** What holding `suggested` instead of `committed` frees at an hour whose p95 is `p95` (see the header). */
export function hourGainKbps(committedKbps: number, suggestedKbps: number, p95Kbps: number | null): number {
  const used = p95Kbps ?? 0;
  return Math.max(committedKbps, used) - Math.max(suggestedKbps, used);
}

/** The report from every agency's figures (summarizeAgency), in the order given. */
export function assembleReport(agencies: readonly AgencyRightSizing[], settings: RightSizingSettings): RightSizingReport {
  const suggested = agencies.filter((a) => a.suggestedKbps !== null);
  const hours: HourGain[] = Array.from({ length: 24 }, (_, hour) => {
    let down = 0;
    let up = 0;
    for (const a of suggested) {
      down += hourGainKbps(a.committedKbps, a.suggestedKbps!, a.hourlyP95DownKbps[hour] ?? null);
      up += hourGainKbps(a.committedKbps, a.suggestedKbps!, a.hourlyP95UpKbps[hour] ?? null);
    }
    const value = mbpsHoursValueIdr(((down / 1000) * HOURS_PER_MONTH) / 24, settings.pricePerMbpsMonthIdr);
    return { hour, gainDownKbps: down, gainUpKbps: up, valueIdrPerMonth: Math.round(value) };
  });
  const sum = (list: readonly AgencyRightSizing[], f: (a: AgencyRightSizing) => number) => list.reduce((s, a) => s + f(a), 0);
  return {
    fromMs: settings.fromMs,
    toMs: settings.toMs,
    days: (settings.toMs - settings.fromMs) / 86_400_000,
    marginPercent: settings.marginPercent,
    pricePerMbpsMonthIdr: Math.round(settings.pricePerMbpsMonthIdr),
    agencies,
    hours,
    totals: {
      committedKbps: sum(agencies, (a) => a.committedKbps),
      agenciesWithSuggestion: suggested.length,
      agenciesWithoutSuggestion: agencies.length - suggested.length,
      committedWithSuggestionKbps: sum(suggested, (a) => a.committedKbps),
      suggestedKbps: sum(suggested, (a) => a.suggestedKbps!),
      reclaimableKbps: sum(agencies, (a) => a.reclaimableKbps),
      raiseKbps: sum(agencies, (a) => a.raiseKbps),
      averageGainDownKbps: hours.reduce((s, h) => s + h.gainDownKbps, 0) / 24,
      valueIdrPerMonth: hours.reduce((s, h) => s + h.valueIdrPerMonth, 0),
    },
  };
}

/** The whole report at once from every agency's minutes (the reader goes agency by agency to hold less in memory). */
export function computeRightSizing(
  agencies: readonly RightSizingAgency[],
  minutesByAgency: ReadonlyMap<string, readonly MeasuredMinute[]>,
  settings: RightSizingSettings,
): RightSizingReport {
  return assembleReport(agencies.map((a) => summarizeAgency(a, minutesByAgency.get(a.id) ?? [], settings)), settings);
}
