import { lineChart, toCsv } from '../../src/admin/insight';
import { renderQrSvg } from '../../src/admin/qr';
import { loginHtmlFor, routerOsScript } from '../../src/admin/router-config';
import type { HotspotView } from '../../src/admin/service';

describe('admin rendering', () => {
  it('writes CSV that a spreadsheet reads as data: quotes where needed, formulas defused', () => {
    const csv = toCsv(['a', 'b', 'c'], [['x,y', 'say "hi"', 1.23456], ['=HYPERLINK("http://evil")', '-5', 7]]);
    expect(csv).toBe('a,b,c\r\n"x,y","say ""hi""",1.235\r\n"\'=HYPERLINK(""http://evil"")",\'-5,7\r\n');
  });

  it('draws a chart as SVG with presentation attributes only, titled and with escaped labels', () => {
    const svg = lineChart({ title: 'Kapasitas <24 jam>', unit: 'Mbps', fromMs: 0, toMs: 86_400_000, series: [{ label: 'a&b', color: '#000', points: [[0, 10], [43_200_000, 40], [86_400_000, 20]] }] });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain('<title>Kapasitas &lt;24 jam&gt;</title>');
    expect(svg).toContain('a&amp;b');
    expect(svg).not.toMatch(/style=/);
    expect(svg).toMatch(/<path d="M64\.0,[\d.]+L/);
    // The scale steps by a readable amount: 40 in four steps of 10, not 12.5.
    expect(svg).toContain('>40</text>');
    expect(svg).toContain('>10</text>');
  });

  it('renders a QR code as one path of modules inside a quiet zone', () => {
    const svg = renderQrSvg('http://wifi.kotimkab.go.id/v/K7QMX-3RTPA');
    const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
    // Version 3 (29 modules) fits this URL at level M, plus 4 modules of quiet zone on each side.
    expect(size).toBe(29 + 8);
    expect(svg).not.toMatch(/style=/);
    expect(svg.match(/h1v1h-1z/g)!.length).toBeGreaterThan(200);
  });

  it('quotes what goes into RouterOS commands, so that no name can add a command', async () => {
    const { rosString } = await import('../../src/admin/router-config');
    expect(rosString('a"b$c\\d')).toBe('"a\\"b\\$c\\\\d"');
    expect(rosString('x\n/user add name=o')).toBe('"x/user add name=o"');
    const hotspot = { id: 'h', name: 'Taman\n/user add name=evil group=full' } as HotspotView;
    const script = routerOsScript({ hotspot, publicUrl: 'https://w.example', radius: { address: '10.0.0.1', authPort: 1812, acctPort: 1813 }, nas: { ip: '10.0.0.2', type: 'mikrotik', identifier: 'MT', secret: 's$x"y', hotspotId: 'h', requireMessageAuthenticator: true, limitProxyState: true, coaPort: 3799, rateChange: 'coa', source: 'console' } });
    expect(script.split('\n').filter((l) => l.startsWith('/user'))).toEqual([]);
    expect(script).toContain('secret="s\\$x\\"y"');
    expect(() => routerOsScript({ hotspot, publicUrl: 'https://w.example', radius: { address: '10.0.0.1 ; /user add', authPort: 1812, acctPort: 1813 }, nas: { ip: '10.0.0.2', type: 'mikrotik', identifier: 'MT', secret: 's', hotspotId: 'h', requireMessageAuthenticator: true, limitProxyState: true, coaPort: 3799, rateChange: 'coa', source: 'console' } })).toThrow(/not an address/);
  });

  it('fills the RouterOS script and login.html with the hotspot, the router and its secret', () => {
    const hotspot = { id: 'aula-desa-pundu', name: 'Aula Desa Pundu' } as HotspotView;
    const script = routerOsScript({
      hotspot, publicUrl: 'https://wifi.kotimkab.go.id', radius: { address: '10.20.0.5', authPort: 1812, acctPort: 1813 },
      nas: { ip: '10.30.1.2', type: 'mikrotik', identifier: 'MT-Pundu', secret: 's3cr3t-abc', hotspotId: 'aula-desa-pundu', requireMessageAuthenticator: true, limitProxyState: true, coaPort: 1700, rateChange: 'coa', source: 'console' },
    });
    expect(script).toContain('/system identity set name="MT-Pundu"');
    expect(script).toContain('address=10.20.0.5 secret="s3cr3t-abc"');
    expect(script).toContain('/radius incoming set accept=yes port=1700');
    expect(script).toContain('dst-host=wifi.kotimkab.go.id');
    expect(script).not.toMatch(/ROUTER_IDENTITY|LIMPAH_SECRET|LIMPAH_RADIUS_IP|PORTAL_HOST/);
    const html = loginHtmlFor('aula-desa-pundu', 'https://wifi.kotimkab.go.id');
    expect(html).toContain('action="https://wifi.kotimkab.go.id/hotspot/mikrotik"');
    expect(html).toContain('name="hotspot" value="aula-desa-pundu"');
  });
});

describe('audit changes', () => {
  it('lists only the fields that changed, nested ones by their path', async () => {
    const { auditChanges } = await import('../../src/admin/audit');
    expect(auditChanges({ name: 'Taman', quota: { downKbps: 2048, upKbps: 1024 }, nas: [1] }, { name: 'Taman', quota: { downKbps: 3072, upKbps: 1024 }, nas: [1], source: 'console' })).toEqual([
      { field: 'quota.downKbps', before: '2048', after: '3072' },
      { field: 'source', before: '—', after: '"console"' },
    ]);
    expect(auditChanges(null, { role: 'viewer' })).toEqual([{ field: 'role', before: '—', after: '"viewer"' }]);
  });
});
