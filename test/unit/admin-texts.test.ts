import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatter } from '../../src/admin/format';
import { ADMIN_MESSAGES } from '../../src/admin/i18n';
import { downsample, lineChart, valueScale, type PoolSample } from '../../src/admin/insight';
import { errorText } from '../../src/admin/problems';
import { AdminError, blockSchema, hotspotInputSchema, parseOrInvalid } from '../../src/admin/service';
import { paths } from '../../src/paths';

const { id, en } = ADMIN_MESSAGES;

describe('the console says refusals in its reader\'s language', () => {
  const refused = (schema: z.ZodType, raw: unknown): AdminError => {
    try {
      parseOrInvalid(schema, raw);
    } catch (err) {
      if (err instanceof AdminError) return err;
      throw err;
    }
    throw new Error('accepted');
  };
  const quota = { maxSessions: 10, downKbps: 2048, upKbps: 1024, minDownKbps: 256, minUpKbps: 128, sessionMinutes: 60, dailyMinutes: 120, dailyMB: 500, idleMinutes: 10, interimSeconds: 300, deviceSessions: 1 };
  const hotspot = { name: 'Aula', kecamatan: 'Baamang', kind: 'village-hall', loginMethods: ['click'], quota };

  it('names each refused field by its label, never by its path, and keeps the English message for the API', () => {
    const err = refused(hotspotInputSchema, { ...hotspot, name: '', kind: 'taman', quota: { ...quota, downKbps: 1.5, deviceSessions: 11 } });
    expect(err.message).toContain('quota.downKbps');
    expect(errorText(err, id)).toBe(
      'Nama wajib diisi. Jenis: pilih salah satu dari daftar. Unduh per sesi (kbps) harus bilangan bulat. Sesi per perangkat paling besar 10.',
    );
    expect(errorText(err, en)).toBe('Name is required. Kind: choose one from the list. Download per session (kbps) must be a whole number. Sessions per device must be at most 10.');
    expect(errorText(refused(blockSchema, { mac: 'AA', minutes: 0 }), id)).toBe('Lama blokir (menit) paling kecil 1.');
    expect(errorText(refused(hotspotInputSchema, { ...hotspot, quota: { ...quota, minUpKbps: 2000 } }), id)).toBe('Unggah minimum (kbps) tidak boleh lebih besar dari Unggah per sesi (kbps).');
    expect(errorText(refused(hotspotInputSchema, { ...hotspot, openingHours: { fri: ['7:30', '16:00'] } }), id)).toBe('Jam buka Jumat: tulis jam seperti 07:30.');
  });

  it('fills an error\'s own text, or says something plain for its code', () => {
    expect(errorText(new AdminError('NOT_FOUND', 'no voucher X').says('noVoucher', { code: 'K7QMX-3RTPA' }), id)).toBe('Voucher K7QMX-3RTPA tidak ada.');
    expect(errorText(new AdminError('CONFLICT', 'something new'), id)).toBe(id.errors.CONFLICT);
  });

  it('gives every refusal the console can meet a text of its own (no English message reaches the page)', () => {
    // Every module of the admin side: the service's aggregates, the console's routers, the API, sign-in, insight.
    const files = readdirSync(join(paths.root, 'src', 'admin'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const throwing = new Set<string>();
    for (const file of files) {
      const source = readFileSync(join(paths.root, 'src', 'admin', file), 'utf8');
      const throws = [...source.matchAll(/throw new AdminError\([\s\S]*?\);$/gm)].map((m) => m[0]);
      if (throws.length) throwing.add(file.replace(/\\/g, '/'));
      for (const t of throws) expect([file, t.includes('.says(') || /role: one of/.test(t)]).toEqual([file, true]);
    }
    for (const file of ['service/hotspots.ts', 'service/sessions.ts', 'service/vouchers.ts', 'service/agencies.ts', 'service/keys.ts', 'service/operators.ts', 'insight.ts']) expect([file, throwing.has(file)]).toEqual([file, true]);
  });

  it('has the same keys in both languages, and no literal translation the review found', () => {
    const keys = (o: unknown, prefix = ''): string[] =>
      o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => keys(v, `${prefix}${k}.`)) : [prefix.slice(0, -1)];
    expect(keys(en).sort()).toEqual(keys(id).sort());
    const all = JSON.stringify(id);
    for (const phrase of ['Kolam bandwidth', 'Batas diam', 'Interval akuntansi', 'Tersimpan', 'Rahasia RADIUS']) expect(all).not.toContain(phrase);
  });
});

describe('the console\'s texts (src/admin/i18n/)', () => {
  /** Every text with its key's path, e.g. [['confirm', 'disconnect', 'title'], 'Putuskan sesi {mac}?']; a key may hold a dot ('hotspot.create'). */
  const texts = (o: unknown, path: readonly string[] = []): Array<[readonly string[], unknown]> =>
    o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => texts(v, [...path, k])) : [[path, o]];
  /** What a path leads to; a template may go on from a text to a string's method (`a.col.scope.toLowerCase()`). */
  const at = (root: unknown, path: readonly string[]): unknown =>
    path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : typeof o === 'string' && k in String.prototype ? o : undefined), root);
  const placeholders = (text: unknown) => [...new Set([...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

  it('has a text in each language for every key, filling in the same placeholders', () => {
    for (const [path, text] of texts(id)) {
      const key = path.join(' > ');
      const english = at(en, path);
      expect([key, typeof text, typeof english]).toEqual([key, 'string', 'string']);
      expect([key, String(text).trim() !== '', String(english).trim() !== '']).toEqual([key, true, true]);
      expect([key, placeholders(english)]).toEqual([key, placeholders(text)]);
    }
  });

  it('takes each key from one area file only (a second one would silently replace the first)', () => {
    const dir = join(paths.root, 'src', 'admin', 'i18n');
    const owners = new Map<string, string[]>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      const area = require(join(dir, file)) as { id: object; en: object };
      expect([file, Object.keys(area.en).sort()]).toEqual([file, Object.keys(area.id).sort()]);
      for (const key of Object.keys(area.id)) owners.set(key, [...(owners.get(key) ?? []), file]);
    }
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
    expect([...owners.keys()].sort()).toEqual(Object.keys(id).sort());
  });

  it('has every text a template asks for, in both languages', () => {
    // The templates read the texts as `a` (res.locals.a): `a.hotspots.title`, or a lookup such as `a.roles[r]`.
    const dir = join(paths.root, 'views', 'admin');
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ejs'))) {
      for (const [, code] of readFileSync(join(dir, file), 'utf8').matchAll(/<%[=-]?([\s\S]*?)%>/g)) {
        for (const m of code!.matchAll(/(?<![\w$.])a((?:\.[A-Za-z_$][\w$]*)+)(\[)?/g)) used.add(`${file}: ${m[1]!.slice(1)}${m[2] ? '[' : ''}`);
      }
    }
    expect(used.size).toBeGreaterThan(100);
    for (const use of used) {
      const [file, key] = use.split(': ') as [string, string];
      const lookup = key.endsWith('[');
      const path = key.replace(/\[$/, '').split('.');
      for (const lang of [id, en]) {
        const found = at(lang, path);
        // A lookup or a loop (`Object.entries(a.kinds)`) needs a group of texts; anything else, a text.
        expect([file, key, lookup ? typeof found === 'object' : found !== undefined]).toEqual([file, key, true]);
      }
    }
  });
});

describe('numbers and times with one decimal mark', () => {
  it('writes Indonesian decimals with a comma and thousands with a dot, English the other way round', () => {
    const fid = formatter('id');
    const fen = formatter('en');
    expect([fid.fixed(4.1, 1), fid.fixed(2, 1), fid.num(2048, 0), fid.mbps(4096), fid.hours(24), fid.hours(1.5)]).toEqual(['4,1', '2,0', '2.048', '4,1 Mbps', '24 jam', '1,5 jam']);
    expect([fen.fixed(4.1, 1), fen.fixed(2, 1), fen.num(2048, 0), fen.hours(24)]).toEqual(['4.1', '2.0', '2,048', '24 hours']);
    expect(fid.when(Date.UTC(2026, 10, 28, 15, 37))).toBe('28 Nov 2026 22.37 WIB');
    expect([fid.span(30_000), fid.span(65 * 60_000), fid.span(50 * 3600_000)]).toEqual(['kurang dari 1 menit', '1 jam 5 menit', '2 hari 2 jam']);
  });
});

describe('dashboard charts', () => {
  const HOUR = 3600_000;
  const ticks = (svg: string) => [...svg.matchAll(/<text x="56" [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

  it('counts sessions in whole numbers on its axis, however few', () => {
    expect(valueScale(0, true)).toEqual({ top: 1, step: 1 });
    expect(valueScale(3, true)).toEqual({ top: 3, step: 1 });
    expect(valueScale(7, true)).toEqual({ top: 8, step: 2 });
    expect(valueScale(37, false)).toEqual({ top: 40, step: 10 });
    const svg = lineChart({ title: 'Sesi', unit: '', integer: true, fromMs: 0, toMs: 24 * HOUR, series: [{ label: 'sesi', color: '#000', points: [[0, 0], [HOUR, 1], [2 * HOUR, 0]] }] });
    expect(ticks(svg)).toEqual(['0', '1']);
    const mbps = lineChart({ title: 'Mbps', unit: 'Mbps', lang: 'id', fromMs: 0, toMs: 24 * HOUR, series: [{ label: 'x', color: '#000', points: [[0, 0.5], [HOUR, 1.5]] }] });
    expect(ticks(mbps)).toEqual(['0', '0,5', '1', '1,5']);
  });

  it('marks WIB hours over a day, ten minutes over an hour and days over a week, in text as large as the page', () => {
    const at = Date.UTC(2026, 10, 30, 5, 0); // 12.00 WIB, a Monday
    const day = lineChart({ title: 't', unit: '', fromMs: at - 24 * HOUR, toMs: at, series: [] });
    expect(day).toContain('>15.00</text>');
    expect(day).not.toMatch(/font-size="(9|10|11)"/);
    const hour = lineChart({ title: 't', unit: '', fromMs: at - HOUR, toMs: at, series: [] });
    expect(hour).toContain('>11.20</text>');
    const week = lineChart({ title: 't', unit: '', lang: 'id', fromMs: at - 7 * 24 * HOUR, toMs: at, series: [] });
    expect(week).toContain('>Sen, 30 Nov</text>');
    expect(lineChart({ title: 't', unit: '', lang: 'en', fromMs: at - 7 * 24 * HOUR, toMs: at, series: [] })).toContain('>Mon 30 Nov</text>');
  });

  it('shades the part of the range before the first sample and says so, rather than drawing a dot at the edge', () => {
    const now = 24 * HOUR;
    const svg = lineChart({ title: 't', unit: '', noDataLabel: 'belum ada data', fromMs: 0, toMs: now, series: [{ label: 'x', color: '#000', points: [[now - 20 * 60_000, 5], [now, 6]] }] });
    expect(svg).toMatch(/<rect x="64\.0" y="40" width="(\d+\.\d)" height="\d+" fill="#e9edeb"\/>/);
    expect(svg).toContain('>belum ada data</text>');
    const full = lineChart({ title: 't', unit: '', noDataLabel: 'belum ada data', fromMs: 0, toMs: now, series: [{ label: 'x', color: '#000', points: [[0, 5], [now, 6]] }] });
    expect(full).not.toContain('belum ada data');
  });

  it('averages a week of minutes into at most 720 points, keeping each quarter hour\'s peak of sessions', () => {
    const week = 7 * 24 * HOUR;
    const samples: PoolSample[] = Array.from({ length: 7 * 24 * 60 }, (_, i) => ({ t: i * 60_000, capDownKbps: 1000, allocDownKbps: (i % 15) * 10, sessions: i % 15 === 7 ? 9 : 1 }));
    const points = downsample(samples, 0, week);
    expect(points).toHaveLength(7 * 24 * 4);
    expect(points.every((p) => p.sessions === 9 && p.capDownKbps === 1000 && p.allocDownKbps === 70)).toBe(true);
    expect(downsample(samples.slice(0, 60), 0, HOUR)).toHaveLength(60);
  });
});
