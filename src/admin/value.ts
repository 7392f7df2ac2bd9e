/**
 * What capacity is worth in rupiah, one rule for every report: the reports' "what the spare capacity delivered"
 * (insight.ts) and the right-sizing report's gain (right-sizing.ts).
 */

/** A month of 730 hours, as telecom prices count it. */
export const HOURS_PER_MONTH = 730;

/**
 * Rupiah per Mbps per month, from the site as written into Redis (keys.site()): reporting.pricePerMbpsMonthIdr when
 * set, else the integrated contract a year / 12 / the uplink's Mbps.
 */
export function pricePerMbpsMonthIdr(site: Readonly<Record<string, string | undefined>>): number {
  const uplinkMbps = Math.max(1, Number(site['capacityKbps'] ?? 0) / 1000);
  return Number(site['pricePerMbpsMonthIdr'] ?? 0) || Number(site['contractIdrPerYear'] ?? 2_200_000_000) / 12 / uplinkMbps;
}

/** What `mbpsHours` of capacity are worth at `pricePerMbpsMonth` rupiah per Mbps for a month of HOURS_PER_MONTH hours. */
export function mbpsHoursValueIdr(mbpsHours: number, pricePerMbpsMonth: number): number {
  return (mbpsHours / HOURS_PER_MONTH) * pricePerMbpsMonth;
}
