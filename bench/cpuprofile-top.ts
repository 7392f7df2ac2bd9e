/**
 * Top self-time functions of a V8 .cpuprofile (node --cpu-prof), for the benchmark's server:
 *   BENCH_TARGETS=limpah BENCH_CONCURRENCY=32 BENCH_CPU_PROF=/tmp/limpah-prof node dist/bench/radius-auth.js
 *   node dist/bench/cpuprofile-top.js /tmp/limpah-prof/<file>.cpuprofile [count]
 * Self time is summed per function (name, file, line); the second table sums it per package or file.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function group(url: string): string {
  const w = where(url);
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/node_modules/')) return `node_modules/${w.startsWith('@') ? w.split('/').slice(0, 2).join('/') : w.split('/')[0]}`;
  return w;
}

function main(): void {
  const file = process.argv[2];
  const count = Number(process.argv[3] ?? 25);
  if (!file) {
    console.error('usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [count]');
    process.exitCode = 2;
    return;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byGroup = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${functionName || '(anonymous)'}  ${url ? `${where(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const g = functionName.startsWith('(') ? functionName : group(url);
    byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  }
  const busy = total - idle;
  console.log(`# ${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (not idle); shares are of busy time`);
  console.log('self ms   share  function');
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
  }
  // Inclusive time of Limpah's own functions (dist/src): each sample counts once per function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url, lineNumber } = byId.get(cur)!.callFrame;
      if (!url.includes('/dist/src/')) continue;
      const key = `${functionName || '(anonymous)'}  ${where(url)}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  console.log('');
  console.log('total ms  share  Limpah function (self + callees)');
  for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
  }
  console.log('');
  console.log('self ms   share  by package / file');
  for (const [key, us] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
  }
}

main();
