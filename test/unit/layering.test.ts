import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { paths } from '../../src/paths';

/**
 * The shape of src/, checked on every run: no import cycles between modules, and the layers import only downwards.
 * `pool/` is the ledger and knows nothing above it; `radius/` and `portal/` are the protocols, and neither knows the
 * admin side or the control jobs; `control/` (allocator, reaper) and `http/` (the composed app) sit on top.
 */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  redis: ['pool', 'radius', 'portal', 'admin', 'control', 'http', 'grants', 'telemetry', 'vouchers'],
  pool: ['radius', 'portal', 'admin', 'control', 'http', 'grants', 'telemetry'],
  grants: ['radius', 'portal', 'admin', 'control', 'http'],
  radius: ['portal', 'admin', 'control', 'http'],
  portal: ['admin', 'control', 'http'],
  telemetry: ['radius', 'portal', 'admin', 'control', 'http'],
  admin: ['portal', 'http'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const src = join(paths.root, 'src');
const graph = new Map<string, string[]>();
for (const file of sources(src)) {
  const from = relative(src, file).replace(/\.ts$/, '');
  const imports = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => normalize(join(dirname(from), m[1]!)));
  graph.set(from, imports);
}
const layer = (module: string) => (module.includes('/') ? module.split('/')[0]! : '');
/** An import of a folder (`./i18n`) is an import of its index.ts. */
const resolved = (module: string) => (graph.has(module) || !graph.has(`${module}/index`) ? module : `${module}/index`);

describe('the layering of src/', () => {
  it('has layers that import only downwards', () => {
    const wrong = [...graph].flatMap(([from, imports]) => imports.filter((to) => (FORBIDDEN[layer(from)] ?? []).includes(layer(to))).map((to) => `${from} imports ${to}`));
    expect(wrong).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of (graph.get(node) ?? []).map(resolved)) if (graph.has(next)) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
