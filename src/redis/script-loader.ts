import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient as Redis } from './client';
import { paths } from '../paths';

/** A Lua script file named `<name>-<numberOfKeys>.lua`, as in BullMQ. */
export interface ScriptFile {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

export function readScripts(dir: string = paths.luaScripts): ScriptFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((file) => {
      const m = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/.exec(file);
      if (!m) throw new Error(`Lua script ${file} must be named <name>-<numberOfKeys>.lua`);
      return { name: m[1]!, numberOfKeys: Number(m[2]), lua: readFileSync(join(dir, file), 'utf8') };
    });
}

let bundled: readonly ScriptFile[] | undefined;

/** Registers every script with defineCommand, once per connection. */
export function defineScripts(redis: Redis, scripts?: readonly ScriptFile[]): void {
  for (const s of scripts ?? (bundled ??= readScripts())) {
    const command = camel(s.name);
    if (typeof (redis as unknown as Record<string, unknown>)[command] === 'function') continue;
    redis.defineCommand(command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
