import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSiteFile, parseSite, staticCapacityKbps } from '../../src/config/site';
import { paths } from '../../src/paths';

const hotspot = (over: Record<string, unknown> = {}) => ({
  id: 'taman-kota-sampit',
  name: 'Taman Kota Sampit',
  kecamatan: 'Baamang',
  kind: 'park',
  nas: [{ type: 'mikrotik', ip: '127.0.0.1', identifier: 'MikroTik-Taman', secret: 'secret-secret-1' }],
  quota: { maxSessions: 50, downKbps: 2048, upKbps: 1024, sessionMinutes: 60, dailyMinutes: 180, dailyMB: 1024 },
  ...over,
});
const site = (over: Record<string, unknown> = {}) => ({
  uplink: { capacityKbps: 1000000, headroomKbps: 50000 },
  agencies: [{ id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 20000 }],
  hotspots: [hotspot()],
  ...over,
});

function errorOf(doc: unknown): string {
  try {
    parseSite(doc);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the site to be refused');
}

describe('the site file', () => {
  it('accepts the example site shipped for Kotawaringin Timur: 17 kecamatan, a dozen agencies, parks and village halls', async () => {
    const s = await loadSiteFile(paths.exampleSite);
    expect(s.kecamatan).toHaveLength(17);
    expect(s.agencies.length).toBeGreaterThanOrEqual(12);
    expect(new Set(s.hotspots.map((h) => h.kind))).toEqual(new Set(['park', 'village-hall']));
    expect(staticCapacityKbps(s)).toBeGreaterThan(0);
    for (const h of s.hotspots) for (const n of h.nas) expect(n.ip.startsWith('127.')).toBe(true);
  });

  it('fills defaults for the optional quota fields', () => {
    const s = parseSite(site());
    expect(s.hotspots[0]!.quota).toMatchObject({ minDownKbps: 256, minUpKbps: 128, idleMinutes: 10, interimSeconds: 300 });
  });

  it('names the field path of a wrong type', () => {
    const doc = site({ hotspots: [hotspot({ quota: { ...hotspot().quota, downKbps: '2048' } })] });
    expect(errorOf(doc)).toContain('hotspots[0].quota.downKbps');
  });

  it('names a missing field', () => {
    const { uplink: _drop, ...noUplink } = site();
    expect(errorOf(noUplink)).toMatch(/uplink/);
  });

  it('refuses an unknown field, which is usually a typo', () => {
    expect(errorOf(site({ hotspots: [hotspot({ maxSesions: 3 })] }))).toMatch(/hotspots\[0\].*maxSesions/);
  });

  it('refuses a NAS address used twice and says where it was first used', () => {
    const second = hotspot({ id: 'aula', nas: [{ type: 'mikrotik', ip: '127.0.0.1', identifier: 'Other', secret: 'secret-secret-2' }] });
    const msg = errorOf(site({ hotspots: [hotspot(), second] }));
    expect(msg).toContain('hotspots[1].nas[0].ip');
    expect(msg).toContain('duplicate NAS ip "127.0.0.1"');
  });

  it('refuses a kecamatan that is not in the site list', () => {
    expect(errorOf(site({ kecamatan: ['Baamang'], hotspots: [hotspot({ kecamatan: 'Atlantis' })] }))).toContain(
      'hotspots[0].kecamatan: "Atlantis" is not in the site\'s kecamatan list',
    );
  });

  it('refuses a bad kind, a bad IP and a short secret, all at once', () => {
    const msg = errorOf(
      site({
        hotspots: [
          hotspot({
            kind: 'mall',
            nas: [{ type: 'mikrotik', ip: '999.1.1.1', identifier: 'x', secret: 'short' }],
          }),
        ],
      }),
    );
    expect(msg).toContain('hotspots[0].kind');
    expect(msg).toContain('hotspots[0].nas[0].ip');
    expect(msg).toContain('hotspots[0].nas[0].secret');
  });

  it('refuses headroom larger than the uplink and a minimum rate above the ceiling', () => {
    const msg = errorOf(
      site({
        uplink: { capacityKbps: 1000, headroomKbps: 2000 },
        hotspots: [hotspot({ quota: { ...hotspot().quota, minDownKbps: 4096 } })],
      }),
    );
    expect(msg).toContain('uplink.headroomKbps');
    expect(msg).toContain('hotspots[0].quota.minDownKbps');
  });

  it('reports a file that is not JSON, and one that cannot be read, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'limpah-site-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "uplink": ');
    await expect(loadSiteFile(broken)).rejects.toThrow(/broken\.json is not valid JSON/);
    await expect(loadSiteFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the site file .*missing\.json.*SITE_FILE/);
  });

  it('never lets public capacity go negative', () => {
    const s = parseSite(site({ agencies: [{ id: 'rsud', name: 'RSUD', committedKbps: 5_000_000 }] }));
    expect(staticCapacityKbps(s)).toBe(0);
  });
});
