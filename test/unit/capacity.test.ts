import { DEFAULT_OFFICE_HOURS, type OfficeHours } from '../../src/config/site';
import { computeCapacity, inOfficeHours, nextOpening, officeHoursEnd, type CapacityInput } from '../../src/pool/capacity';
import { replyMessage } from '../../src/refusals';

/** 2026-11-30 is a Monday. Times are WIB (UTC+7). */
const wib = (isoLocal: string) => Date.parse(`${isoLocal}+07:00`);
const hours = DEFAULT_OFFICE_HOURS as unknown as OfficeHours;

const base: CapacityInput = {
  uplinkKbps: 1_000_000,
  headroomKbps: 50_000,
  agencies: [
    { id: 'dinkes', committedKbps: 20_000 },
    { id: 'rsud', committedKbps: 100_000 },
  ],
  usage: new Map(),
  staleAfterMs: 300_000,
  safetyMarginPercent: 20,
  officeHours: hours,
  outsideOfficeFraction: 0.2,
};

describe('office hours in WIB', () => {
  it('are Monday to Friday, 07:30 to 16:00 (16:30 on Friday), by the Jakarta clock', () => {
    expect(inOfficeHours(hours, wib('2026-11-30T07:29'))).toBe(false);
    expect(inOfficeHours(hours, wib('2026-11-30T07:30'))).toBe(true);
    expect(inOfficeHours(hours, wib('2026-11-30T15:59'))).toBe(true);
    expect(inOfficeHours(hours, wib('2026-11-30T16:00'))).toBe(false);
    expect(inOfficeHours(hours, wib('2026-12-04T16:15'))).toBe(true); // Friday
    expect(inOfficeHours(hours, wib('2026-12-05T10:00'))).toBe(false); // Saturday
    // 01:00 UTC on Monday is 08:00 WIB: open.
    expect(inOfficeHours(hours, Date.parse('2026-11-30T01:00:00Z'))).toBe(true);
  });
});

describe('public capacity', () => {
  it('with no telemetry at all, claims committed rates in office hours and a fraction outside them', () => {
    const office = computeCapacity(base, wib('2026-11-30T10:00'));
    expect(office.downKbps).toBe(1_000_000 - 50_000 - 120_000);
    expect(office.claims.map((c) => c.basis)).toEqual(['office-hours', 'office-hours']);
    const night = computeCapacity(base, wib('2026-11-30T21:00'));
    expect(night.downKbps).toBe(1_000_000 - 50_000 - 24_000);
    expect(night.claims.map((c) => c.basis)).toEqual(['outside-office-hours', 'outside-office-hours']);
  });

  it('claims fresh measurements with the margin, down and up separately, whatever the hour', () => {
    const now = wib('2026-11-30T21:00');
    const usage = new Map([
      ['dinkes', { downKbps: 10_000, upKbps: 1_000, atMs: now - 60_000 }],
      ['rsud', { downKbps: 50_000, upKbps: 20_000, atMs: now - 60_000 }],
    ]);
    const c = computeCapacity({ ...base, usage }, now);
    expect(c.downKbps).toBe(950_000 - 12_000 - 60_000);
    expect(c.upKbps).toBe(950_000 - 1_200 - 24_000);
  });

  it('falls back to the committed rate when a measurement is stale, or an agency never reported while others do', () => {
    const now = wib('2026-11-30T21:00');
    const usage = new Map([['dinkes', { downKbps: 1_000, upKbps: 1_000, atMs: now - 301_000 }]]);
    const c = computeCapacity({ ...base, usage }, now);
    expect(c.claims).toEqual([
      { agencyId: 'dinkes', downKbps: 20_000, upKbps: 20_000, basis: 'stale' },
      { agencyId: 'rsud', downKbps: 100_000, upKbps: 100_000, basis: 'no-data' },
    ]);
  });

  it('is never negative, even when agencies burst past the uplink', () => {
    const now = wib('2026-11-30T10:00');
    const usage = new Map([['rsud', { downKbps: 2_000_000, upKbps: 0, atMs: now }]]);
    const c = computeCapacity({ ...base, usage }, now);
    expect(c.downKbps).toBe(0);
    expect(c.upKbps).toBeGreaterThan(0);
  });
});

describe('the next opening of a hotspot', () => {
  const park = { mon: ['08:00', '22:00'], sat: ['06:00', '23:00'] } as unknown as OfficeHours;
  it('is later today when the day has not opened yet, else the next open day', () => {
    expect(nextOpening(park, wib('2026-11-30T07:00'))).toEqual({ weekday: 1, minute: 480, today: true });
    expect(nextOpening(park, wib('2026-11-30T23:00'))).toEqual({ weekday: 6, minute: 360, today: false });
    expect(nextOpening({} as OfficeHours, wib('2026-11-30T23:00'))).toBeNull();
  });
  it('is said to the citizen in Bahasa Indonesia', () => {
    expect(replyMessage('closed_hours', { opens: { weekday: 6, minute: 360, today: false } })).toBe('Hotspot ini sedang tutup. Buka lagi Sabtu pukul 06.00 WIB.');
    expect(replyMessage('closed_hours', { opens: { weekday: 1, minute: 480, today: true } })).toBe('Hotspot ini sedang tutup. Buka lagi hari ini pukul 08.00 WIB.');
  });
});

describe('when to come back to a full pool', () => {
  it('is the end of office hours while they are on, else a quarter of an hour', () => {
    expect(officeHoursEnd(hours, wib('2026-12-04T10:00'))).toBe(16 * 60 + 30); // Friday
    expect(replyMessage('pool_full', { afterOffice: officeHoursEnd(hours, wib('2026-12-04T10:00'))! })).toBe(
      'Kapasitas internet gratis sedang dipakai kantor pemerintah. Coba lagi setelah jam kantor, pukul 16.30 WIB.',
    );
    expect(officeHoursEnd(hours, wib('2026-12-04T20:00'))).toBeNull();
    expect(replyMessage('pool_full', null)).toBe('Kapasitas internet gratis sedang habis terpakai. Coba lagi dalam 15 menit.');
  });
});
