import { parseSite, type Site } from '../../src/config/site';

export const TEST_SECRET = 'limpah-test-secret-1';
export const TEST_API_KEY = 'lmp_test_dinkes_0123456789abcdef';
export const TEST_ADMIN_KEY = 'lmp_test_all_agencies_0123456789ab';

/** A small site: one park whose router is 127.0.0.1, and one village hall elsewhere. */
export function testSite(
  overrides: { villageHallLogin?: Array<'click' | 'voucher'>; maxSessions?: number; capacityKbps?: number; dailyMB?: number; nasIp?: string; coaPort?: number; rateChange?: 'coa' | 'disconnect' } = {},
): Site {
  return parseSite({
    name: 'Test site',
    // Agencies are claimed at their committed rate at any hour, so capacities do not depend on the clock.
    outsideOfficeFraction: 1,
    telemetry: { apiKeys: [{ name: 'dinkes-router', key: TEST_API_KEY, agencies: ['dinkes'] }, { name: 'diskominfo', key: TEST_ADMIN_KEY }] },
    uplink: { capacityKbps: overrides.capacityKbps ?? 100000, headroomKbps: 10000 },
    kecamatan: ['Mentawa Baru Ketapang', 'Baamang'],
    agencies: [
      { id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20000 },
      { id: 'disdik', name: 'Dinas Pendidikan', committedKbps: 30000 },
    ],
    hotspots: [
      {
        id: 'taman-kota-sampit',
        name: 'Taman Kota Sampit',
        kecamatan: 'Mentawa Baru Ketapang',
        kind: 'park',
        loginMethods: ['click', 'voucher'],
        nas: [
          {
            type: 'mikrotik',
            ip: overrides.nasIp ?? '127.0.0.1',
            identifier: 'MikroTik-Taman',
            secret: TEST_SECRET,
            ...(overrides.coaPort ? { coaPort: overrides.coaPort } : {}),
            ...(overrides.rateChange ? { rateChange: overrides.rateChange } : {}),
          },
        ],
        quota: {
          maxSessions: overrides.maxSessions ?? 50,
          downKbps: 2048,
          upKbps: 1024,
          sessionMinutes: 60,
          dailyMinutes: 180,
          dailyMB: overrides.dailyMB ?? 1024,
        },
      },
      {
        id: 'aula-desa-baamang',
        name: 'Aula Desa Baamang Barat',
        kecamatan: 'Baamang',
        kind: 'village-hall',
        loginMethods: overrides.villageHallLogin ?? ['click', 'voucher'],
        nas: [{ type: 'mikrotik', ip: '127.0.1.50', identifier: 'MT-AulaBaamang', secret: 'another-secret-22' }],
        quota: { maxSessions: 20, downKbps: 1024, upKbps: 512, sessionMinutes: 60, dailyMinutes: 120, dailyMB: 512 },
      },
    ],
  });
}

/** The CoovaChilli hotspot of the Chilli tests: one village hall whose Chilli is 127.0.0.1. */
export const CHILLI_UAM_SECRET = 'uam-secret-aula-1';
export const CHILLI_RADIUS_SECRET = 'chilli-radius-secret-1';
export function chilliSite(loginMethods: Array<'click' | 'voucher'> = ['click']): Site {
  return parseSite({
    uplink: { capacityKbps: 100000, headroomKbps: 10000 },
    outsideOfficeFraction: 1,
    hotspots: [
      {
        id: 'aula-desa-pundu',
        name: 'Aula Desa Pundu',
        kecamatan: 'Cempaga Hulu',
        kind: 'village-hall',
        loginMethods,
        nas: [{ type: 'chilli', ip: '127.0.0.1', identifier: 'chilli-pundu', secret: CHILLI_RADIUS_SECRET, uamSecret: CHILLI_UAM_SECRET }],
        quota: { maxSessions: 20, downKbps: 1024, upKbps: 512, sessionMinutes: 60, dailyMinutes: 120, dailyMB: 512 },
      },
    ],
  });
}
