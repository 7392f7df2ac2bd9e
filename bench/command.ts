import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The outermost `npm run <script>` among this process's ancestors (npm sets it as its process title), if any. */
export function npmCommand(): string | undefined {
  let found: string | undefined;
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
      if (/^npm run \S+/.test(cmdline)) found = cmdline;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return found ?? (process.env['npm_lifecycle_event'] ? `npm run ${process.env['npm_lifecycle_event']}` : undefined);
}

/** The command that made a benchmark's figures: the variables of `names` that are set, then npm's command or node's. */
export function commandLine(names: readonly string[]): string {
  const setEnv = names
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `${k}=${/^[\w.,:/=-]*$/.test(process.env[k]!) ? process.env[k] : `'${process.env[k]}'`}`);
  const script = relative(process.cwd(), process.argv[1]!) || process.argv[1]!;
  const direct = ['node', ...process.execArgv, script].join(' ');
  const npm = npmCommand();
  return `${[...setEnv, npm ?? direct].join(' ')}${npm ? `  (which runs ${direct} after the build)` : ''}`;
}
