import { randomBytes } from 'node:crypto';

/**
 * Small operator commands: `npm run cli -- <command>`.
 *   new-api-key [name] [agency ...]   a key for POST /api/v1/agencies/usage, and the site file entry for it
 */
function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'new-api-key': {
      const [name = 'telemetry', ...agencies] = rest;
      const key = `lmp_${randomBytes(24).toString('base64url')}`;
      const entry = { name, key, ...(agencies.length ? { agencies } : {}) };
      process.stdout.write(
        `API key (shown once; keep it secret): ${key}\n\nAdd this to "telemetry": { "apiKeys": [ ... ] } in the site file, then restart Limpah:\n${JSON.stringify(entry, null, 2)}\n`,
      );
      return 0;
    }
    default:
      process.stderr.write('usage: npm run cli -- new-api-key [name] [agency-id ...]\n');
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
