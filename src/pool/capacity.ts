import type { OfficeHours } from '../config/site';
import { wibClock } from '../time';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Where a measurement came from: an agency's push (by API key name) or Limpah's SNMP collector. */
export type UsageSource = { readonly kind: 'push'; readonly key: string } | { readonly kind: 'snmp'; readonly device: string; readonly counter: string };

export interface AgencyUsage {
  readonly downKbps: number;
  readonly upKbps: number;
  /** When the agency measured it, ms since the epoch. */
  readonly atMs: number;
  /** Absent on measurements stored before sources were recorded (pushes). */
  readonly source?: UsageSource;
}

export interface CapacityInput {
  readonly uplinkKbps: number;
  readonly headroomKbps: number;
  readonly agencies: ReadonlyArray<{ readonly id: string; readonly committedKbps: number }>;
  readonly usage: ReadonlyMap<string, AgencyUsage>;
  readonly staleAfterMs: number;
  readonly safetyMarginPercent: number;
  readonly officeHours: OfficeHours;
  readonly outsideOfficeFraction: number;
}

export type ClaimBasis = 'measured' | 'stale' | 'no-data' | 'office-hours' | 'outside-office-hours';

export interface AgencyClaim {
  readonly agencyId: string;
  readonly downKbps: number;
  readonly upKbps: number;
  readonly basis: ClaimBasis;
}

export interface Capacity {
  /** What citizens may share: uplink − headroom − Σ claims, never negative. */
  readonly downKbps: number;
  readonly upKbps: number;
  readonly claims: readonly AgencyClaim[];
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether government offices are open at this instant, by the WIB weekday and time. */
export function inOfficeHours(hours: OfficeHours, nowMs: number): boolean {
  const wib = wibClock(nowMs);
  const span = hours[DAYS[wib.getUTCDay()]!];
  if (!span) return false;
  const m = wib.getUTCHours() * 60 + wib.getUTCMinutes();
  return m >= minutes(span[0]) && m < minutes(span[1]);
}

/** The minute of the day (WIB) when today's office hours end, if they are on now; else null. */
export function officeHoursEnd(hours: OfficeHours, nowMs: number): number | null {
  if (!inOfficeHours(hours, nowMs)) return null;
  const span = hours[DAYS[wibClock(nowMs).getUTCDay()]!];
  return span ? minutes(span[1]) : null;
}

/** The hours as the admit script reads them: per WIB weekday, Sunday first, [from, to) in minutes, or false. */
export function openMinutes(hours: OfficeHours): Array<[number, number] | false> {
  return DAYS.map((d) => {
    const span = hours[d];
    return span ? [minutes(span[0]), minutes(span[1])] : false;
  });
}

/** When the hours next begin after `nowMs` (WIB weekday 0 = Sunday, minute of the day), within a week. */
export function nextOpening(hours: OfficeHours, nowMs: number): { weekday: number; minute: number; today: boolean } | null {
  const wib = wibClock(nowMs);
  const today = wib.getUTCDay();
  const now = wib.getUTCHours() * 60 + wib.getUTCMinutes();
  const spans = openMinutes(hours);
  for (let ahead = 0; ahead < 8; ahead++) {
    const weekday = (today + ahead) % 7;
    const span = spans[weekday];
    if (span && (ahead > 0 || span[0] > now)) return { weekday, minute: span[0], today: ahead === 0 };
  }
  return null;
}

/**
 * Public capacity from the agencies' claims. An agency is never starved by this arithmetic:
 *  - with fresh telemetry, its claim is what it measured plus the safety margin;
 *  - with stale telemetry, or none from this agency while others report, its committed rate;
 *  - when no agency has ever reported, the office-hours schedule: committed rate in office hours, a fraction
 *    of it outside them.
 */
export function computeCapacity(input: CapacityInput, nowMs: number): Capacity {
  const anyTelemetry = input.usage.size > 0;
  const open = inOfficeHours(input.officeHours, nowMs);
  const margin = 1 + input.safetyMarginPercent / 100;
  const claims = input.agencies.map((a): AgencyClaim => {
    const u = input.usage.get(a.id);
    if (u && nowMs - u.atMs <= input.staleAfterMs) {
      return { agencyId: a.id, downKbps: Math.ceil(u.downKbps * margin), upKbps: Math.ceil(u.upKbps * margin), basis: 'measured' };
    }
    if (anyTelemetry) return { agencyId: a.id, downKbps: a.committedKbps, upKbps: a.committedKbps, basis: u ? 'stale' : 'no-data' };
    const rate = open ? a.committedKbps : Math.ceil(a.committedKbps * input.outsideOfficeFraction);
    return { agencyId: a.id, downKbps: rate, upKbps: rate, basis: open ? 'office-hours' : 'outside-office-hours' };
  });
  const free = input.uplinkKbps - input.headroomKbps;
  return {
    downKbps: Math.max(0, free - claims.reduce((s, c) => s + c.downKbps, 0)),
    upKbps: Math.max(0, free - claims.reduce((s, c) => s + c.upKbps, 0)),
    claims,
  };
}

/** A minute of the day as Indonesians write the time: "08.00". */
export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}.${String(minute % 60).padStart(2, '0')}`;
}
