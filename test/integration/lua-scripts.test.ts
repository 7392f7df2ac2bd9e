import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotspotField, Keys } from '../../src/redis/keys';
import { readScripts, resolveIncludes, SCRIPT_KEYS, shippedScripts } from '../../src/redis/scripts';
import { paths } from '../../src/paths';
import { WIB_OFFSET_SEC, wibDay } from '../../src/time';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../src/redis/embedded';
import { registerScripts } from '../../src/redis/scripts';
import { testRedis } from '../support/redis';

const lib = (name: string) => readFileSync(join(paths.luaScripts, 'lib', `${name}.lua`), 'utf8');

describe('the Lua scripts and their shared pieces', () => {
  const { redis, namespace } = testRedis();
  const keys = new Keys(namespace);
  afterAll(() => redis.disconnect());

  it('build every key the way src/redis/keys.ts does (lib/keys.lua, in a real redis-server)', async () => {
    // Each Lua key function, called with the same arguments as its Keys method; names that exist only in TS are not
    // built by any script.
    const cases: Array<[string, string[], string]> = [
      ['hotspot', ['taman-kota'], keys.hotspot('taman-kota')],
      ['hotspotLive', ['taman-kota'], keys.hotspotLive('taman-kota')],
      ['device', ['AA:BB:CC:DD:EE:FF'], keys.device('AA:BB:CC:DD:EE:FF')],
      ['deviceBlock', ['AA:BB:CC:DD:EE:FF'], keys.deviceBlock('AA:BB:CC:DD:EE:FF')],
      ['voucher', ['K7P2M9QX'], keys.voucher('K7P2M9QX')],
      ['voucherDevices', ['K7P2M9QX'], keys.voucherDevices('K7P2M9QX')],
      ['daily', ['20786'], keys.daily(20786)],
      ['dailyDevices', ['20786', 'taman-kota'], keys.dailyDevices(20786, 'taman-kota')],
      ['operator', ['siti'], keys.operator('siti')],
    ];
    const script = `${lib('keys')}\nlocal out = {}\nfor i = 2, #ARGV, 3 do out[#out + 1] = K[ARGV[i]](ARGV[i + 1], ARGV[i + 2] ~= '' and ARGV[i + 2] or nil) end\nreturn out`;
    const args = cases.flatMap(([fn, a]) => [fn, a[0]!, a[1] ?? '']);
    const built = (await redis.eval(script, 0, keys.prefix(), ...args)) as string[];
    expect(built).toEqual(cases.map((c) => c[2]));
    // Every function lib/keys.lua defines is checked above.
    const defined = [...lib('keys').matchAll(/^function K\.([a-zA-Z]+)\(/gm)].map((m) => m[1]);
    expect(defined.sort()).toEqual(cases.map((c) => c[0]).sort());
    // And the per-hotspot fields of the pool hash and the day's totals.
    const whats = ['down', 'up', 'sessions', 'sec', 'bytes', 'kbpsSec'] as const;
    const fields = (await redis.eval(`${lib('keys')}\nlocal out = {}\nfor i = 2, #ARGV do out[#out + 1] = hotspotField('aula-desa', ARGV[i]) end\nreturn out`, 0, keys.prefix(), ...whats)) as string[];
    expect(fields).toEqual(whats.map((w) => hotspotField('aula-desa', w)));
  });

  it('count WIB days and weekdays as src/time.ts does (lib/time.lua)', async () => {
    const script = `${lib('time')}\nlocal sec = tonumber(ARGV[1])\nlocal weekday, minute = wibWeekdayMinute(sec)\nreturn {WIB_OFFSET_SEC, wibDay(sec), weekday, minute}`;
    // Around a WIB midnight (17:00 UTC) and on an ordinary afternoon.
    for (const ms of [Date.UTC(2026, 10, 29, 16, 59, 59), Date.UTC(2026, 10, 29, 17, 0, 0), Date.UTC(2026, 10, 30, 8, 30, 0)]) {
      const [offset, day, weekday, minute] = (await redis.eval(script, 0, Math.floor(ms / 1000))) as number[];
      const wib = new Date(ms + WIB_OFFSET_SEC * 1000);
      expect({ offset, day, weekday, minute }).toEqual({
        offset: WIB_OFFSET_SEC,
        day: wibDay(ms),
        weekday: wib.getUTCDay(),
        minute: wib.getUTCHours() * 60 + wib.getUTCMinutes(),
      });
    }
  });

  it('are exactly the commands src/redis/scripts.ts types, each with its number of keys', () => {
    const files = shippedScripts();
    expect(Object.fromEntries(files.map((f) => [f.command, f.numberOfKeys]))).toEqual(SCRIPT_KEYS);
    // No include line is left, and no script computes Redis time or a WIB day by itself.
    for (const f of files) {
      expect(f.lua).not.toMatch(/^--\s*@include/m);
      expect(f.lua.split("redis.call('TIME')").length - 1).toBeLessThanOrEqual(f.lua.includes('local function now()') ? 1 : 0);
      expect(f.lua.split('25200').length - 1).toBeLessThanOrEqual(1);
    }
  });

  it('pull each shared piece in once, and say which script asked for a piece that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'limpah-lua-'));
    try {
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'lib', 'a.lua'), '-- @include b\nlocal A = 1');
      writeFileSync(join(dir, 'lib', 'b.lua'), 'local B = 2');
      const once = resolveIncludes('-- @include a\n-- @include b\nreturn A + B', join(dir, 'lib'), 'x-0.lua');
      expect(once.match(/local B = 2/g)).toHaveLength(1);
      expect(once).toContain('local A = 1');
      writeFileSync(join(dir, 'broken-1.lua'), '-- @include nothing\nreturn 0');
      expect(() => readScripts(dir)).toThrow(/broken-1\.lua includes "nothing"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are sent whole on a new connection and by hash after, and again whole when Redis has forgotten them', async () => {
    // A private redis-server: SCRIPT FLUSH would pull the scripts from under the other suites.
    const dataDir = mkdtempSync(join(tmpdir(), 'limpah-lua-flush-'));
    const server = await startEmbeddedRedis({ dataDir, appendOnly: false });
    const client = registerScripts(new Redis(server.url, { maxRetriesPerRequest: 1 }));
    try {
      const k = new Keys('flush');
      const args = [k.voucher('NONE'), k.voucherDevices('NONE'), k.deviceBlock('AA:BB:CC:DD:EE:FF'), k.hotspot('h'), 'AA:BB:CC:DD:EE:FF', 'h', 1000] as const;
      expect((await client.redeemVoucher(...args))[0]).toBe('voucher_invalid');
      expect((await client.redeemVoucher(...args))[0]).toBe('voucher_invalid');
      const sha = createHash('sha1').update(shippedScripts().find((f) => f.command === 'redeemVoucher')!.lua).digest('hex');
      expect(await client.script('EXISTS', sha)).toEqual([1]);
      await client.script('FLUSH');
      // NOSCRIPT for the hash: the call is sent again with the script, and answers as before.
      expect((await client.redeemVoucher(...args))[0]).toBe('voucher_invalid');
      expect(await client.script('EXISTS', sha)).toEqual([1]);
    } finally {
      client.disconnect();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('compile in a real redis-server, includes and all', async () => {
    // SCRIPT LOAD compiles without running: a syntax error or a clash between pieces fails here, not at a login.
    for (const f of shippedScripts()) await expect(redis.script('LOAD', f.lua)).resolves.toMatch(/^[0-9a-f]{40}$/);
  });
});
