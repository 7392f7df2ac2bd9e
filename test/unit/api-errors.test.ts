import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { API_BODY_LIMIT_KB, API_ERRORS, apiErrorHandler, apiNotFound, issueDetails, issuesText, sendApiError } from '../../src/api-errors';
import { paths } from '../../src/paths';

describe('the one error body of the JSON APIs', () => {
  const logged: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
  const app = express();
  app.use(express.json({ limit: `${API_BODY_LIMIT_KB}kb` }));
  app.post('/refused', (_req, res) => sendApiError(res, 'INVALID', 'Fix [0].at.', [{ path: '[0].at', message: 'is in the future' }]));
  app.get('/conflict', (_req, res) => sendApiError(res, 'CONFLICT', 'The router did not answer.', undefined, 502));
  app.get('/things/:id', (req, res) => void res.json({ id: req.params['id'] }));
  app.get('/fails', async () => {
    throw new Error('redis went away');
  });
  app.use(apiNotFound);
  app.use(apiErrorHandler(logger));

  it('answers a code, its status, an English message and the refused fields', async () => {
    const r = await request(app).post('/refused').send({}).expect(400);
    expect(r.body).toEqual({ error: { code: 'INVALID', message: 'Fix [0].at.', details: [{ path: '[0].at', message: 'is in the future' }] } });
    expect((await request(app).get('/conflict').expect(502)).body).toEqual({ error: { code: 'CONFLICT', message: 'The router did not answer.' } });
  });

  it('answers an unknown path, a body that is not JSON or too large, and a failure in the same body', async () => {
    expect((await request(app).get('/nowhere').expect(404)).body).toEqual({ error: { code: 'NOT_FOUND', message: 'No such API route; see the README.' } });
    const broken = await request(app).post('/refused').set('Content-Type', 'application/json').send('{"usage": [').expect(400);
    expect(broken.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' } });
    const large = await request(app).post('/refused').send({ pad: 'x'.repeat(API_BODY_LIMIT_KB * 1024) }).expect(413);
    expect(large.body).toEqual({ error: { code: 'TOO_LARGE', message: expect.stringContaining(`${API_BODY_LIMIT_KB} KB`) } });
    const charset = await request(app).post('/refused').set('Content-Type', 'application/json; charset=latin-9').send('{}').expect(415);
    expect(charset.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const undecodable = await request(app).get('/things/%E0%A4%A').expect(400);
    expect(undecodable.body).toEqual({ error: { code: 'INVALID', message: expect.stringContaining('decode') } });
    expect(logged).toEqual([]);
    const failed = await request(app).get('/fails').expect(500);
    // The cause goes to the log, once, and not to the client.
    expect(failed.body).toEqual({ error: { code: 'INTERNAL', message: 'The request failed; try again later.' } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('redis went away');
  });

  it('names each field a schema refused by its path, with brackets for list items', () => {
    const schema = z.object({ quota: z.object({ downKbps: z.number().min(0) }), hotspots: z.array(z.string()) });
    const issues = schema.safeParse({ quota: { downKbps: -1 }, hotspots: ['a', 7] }).error!.issues;
    expect(issueDetails(issues).map((d) => d.path)).toEqual(['quota.downKbps', 'hotspots[1]']);
    expect(issuesText(issues)).toMatch(/^quota\.downKbps: .+; hotspots\[1\]: .+$/);
    const whole = z.array(z.number()).safeParse({}).error!.issues;
    expect([issueDetails(whole)[0]!.path, issuesText(whole)]).toEqual(['', `body: ${whole[0]!.message}`]);
  });

  it('has every code in the README', () => {
    const readme = readFileSync(join(paths.root, 'README.md'), 'utf8');
    for (const code of Object.keys(API_ERRORS)) expect([code, readme.includes(`\`${code}\``)]).toEqual([code, true]);
  });
});
