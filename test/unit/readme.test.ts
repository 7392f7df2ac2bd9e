import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from '../../src/config/env';
import { quotaSchema, nasSchema } from '../../src/config/site';
import { paths } from '../../src/paths';

/** The README's configuration reference is checked against the schemas, so it cannot fall behind. */
describe('the README configuration reference', () => {
  const readme = readFileSync(join(paths.root, 'README.md'), 'utf8');

  it('documents every environment variable', () => {
    for (const name of Object.keys(envSchema.shape)) expect(readme).toContain(`| \`${name}\` |`);
  });

  it('documents every quota and NAS field of the site file', () => {
    const quotaFields = Object.keys(quotaSchema.shape);
    expect(quotaFields.length).toBeGreaterThan(5);
    for (const f of quotaFields) expect(readme).toMatch(new RegExp(`quota\\.[\\w.\`, ]*${f}\\b`));
    for (const f of Object.keys(nasSchema.shape)) expect(readme).toContain(`nas[].${f}`);
  });

  it('shows the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
