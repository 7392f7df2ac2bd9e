import { parseSite, type Site } from '../src/config/site';

/** The shared secret of the benchmarks' router, for the load generator and every server under test. */
export const BENCH_SECRET = 'bench-secret-123456';

/** The benchmarks' site: one hotspot on 127.0.0.1 with room for every session a run makes. */
export function benchSite(quota: { maxSessions: number; downKbps: number; upKbps: number; minDownKbps?: number; minUpKbps?: number }): Site {
  return parseSite({
    uplink: { capacityKbps: 100_000_000, headroomKbps: 0 },
    hotspots: [
      {
        id: 'bench',
        name: 'Bench',
        kecamatan: 'Baamang',
        kind: 'park',
        nas: [{ type: 'mikrotik', ip: '127.0.0.1', identifier: 'Bench', secret: BENCH_SECRET }],
        quota: { sessionMinutes: 60, dailyMinutes: 180, dailyMB: 1024, ...quota },
        // Both login methods: the splash page at its heaviest.
        loginMethods: ['click', 'voucher'],
      },
    ],
  });
}
