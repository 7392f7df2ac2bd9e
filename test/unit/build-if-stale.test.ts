import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Plain JavaScript (it runs before anything is compiled), so it is required, not imported.
const { staleReason, STAMP } = require('../../scripts/build-if-stale.js') as { staleReason(root: string): string | null; STAMP: string };

/** `npm start` and `npm run cli` compile only when dist/ is older than what it is made from. */
describe('build-if-stale', () => {
  const T = Math.floor(Date.now() / 1000) - 1000; // seconds: the time of the last build, before the test's own changes
  let root: string;
  const put = (path: string, atSec: number, text = '') => {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
    utimesSync(full, atSec, atSec);
  };
  const age = (path: string, atSec: number) => utimesSync(join(root, path), atSec, atSec);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'limpah-build-'));
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts', 'src/cli.ts', 'src/pool/pool.ts', 'bench/pool.ts']) put(f, T - 100);
    for (const d of ['src/pool', 'src', 'bench']) age(d, T - 100);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('compiles when nothing was compiled, or without a stamp of the last build', () => {
    expect(staleReason(root)).toBe('dist/src/main.js is missing');
    put('dist/src/main.js', T);
    put('dist/src/cli.js', T);
    expect(staleReason(root)).toBe('no build stamp');
    put(STAMP, T);
    expect(staleReason(root)).toBeNull();
  });

  it('compiles again after a source, a tsconfig or the lockfile changed, or a source was added or removed', () => {
    put('dist/src/main.js', T);
    put('dist/src/cli.js', T);
    put(STAMP, T);
    age('src/pool/pool.ts', T + 5);
    expect(staleReason(root)).toBe(`${join('src', 'pool', 'pool.ts')} changed`);
    age('src/pool/pool.ts', T - 100);
    age('tsconfig.build.json', T + 5);
    expect(staleReason(root)).toBe('tsconfig.build.json changed');
    age('tsconfig.build.json', T - 100);
    age('package-lock.json', T + 5);
    expect(staleReason(root)).toBe('package-lock.json changed');
    age('package-lock.json', T - 100);
    // A removed (or added) file moves its folder's time.
    rmSync(join(root, 'src', 'pool', 'pool.ts'));
    expect(staleReason(root)).toBe(`${join('src', 'pool')} changed`);
    age('src/pool', T - 100);
    expect(staleReason(root)).toBeNull();
  });

  it('does not compile again for a benchmark: dist/ holds what src/ makes (tsconfig.build.json), as the image does', () => {
    put('dist/src/main.js', T);
    put('dist/src/cli.js', T);
    put(STAMP, T);
    age('bench/pool.ts', T + 5);
    age('bench', T + 5);
    expect(staleReason(root)).toBeNull();
  });
});
