import { toCsv, valueScale } from './insight';
import type { RightSizingReport } from './right-sizing';

/** The right-sizing report as the console and the API hand it out: two CSV tables and the bar chart of the gain per hour. */

const pct = (share: number | null) => (share === null ? '' : share * 100);
const or = (v: number | null | undefined) => (v === null || v === undefined ? '' : v);

/** One row per agency: its measured p50/p95/peak in and outside office hours, its busy share and the suggestion. */
export function rightSizingAgenciesCsv(report: RightSizingReport): string {
  const regime = (prefix: string) => ['down_p50_kbps', 'down_p95_kbps', 'down_peak_kbps', 'up_p50_kbps', 'up_p95_kbps', 'up_peak_kbps'].map((c) => `${prefix}_${c}`);
  return toCsv(
    [
      'agency_id', 'agency', 'committed_kbps', 'measured_minutes', 'coverage_pct',
      'office_minutes', ...regime('office'), 'outside_minutes', ...regime('outside'),
      'above_80pct_of_commitment_pct', 'need_kbps', 'suggested_kbps', 'reclaimable_kbps', 'raise_kbps', 'no_suggestion',
    ],
    report.agencies.map((a) => {
      const r = (s: typeof a.officeHours) => [s.samples, or(s.down?.p50Kbps), or(s.down?.p95Kbps), or(s.down?.peakKbps), or(s.up?.p50Kbps), or(s.up?.p95Kbps), or(s.up?.peakKbps)];
      return [
        a.id, a.name, a.committedKbps, a.samples, a.coverage * 100,
        ...r(a.officeHours), ...r(a.outsideOfficeHours),
        pct(a.above80Share), or(a.needKbps), or(a.suggestedKbps), a.reclaimableKbps, a.raiseKbps, a.noSuggestion ?? '',
      ];
    }),
  );
}

/** One row per WIB hour of the day: what citizens would gain, and what the download gain is worth a month. */
export function rightSizingHoursCsv(report: RightSizingReport): string {
  return toCsv(
    ['hour_wib', 'gain_down_kbps', 'gain_up_kbps', 'value_idr_per_month'],
    report.hours.map((h) => [`${String(h.hour).padStart(2, '0')}:00`, h.gainDownKbps, h.gainUpKbps, h.valueIdrPerMonth]),
  );
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The gain per hour of the day as bars, SVG drawn on the server like the dashboard's charts (no script, no library,
 * prints; presentation attributes only, for the strict CSP). A negative hour (raises cost more than cuts free) is
 * drawn below the zero line in another colour. Each bar carries its figure as a tooltip (`<title>`).
 */
export function hourBarChart(options: {
  title: string;
  /** Mbps per hour 0–23. */
  values: readonly number[];
  unit: string;
  axisLabel: string;
  /** A bar's tooltip, from the hour (0–23) and its value. */
  barLabel: (hour: number, value: number) => string;
  lang?: 'id' | 'en';
}): string {
  const W = 960;
  const H = 300;
  const left = 64;
  const right = 16;
  const top = 40;
  const bottom = 52;
  const number = new Intl.NumberFormat(options.lang === 'en' ? 'en-GB' : 'id-ID', { maximumFractionDigits: 2 });
  const maxUp = Math.max(0, ...options.values);
  const maxDown = Math.max(0, ...options.values.map((v) => -v));
  const { step } = valueScale(Math.max(maxUp, maxDown));
  const high = Math.ceil(maxUp / step - 1e-9) * step || (maxDown > 0 ? 0 : step);
  const low = Math.ceil(maxDown / step - 1e-9) * step;
  const plotH = H - top - bottom;
  const y = (v: number) => top + ((high - v) / (high + low)) * plotH;
  const slot = (W - left - right) / 24;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.title)}" class="chart">`);
  parts.push(`<title>${esc(options.title)}</title>`);
  for (let v = -low; v <= high + step / 2; v += step) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#3d4a44' : '#d5dbd8'}" stroke-width="1"/>`);
    parts.push(`<text x="${left - 8}" y="${(y(v) + 5).toFixed(1)}" text-anchor="end" font-size="14" fill="#3d4a44">${esc(number.format(v))}</text>`);
  }
  options.values.forEach((v, hour) => {
    const x = left + hour * slot + slot * 0.15;
    const y0 = y(Math.max(0, v));
    const h = Math.abs(y(v) - y(0));
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${Math.max(v === 0 ? 0 : 1, h).toFixed(1)}" fill="${v < 0 ? '#a4221a' : '#0b5d3b'}"><title>${esc(options.barLabel(hour, v))}</title></rect>`,
    );
    parts.push(`<text x="${(left + hour * slot + slot / 2).toFixed(1)}" y="${H - bottom + 20}" text-anchor="middle" font-size="14" fill="#3d4a44">${String(hour).padStart(2, '0')}</text>`);
  });
  parts.push(`<text x="${(left + (W - left - right) / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle" font-size="14" fill="#3d4a44">${esc(options.axisLabel)}</text>`);
  parts.push(`<text x="${left}" y="20" font-size="16" font-weight="700" fill="#1a1a1a">${esc(options.title)}${options.unit ? ` (${esc(options.unit)})` : ''}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
