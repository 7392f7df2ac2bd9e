#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Compiles TypeScript (tsconfig.build.json into dist/) only when something it is made from changed since the last
 * build: `npm start` and `npm run cli` run this first, so they compile once after an install or an edit, not on
 * every call. It is plain JavaScript because it runs before anything is compiled.
 *
 * "Changed" means a file or folder under src/ (a folder's time moves when a file is added, removed or renamed), a
 * tsconfig, package.json or package-lock.json is newer than dist/.build-stamp, or the compiled entry points are
 * missing. tsconfig.build.json compiles src/ only, what the container image ships; the benchmarks compile with
 * tsconfig.bench.json (`npm run build:bench`). The stamp gets the time the compilation started, so an edit made
 * during it counts next time.
 */
const { spawnSync } = require('node:child_process');
const { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const STAMP = join('dist', '.build-stamp');
const SOURCES = ['src'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const OUTPUTS = [join('dist', 'src', 'main.js'), join('dist', 'src', 'cli.js')];

/**
 * Why `root` needs compiling, or null when dist/ is up to date.
 * @param {string} root the project folder
 * @returns {string | null}
 */
function staleReason(root) {
  const missing = OUTPUTS.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return 'no build stamp';
  const builtMs = statSync(stamp).mtimeMs;
  /** @param {string} path @returns {string | null} */
  const newer = (path) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return null;
    if (st.mtimeMs > builtMs) return path;
    if (!st.isDirectory()) return null;
    for (const entry of readdirSync(path)) {
      const found = newer(join(path, entry));
      if (found) return found;
    }
    return null;
  };
  for (const p of [...FILES, ...SOURCES]) {
    const found = newer(join(root, p));
    if (found) return `${found.slice(root.length + 1)} changed`;
  }
  return null;
}

/**
 * Compiles when stale; returns the exit code.
 * @param {string} root
 * @returns {number}
 */
function buildIfStale(root) {
  const reason = staleReason(root);
  if (!reason) return 0;
  process.stderr.write(`compiling TypeScript (${reason}) ...\n`);
  const startedSec = Date.now() / 1000;
  // From scratch: tsc never removes what a deleted source compiled to, and an old dist/src/admin/i18n.js would be
  // loaded ahead of the src/admin/i18n/ folder that replaced it.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  const stamp = join(root, STAMP);
  closeSync(openSync(stamp, 'a'));
  utimesSync(stamp, startedSec, startedSec);
  return 0;
}

module.exports = { staleReason, buildIfStale, STAMP };

if (require.main === module) process.exitCode = buildIfStale(join(__dirname, '..'));
