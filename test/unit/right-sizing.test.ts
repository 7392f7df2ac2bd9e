import type { OfficeHours } from '../../src/config/site';
import {
  computeRightSizing, hourGainKbps, percentile, summarizeAgency, type MeasuredMinute, type RightSizingSettings,
} from '../../src/admin/right-sizing';
import { hourBarChart, rightSizingAgenciesCsv, rightSizingHoursCsv } from '../../src/admin/right-sizing-view';

const MINUTE = 60_000;
/** Monday 30 November 2026, 00:00 WIB. */
const MONDAY = Date.UTC(2026, 10, 29, 17, 0);
const OFFICE: OfficeHours = { mon: ['08:00', '16:00'], tue: ['08:00', '16:00'], wed: ['08:00', '16:00'], thu: ['08:00', '16:00'], fri: ['08:00', '16:00'] };
/** Monday and Tuesday: 2880 minutes, 960 of them in office hours. */
const SETTINGS: RightSizingSettings = { fromMs: MONDAY, toMs: MONDAY + 2 * 1440 * MINUTE, officeHours: OFFICE, marginPercent: 20, pricePerMbpsMonthIdr: 24_000 };

/** A measured minute for every minute of [from, to) that `f` gives a reading for; f gets the WIB hour and minute of the hour. */
function minutes(f: (hour: number, minute: number) => { down: number; up: number } | null, fromMs = SETTINGS.fromMs, toMs = SETTINGS.toMs): MeasuredMinute[] {
  const out: MeasuredMinute[] = [];
  for (let t = fromMs; t < toMs; t += MINUTE) {
    const wib = new Date(t + 7 * 3600_000);
    const r = f(wib.getUTCHours(), wib.getUTCMinutes());
    if (r) out.push({ atMs: t, downKbps: r.down, upKbps: r.up });
  }
  return out;
}
const office = (hour: number) => hour >= 8 && hour < 16;

describe('percentiles by nearest rank', () => {
  it('takes the ceil(p/100 × n)-th smallest value', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect([percentile(oneToTwenty, 50), percentile(oneToTwenty, 95), percentile(oneToTwenty, 100)]).toEqual([10, 19, 20]);
    expect(percentile([7], 95)).toBe(7);
    // 960 minutes, 912 of them at 10: the 95th percentile is the 912th value.
    expect(percentile([...Array(912).fill(10), ...Array(48).fill(99)], 95)).toBe(10);
    expect(percentile([...Array(911).fill(10), ...Array(49).fill(99)], 95)).toBe(99);
  });
});

describe('what an agency holds at an hour, before and after its suggestion', () => {
  it('frees committed − suggested while the agency uses less than the suggestion', () => {
    expect(hourGainKbps(20_000, 15_000, 12_000)).toBe(5_000);
    expect(hourGainKbps(20_000, 15_000, null)).toBe(5_000);
  });
  it('frees only down to what the agency uses, and nothing when it uses more than its commitment', () => {
    expect(hourGainKbps(20_000, 15_000, 18_000)).toBe(2_000);
    expect(hourGainKbps(20_000, 15_000, 25_000)).toBe(0);
  });
  it('costs citizens a raise, less what the agency already takes by borrowing', () => {
    expect(hourGainKbps(10_000, 14_000, 9_000)).toBe(-4_000);
    expect(hourGainKbps(10_000, 14_000, 11_000)).toBe(-3_000);
    expect(hourGainKbps(10_000, 14_000, 15_000)).toBe(0);
  });
});

describe('the right-sizing report, figures worked out by hand', () => {
  // Dinas Kesehatan, 20 Mbps: 8 Mbps in office hours with a 12 Mbps burst in the last 6 minutes of each hour (18 Mbps at
  // 09.54–09.59), 2 Mbps outside; upload 1 Mbps.
  const dinkes = minutes((h, m) => (office(h) ? { down: m >= 54 ? (h === 9 ? 18_000 : 12_000) : 8_000, up: 1_000 } : { down: 2_000, up: 1_000 }));
  // Dinas Pendidikan, 10 Mbps: 9 Mbps in office hours, 11 Mbps from 10.00 to 10.59; 1 Mbps outside.
  const disdik = minutes((h) => (office(h) ? { down: h === 10 ? 11_000 : 9_000, up: 2_000 } : { down: 1_000, up: 1_000 }));
  // Bappeda, 5 Mbps: 10 hours measured, too few for a suggestion.
  const bappeda = minutes((h) => ({ down: 1_000, up: 100 }), SETTINGS.fromMs, SETTINGS.fromMs + 600 * MINUTE);
  // Satpol PP, 8 Mbps: measured only outside office hours (its router is switched off by day).
  const satpol = minutes((h) => (office(h) ? null : { down: 500, up: 500 }));
  const report = computeRightSizing(
    [
      { id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20_000 },
      { id: 'disdik', name: 'Dinas Pendidikan', committedKbps: 10_000 },
      { id: 'bappeda', name: 'Bappeda', committedKbps: 5_000 },
      { id: 'satpol', name: 'Satpol PP', committedKbps: 8_000 },
    ],
    new Map([['dinkes', dinkes], ['disdik', disdik], ['bappeda', bappeda], ['satpol', satpol]]),
    SETTINGS,
  );
  const [a, b, c, d] = report.agencies;

  it('gives p50, p95 and peak in and outside office hours', () => {
    // Office: 864 minutes at 8000, 84 at 12000, 12 at 18000; the 912th is 12000.
    expect(a!.officeHours).toEqual({ samples: 960, down: { p50Kbps: 8_000, p95Kbps: 12_000, peakKbps: 18_000 }, up: { p50Kbps: 1_000, p95Kbps: 1_000, peakKbps: 1_000 } });
    expect(a!.outsideOfficeHours).toEqual({ samples: 1920, down: { p50Kbps: 2_000, p95Kbps: 2_000, peakKbps: 2_000 }, up: { p50Kbps: 1_000, p95Kbps: 1_000, peakKbps: 1_000 } });
    // Office: 840 minutes at 9000, 120 at 11000; the 912th is 11000.
    expect(b!.officeHours.down).toEqual({ p50Kbps: 9_000, p95Kbps: 11_000, peakKbps: 11_000 });
    expect([a!.samples, a!.coverage, c!.samples, c!.coverage]).toEqual([2880, 1, 600, 600 / 2880]);
  });

  it('counts the minutes above 80% of the commitment', () => {
    // Above 16 Mbps: 09.54–09.59 on both days.
    expect(a!.above80Share).toBeCloseTo(12 / 2880, 12);
    // Above 8 Mbps: every office minute.
    expect(b!.above80Share).toBeCloseTo(960 / 2880, 12);
  });

  it('suggests the higher p95 plus the margin, rounded up to a whole Mbps, a raise included', () => {
    // 12000 × 1.2 = 14400 → 15 Mbps; 5 Mbps to reclaim.
    expect(a).toMatchObject({ needKbps: 12_000, needFrom: 'office-hours', suggestedKbps: 15_000, reclaimableKbps: 5_000, raiseKbps: 0, noSuggestion: null });
    // 11000 × 1.2 = 13200 → 14 Mbps, 4 Mbps above its commitment.
    expect(b).toMatchObject({ needKbps: 11_000, suggestedKbps: 14_000, reclaimableKbps: 0, raiseKbps: 4_000 });
  });

  it('makes no suggestion from less than a day of minutes, or too few in office hours', () => {
    expect(c).toMatchObject({ suggestedKbps: null, noSuggestion: 'few-samples', reclaimableKbps: 0, raiseKbps: 0, needKbps: null });
    expect(d).toMatchObject({ samples: 1920, suggestedKbps: null, noSuggestion: 'few-office-samples' });
    expect(d!.officeHours).toEqual({ samples: 0, down: null, up: null });
  });

  it('sums the gain per hour over the agencies with a suggestion, and values it at the contract price', () => {
    // Dinkes frees 5 Mbps an hour, but only 2 at 09.00 (its p95 then is 18 Mbps); Disdik's raise costs 4 Mbps, 3 at
    // 10.00 (it already borrows up to 11). At Rp24,000 per Mbps a month, 1 Mbps for an hour a day is Rp1,000 a month.
    expect(a!.hourlyP95DownKbps[9]).toBe(18_000);
    expect(b!.hourlyP95DownKbps[10]).toBe(11_000);
    const down = report.hours.map((h) => h.gainDownKbps);
    expect(down).toEqual(Array.from({ length: 24 }, (_, h) => (h === 9 ? -2_000 : h === 10 ? 2_000 : 1_000)));
    expect(report.hours.map((h) => h.gainUpKbps)).toEqual(Array(24).fill(1_000));
    expect(report.hours.map((h) => h.valueIdrPerMonth)).toEqual(down.map((k) => k));
    expect(report.totals).toEqual({
      committedKbps: 43_000,
      agenciesWithSuggestion: 2,
      agenciesWithoutSuggestion: 2,
      committedWithSuggestionKbps: 30_000,
      suggestedKbps: 29_000,
      reclaimableKbps: 5_000,
      raiseKbps: 4_000,
      averageGainDownKbps: 22_000 / 24,
      valueIdrPerMonth: 22_000,
    });
    expect([report.days, report.marginPercent, report.pricePerMbpsMonthIdr]).toEqual([2, 20, 24_000]);
  });

  it('writes both CSV tables, empty cells where there is no figure', () => {
    const agencies = rightSizingAgenciesCsv(report).split('\r\n');
    expect(agencies[0]).toBe(
      'agency_id,agency,committed_kbps,measured_minutes,coverage_pct,office_minutes,office_down_p50_kbps,office_down_p95_kbps,office_down_peak_kbps,office_up_p50_kbps,office_up_p95_kbps,office_up_peak_kbps,'
        + 'outside_minutes,outside_down_p50_kbps,outside_down_p95_kbps,outside_down_peak_kbps,outside_up_p50_kbps,outside_up_p95_kbps,outside_up_peak_kbps,'
        + 'above_80pct_of_commitment_pct,need_kbps,suggested_kbps,reclaimable_kbps,raise_kbps,no_suggestion',
    );
    expect(agencies[1]).toBe('dinkes,Dinas Kesehatan,20000,2880,100,960,8000,12000,18000,1000,1000,1000,1920,2000,2000,2000,1000,1000,1000,0.417,12000,15000,5000,0,');
    expect(agencies[4]).toBe('satpol,Satpol PP,8000,1920,66.667,0,,,,,,,1920,500,500,500,500,500,500,0,,,0,0,few-office-samples');
    const hours = rightSizingHoursCsv(report).split('\r\n');
    expect(hours.slice(0, 2)).toEqual(['hour_wib,gain_down_kbps,gain_up_kbps,value_idr_per_month', '00:00,1000,1000,1000']);
    expect(hours[10]).toBe('09:00,-2000,1000,-2000');
  });

  it('draws a bar per hour, a negative one below the zero line in red', () => {
    const svg = hourBarChart({ title: 'Gain', unit: 'Mbps', axisLabel: 'Hour', values: report.hours.map((h) => h.gainDownKbps / 1000), barLabel: (h, v) => `${h}: ${v}` });
    expect(svg.match(/<rect /g)).toHaveLength(24);
    expect(svg).toContain('fill="#a4221a"><title>9: -2</title>');
    expect(svg).toContain('>23</text>');
    expect(svg).not.toContain('style=');
  });
});

describe('the suggestion at its edges', () => {
  const day = (f: () => { down: number; up: number }) => minutes(() => f(), MONDAY, MONDAY + 1440 * MINUTE);
  const settings = { ...SETTINGS, toMs: MONDAY + 1440 * MINUTE };

  it('rounds 10 Mbps × 1.2 to 12 Mbps, not 13 (floating point)', () => {
    expect(summarizeAgency({ id: 'x', name: 'X', committedKbps: 20_000 }, day(() => ({ down: 10_000, up: 0 })), settings).suggestedKbps).toBe(12_000);
  });

  it('suggests at least 1 Mbps for an idle agency, and never more than a commitment of less', () => {
    expect(summarizeAgency({ id: 'x', name: 'X', committedKbps: 5_000 }, day(() => ({ down: 0, up: 0 })), settings).suggestedKbps).toBe(1_000);
    const none = summarizeAgency({ id: 'x', name: 'X', committedKbps: 0 }, day(() => ({ down: 0, up: 0 })), settings);
    expect([none.suggestedKbps, none.above80Share]).toEqual([0, null]);
  });

  it('takes upload when it is the larger, and ignores minutes outside the period', () => {
    const upHeavy = [...day(() => ({ down: 1_000, up: 5_000 })), { atMs: MONDAY - MINUTE, downKbps: 99_000, upKbps: 99_000 }];
    expect(summarizeAgency({ id: 'x', name: 'X', committedKbps: 20_000 }, upHeavy, settings)).toMatchObject({ samples: 1440, needKbps: 5_000, suggestedKbps: 6_000 });
  });
});
