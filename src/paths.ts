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

/** The container image has no scripts/ (nor a compiler, nor a redis-server): a checkout has. */
export const inContainerImage = !existsSync(join(PROJECT_ROOT, 'scripts', 'build-if-stale.js'));

/**
 * How an operator runs the CLI (src/cli.ts) where this copy of Limpah is installed, for the texts that name it. A
 * checkout has package.json's `npm run cli`, which compiles first (scripts/build-if-stale.js); the container image
 * has neither scripts/ nor a compiler, but a `limpah` command (Dockerfile), run from the host through the engine.
 */
export const cliCommand = !inContainerImage
  ? Object.freeze({ here: 'npm run cli --', fromHost: 'npm run cli --' })
  : Object.freeze({ here: 'limpah', fromHost: 'docker exec -it <container> limpah' });
