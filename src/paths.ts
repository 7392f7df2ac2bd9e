import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project root: the nearest folder above this file that holds package.json.
 * Compiled code runs from dist/src and tests from src, so a fixed `../..` would be wrong in one of them.
 */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

export const paths = Object.freeze({
  root: PROJECT_ROOT,
  views: join(PROJECT_ROOT, 'views'),
  public: join(PROJECT_ROOT, 'public'),
  luaScripts: join(PROJECT_ROOT, 'src', 'redis', 'scripts'),
  radiusDictionaries: join(PROJECT_ROOT, 'src', 'radius', 'dictionaries'),
  exampleSite: join(PROJECT_ROOT, 'sites', 'example-kotim.json'),
  defaultDataDir: join(PROJECT_ROOT, 'data'),
});
