import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { agencyMeasureSchema, HOTSPOT_KINDS } from '../config/site';
import { apiActor, createAdminApiKey, listAdminApiKeys, revokeAdminApiKey } from './auth';
import { readAudit } from './audit';
import { buildReport, dayToIso, isoToDay, poolHistory, poolOverview, reportCsv, wibDay } from './insight';
import { rightSizingAgenciesCsv, rightSizingHoursCsv } from './right-sizing-view';
import { AdminError, parseOrInvalid } from './errors';
import { ROLES, scopeSchema, type Actor } from './operators';
import { can } from './policy';
import { DEFAULT_RADIUS_ENDPOINT, routerOsScript } from './router-config';
import { pollerAddressOf, routerOsSnmpScript } from './routeros-snmp';
// SNMP devices and the agencies' measures (src/admin/service/snmp.ts).
import { getSnmpDevice, listAgencyMeasurements, listSnmpDevices, removeSnmpDevice, saveSnmpDevice, setAgencyMeasure, snmpDeviceInputSchema, snmpDeviceWithSecrets, testSnmpDevice } from './service';
import {
  addNas, batchVouchers, blockDevice, blockSchema, createTelemetryKey, createVoucherBatch, disconnectSession, getHotspot, hotspotInputSchema,
  listAgencies, listBatches, listHotspots, listSessions, listTelemetryKeys, nasInputSchema, nasSecret, removeNas, revokeBatch, revokeTelemetryKey,
  revokeVoucherCode, saveHotspot, setAgencyCommitted, setHotspotDisabled, unblockDevice, voucherBatchSchema, canUseBatch, maskCode,
  createOperatorAccount, changeOperator, operatorCreateSchema, operatorChangeSchema, listBlocks, findVoucher, listOperatorAccounts, rightSizingReport, type AdminDeps,
} from './service';
import { formatCode, normalizeCode } from '../vouchers/codes';
import { API_BODY_LIMIT_KB, API_ERROR_SCHEMA, apiErrorHandler, apiNotFound, issueDetails, sendApiError } from '../api-errors';

/**
 * The admin API under /api/v1: everything the console does, for scripts, with an API key (`Authorization: Bearer
 * lmk_...`) that has a role and scope like an operator. Each route is declared once, with the zod schemas that
 * validate its body and query; the OpenAPI 3 document at /api/v1/openapi.json is generated from the same list.
 */

type Handler = (ctx: { deps: AdminDeps & { publicUrl: string }; actor: Actor; req: Request; res: Response; body: unknown; query: Record<string, string | undefined> }) => Promise<unknown>;

interface Route {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path; `{name}` in OpenAPI. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  /** A media type other than JSON for the answer. */
  readonly produces?: string;
  readonly handler: Handler;
}

const hotspotFilter = z.object({ kecamatan: z.string().optional(), kind: z.enum(HOTSPOT_KINDS).optional() });
const sessionFilter = z.object({ hotspot: z.string().optional(), kecamatan: z.string().optional(), mac: z.string().optional() });
const reportQuery = z.object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), format: z.enum(['json', 'csv']).optional() });
const rightSizingQuery = z.object({
  days: z.coerce.number().int().min(1).max(400).optional(),
  format: z.enum(['json', 'csv']).optional(),
  part: z.enum(['agencies', 'hours']).optional(),
});
const auditQuery = z.object({ actor: z.string().optional(), action: z.string().optional(), target: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
const committedBody = z.strictObject({ committedKbps: z.number().int().min(0).max(100_000_000) });
const telemetryKeyBody = z.strictObject({ name: z.string().min(1).max(60), agencies: z.array(z.string()).default([]) });
// A key without a role reads only: the least privilege unless an admin asks for more.
const apiKeyBody = z.strictObject({ name: z.string().min(1).max(60), role: z.enum(ROLES).default('viewer'), scope: scopeSchema.default({ kecamatan: [], hotspots: [] }) });
const historyQuery = z.object({ hours: z.coerce.number().int().min(1).max(168).optional() });

const p = (req: Request, name: string): string => String(req.params[name] ?? '');

const ROUTES: readonly Route[] = [
  { method: 'get', path: '/pool', tag: 'pool', summary: 'The pool now: uplink, claims, public capacity, allocation, sessions by kecamatan and hotspot', handler: ({ deps }) => poolOverview(deps) },
  { method: 'get', path: '/pool/history', tag: 'pool', summary: 'One sample a minute for the last 24 hours, or the last `hours` (at most 168)', query: historyQuery, handler: ({ deps, query }) => poolHistory(deps.redis, deps.keys, query['hours'] ? Number(query['hours']) : 24) },
  { method: 'get', path: '/hotspots', tag: 'hotspots', summary: 'Hotspots, filtered by kecamatan and kind', query: hotspotFilter, handler: ({ deps, query }) => listHotspots(deps, query) },
  { method: 'get', path: '/hotspots/:id', tag: 'hotspots', summary: 'One hotspot with its quota and routers', handler: ({ deps, req }) => getHotspot(deps, p(req, 'id')) },
  { method: 'put', path: '/hotspots/:id', tag: 'hotspots', summary: 'Create or replace a hotspot (takes effect on the next Access-Request)', body: hotspotInputSchema, handler: ({ deps, actor, req, body }) => saveHotspot(deps, actor, p(req, 'id'), body) },
  { method: 'post', path: '/hotspots/:id/disable', tag: 'hotspots', summary: 'Stop admitting citizens at a hotspot', handler: async ({ deps, actor, req }) => (await setHotspotDisabled(deps, actor, p(req, 'id'), true), { disabled: true }) },
  { method: 'post', path: '/hotspots/:id/enable', tag: 'hotspots', summary: 'Admit citizens at a hotspot again', handler: async ({ deps, actor, req }) => (await setHotspotDisabled(deps, actor, p(req, 'id'), false), { disabled: false }) },
  { method: 'post', path: '/hotspots/:id/nas', tag: 'hotspots', summary: 'Add a router; answers its generated RADIUS secret (and Chilli uamsecret), once', body: nasInputSchema, handler: ({ deps, actor, req, body }) => addNas(deps, actor, p(req, 'id'), body) },
  { method: 'delete', path: '/nas/:ip', tag: 'hotspots', summary: 'Remove a router: its packets are dropped from then on', handler: async ({ deps, actor, req }) => (await removeNas(deps, actor, p(req, 'ip')), { removed: p(req, 'ip') }) },
  {
    method: 'get', path: '/nas/:ip/routeros', tag: 'hotspots', summary: "The RouterOS setup script for a MikroTik router, with its secret", produces: 'text/plain',
    handler: async ({ deps, actor, req, res }) => {
      const nas = await nasSecret(deps, actor, p(req, 'ip'));
      res.type('text/plain; charset=utf-8').send(routerOsScript({ hotspot: await getHotspot(deps, nas.hotspotId), nas, publicUrl: deps.publicUrl, radius: deps.radius ?? DEFAULT_RADIUS_ENDPOINT }));
      return undefined;
    },
  },
  { method: 'get', path: '/agencies', tag: 'agencies', summary: 'Agencies with committed rate, measured usage and its age, and the current claim', handler: ({ deps }) => listAgencies(deps) },
  { method: 'patch', path: '/agencies/:id', tag: 'agencies', summary: "Change an agency's committed rate (admin)", body: committedBody, handler: async ({ deps, actor, req, body }) => (await setAgencyCommitted(deps, actor, p(req, 'id'), (body as z.infer<typeof committedBody>).committedKbps), { id: p(req, 'id') }) },
  { method: 'get', path: '/telemetry-keys', tag: 'agencies', summary: 'API keys for agencies to push usage (names only)', handler: ({ deps }) => listTelemetryKeys(deps) },
  { method: 'post', path: '/telemetry-keys', tag: 'agencies', summary: 'Create a telemetry key; answers it once (admin)', body: telemetryKeyBody, handler: async ({ deps, actor, body }) => { const b = body as z.infer<typeof telemetryKeyBody>; return { key: await createTelemetryKey(deps, actor, b.name, b.agencies) }; } },
  { method: 'delete', path: '/telemetry-keys/:id', tag: 'agencies', summary: 'Revoke a telemetry key (admin)', handler: async ({ deps, actor, req }) => (await revokeTelemetryKey(deps, actor, p(req, 'id')), { revoked: p(req, 'id') }) },
  {
    method: 'get', path: '/agencies/measurements', tag: 'agencies',
    summary: "Per agency: its SNMP measure (device, interface/ifIndex/queue, download direction), its last measurement with its source (SNMP device and counter, or the push key's name), age in seconds and whether it is stale, and what keeps the collector from a fresh rate (the device's last error, or the collector's reason for that agency)",
    handler: ({ deps }) => listAgencyMeasurements(deps),
  },
  { method: 'put', path: '/agencies/:id/measure', tag: 'agencies', summary: 'Measure an agency over SNMP: a device, exactly one of interface (ifName or ifDescr), ifIndex or queue (MikroTik simple queue), and which direction is its download (admin)', body: agencyMeasureSchema, handler: async ({ deps, actor, req, body }) => ({ id: p(req, 'id'), measure: await setAgencyMeasure(deps, actor, p(req, 'id'), body) }) },
  { method: 'delete', path: '/agencies/:id/measure', tag: 'agencies', summary: 'Stop measuring an agency over SNMP (admin)', handler: async ({ deps, actor, req }) => ({ id: p(req, 'id'), measure: await setAgencyMeasure(deps, actor, p(req, 'id'), null) }) },
  { method: 'get', path: '/snmp-devices', tag: 'snmp', summary: 'SNMP devices Limpah polls, with their last poll and the agencies they measure; never a community or key, only whether each is set', handler: ({ deps }) => listSnmpDevices(deps) },
  { method: 'get', path: '/snmp-devices/:id', tag: 'snmp', summary: 'One SNMP device with its last poll', handler: ({ deps, req }) => getSnmpDevice(deps, p(req, 'id')) },
  { method: 'put', path: '/snmp-devices/:id', tag: 'snmp', summary: 'Create or change an SNMP device (admin); a community or key left out keeps the stored one. It is managed in the console from then on', body: snmpDeviceInputSchema, handler: ({ deps, actor, req, body }) => saveSnmpDevice(deps, actor, p(req, 'id'), body) },
  { method: 'delete', path: '/snmp-devices/:id', tag: 'snmp', summary: 'Remove an SNMP device made in the console (admin); refused (409) while an agency is measured on it, or for a device of the site file', handler: async ({ deps, actor, req }) => (await removeSnmpDevice(deps, actor, p(req, 'id')), { removed: p(req, 'id') }) },
  {
    method: 'get', path: '/snmp-devices/:id/inventory', tag: 'snmp',
    summary: 'Test a device: poll it once (short timeout) for sysDescr, its interfaces (ifIndex, ifName, ifDescr, whether 64-bit counters exist) and MikroTik simple queues. A device that does not answer is {"ok": false, "code", "message"}, not an error',
    handler: ({ deps, req }) => testSnmpDevice(deps, p(req, 'id')),
  },
  {
    method: 'get', path: '/snmp-devices/:id/routeros', tag: 'snmp', summary: 'The RouterOS 7 commands that let Limpah poll the router, with its community or v3 keys (admin)', produces: 'text/plain',
    handler: async ({ deps, actor, req, res }) => {
      if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may download SNMP keys').says('adminOnly');
      res.type('text/plain; charset=utf-8').send(routerOsSnmpScript({ device: await snmpDeviceWithSecrets(deps, p(req, 'id')), pollerAddress: pollerAddressOf(deps.radius), reveal: true }));
      return undefined;
    },
  },
  { method: 'get', path: '/sessions', tag: 'sessions', summary: 'Live sessions, filtered by hotspot, kecamatan or MAC', query: sessionFilter, handler: ({ deps, query }) => listSessions(deps, query) },
  { method: 'post', path: '/sessions/:id/disconnect', tag: 'sessions', summary: 'Disconnect a session through its router (RFC 5176 Disconnect-Request)', handler: async ({ deps, actor, req }) => ({ result: await disconnectSession(deps, actor, p(req, 'id')) }) },
  { method: 'post', path: '/devices/block', tag: 'sessions', summary: 'Block a device for some minutes and disconnect its sessions', body: blockSchema, handler: ({ deps, actor, body }) => blockDevice(deps, actor, body) },
  { method: 'get', path: '/devices/blocks', tag: 'sessions', summary: 'Devices blocked now: MAC, until (ms), by whom and why, the soonest to end first', handler: ({ deps }) => listBlocks(deps) },
  { method: 'delete', path: '/devices/:mac/block', tag: 'sessions', summary: 'Lift a device block', handler: async ({ deps, actor, req }) => (await unblockDevice(deps, actor, p(req, 'mac')), { unblocked: p(req, 'mac') }) },
  { method: 'get', path: '/voucher-batches', tag: 'vouchers', summary: 'Voucher batches, newest first', handler: ({ deps }) => listBatches(deps.redis, deps.keys) },
  { method: 'post', path: '/voucher-batches', tag: 'vouchers', summary: 'Create a batch; answers its codes', body: voucherBatchSchema, handler: async ({ deps, actor, body }) => { const r = await createVoucherBatch(deps, actor, body); return { batch: r.batch, codes: r.codes.map(formatCode), links: r.codes.map((c) => `${deps.publicUrl}/v/${formatCode(c)}`) }; } },
  {
    method: 'get', path: '/voucher-batches/:batch', tag: 'vouchers', summary: "A batch's vouchers: status, devices, usage, where and when used (codes masked for who may not change the batch)",
    handler: async ({ deps, actor, req }) => {
      const usable = await canUseBatch(deps, actor, p(req, 'batch'));
      return (await batchVouchers(deps.redis, deps.keys, p(req, 'batch'))).map((v) => ({ ...v, code: usable ? formatCode(v.code) : maskCode(v.code) }));
    },
  },
  { method: 'post', path: '/voucher-batches/:batch/revoke', tag: 'vouchers', summary: 'Revoke every voucher of a batch', handler: async ({ deps, actor, req }) => ({ revoked: await revokeBatch(deps, actor, p(req, 'batch')) }) },
  {
    method: 'get', path: '/vouchers/:code', tag: 'vouchers', summary: 'One voucher',
    handler: async ({ deps, req }) => {
      const v = await findVoucher(deps, p(req, 'code'));
      return { ...v, code: formatCode(v.code) };
    },
  },
  {
    method: 'post', path: '/vouchers/:code/revoke', tag: 'vouchers', summary: 'Revoke one voucher',
    handler: async ({ deps, actor, req }) => {
      const code = normalizeCode(p(req, 'code'));
      if (!code) throw new AdminError('NOT_FOUND', `no voucher ${p(req, 'code')}`).says('noVoucher', { code: p(req, 'code') });
      await revokeVoucherCode(deps, actor, code);
      return { revoked: formatCode(code) };
    },
  },
  {
    method: 'get', path: '/reports', tag: 'reports', summary: 'Per-day totals per hotspot and kecamatan, and what the spare capacity delivered (CSV with format=csv)', query: reportQuery,
    handler: async ({ deps, query, res }) => {
      const to = (query['to'] ? isoToDay(query['to']) : null) ?? wibDay(Date.now());
      const from = (query['from'] ? isoToDay(query['from']) : null) ?? to - 6;
      const report = await buildReport(deps, from, to);
      if (query['format'] === 'csv') {
        res.type('text/csv; charset=utf-8').send(reportCsv(report));
        return undefined;
      }
      return { ...report, from: dayToIso(from), to: dayToIso(to) };
    },
  },
  {
    method: 'get', path: '/reports/right-sizing', tag: 'reports', query: rightSizingQuery,
    summary:
      'Per agency over the last `days` (default 30, at most the history kept): committed rate, measured p50/p95/peak in and outside office hours, the share of minutes above 80% of the commitment and a suggested commitment (p95 + margin); per WIB hour, the capacity citizens would gain if every suggestion were taken and its value a month. CSV with format=csv: by agency, or by hour with part=hours',
    handler: async ({ deps, query, res }) => {
      const report = await rightSizingReport(deps, query['days'] ? Number(query['days']) : undefined);
      if (query['format'] === 'csv') {
        res.type('text/csv; charset=utf-8').send(query['part'] === 'hours' ? rightSizingHoursCsv(report) : rightSizingAgenciesCsv(report));
        return undefined;
      }
      return { from: new Date(report.fromMs).toISOString(), to: new Date(report.toMs).toISOString(), ...report };
    },
  },
  { method: 'get', path: '/audit', tag: 'audit', summary: 'The audit log, newest first, filtered', query: auditQuery, handler: ({ deps, query }) => readAudit(deps.redis, deps.keys, { actor: query['actor'], action: query['action'], target: query['target'], limit: query['limit'] ? Number(query['limit']) : undefined }) },
  { method: 'get', path: '/operators', tag: 'access', summary: 'Operator accounts (admin)', handler: ({ deps, actor }) => listOperatorAccounts(deps, actor) },
  { method: 'post', path: '/operators', tag: 'access', summary: 'Create an operator account (admin)', body: operatorCreateSchema, handler: async ({ deps, actor, body }) => ({ username: await createOperatorAccount(deps, actor, body) }) },
  {
    method: 'patch', path: '/operators/:username', tag: 'access', summary: "Change an operator's role, scope, password or disable it (admin)", body: operatorChangeSchema,
    handler: async ({ deps, actor, req, body }) => (await changeOperator(deps, actor, p(req, 'username'), body), { username: p(req, 'username') }),
  },
  { method: 'get', path: '/api-keys', tag: 'access', summary: 'Script API keys (admin)', handler: async ({ deps, actor }) => { if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may list API keys').says('adminOnly'); return listAdminApiKeys(deps.redis, deps.keys); } },
  { method: 'post', path: '/api-keys', tag: 'access', summary: 'Create a script API key; answers it once (admin)', body: apiKeyBody, handler: async ({ deps, actor, body }) => ({ key: await createAdminApiKey(deps.redis, deps.keys, actor, body as z.infer<typeof apiKeyBody>) }) },
  { method: 'delete', path: '/api-keys/:id', tag: 'access', summary: 'Revoke a script API key (admin)', handler: async ({ deps, actor, req }) => (await revokeAdminApiKey(deps.redis, deps.keys, actor, p(req, 'id')), { revoked: p(req, 'id') }) },
];

/** The OpenAPI 3.1 document of the admin API and the telemetry push, from the route list and its schemas. */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  const error = { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  for (const r of ROUTES) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = r.query
      ? Object.entries((schema(r.query) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }))
      : [];
    const write = r.method !== 'get';
    paths[path] ??= {};
    paths[path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      parameters: [...params, ...queryParams],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body) } } } } : {}),
      responses: {
        '200': { description: 'OK', content: { [r.produces ?? 'application/json']: { schema: r.produces ? { type: 'string' } : {} } } },
        '400': error,
        '401': error,
        ...(write ? { '403': error } : {}),
        '404': error,
      },
      security: [{ apiKey: [] }],
    };
  }
  paths['/agencies/usage'] = {
    post: {
      summary: "An agency's measured usage (telemetry key, lmp_...)",
      tags: ['agencies'],
      operationId: 'postAgenciesUsage',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', items: { type: 'object', required: ['agencyId', 'downKbps', 'upKbps', 'at'], properties: { agencyId: { type: 'string' }, downKbps: { type: 'number' }, upKbps: { type: 'number' }, at: { type: 'string', format: 'date-time' } } } } } } },
      responses: { '200': { description: 'Stored; the new public capacity' }, '400': error, '401': error },
      security: [{ telemetryKey: [] }],
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Limpah admin API', version: '1', description: 'Everything the admin console does. Authenticate with "Authorization: Bearer lmk_..." (a script API key from the console, with a role and scope). Errors are {"error": {"code", "message", "details"?: [{"path", "message"}]}}.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A script API key (lmk_...) made in the console by an admin' },
        telemetryKey: { type: 'http', scheme: 'bearer', description: 'A telemetry key (lmp_...) for agencies' },
      },
      schemas: { Error: API_ERROR_SCHEMA },
    },
    paths,
  };
}

export function adminApiRouter(deps: AdminDeps & { publicUrl: string }): Router {
  const router = Router();
  router.use(express.json({ limit: `${API_BODY_LIMIT_KB}kb`, type: ['application/json', 'application/*+json'] }));
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.publicUrl));
  });
  for (const r of ROUTES) {
    router[r.method](r.path, async (req: Request, res: Response) => {
      const actor = await apiActor(deps.redis, deps.keys, req);
      if (!actor) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="limpah-admin"');
        return sendApiError(res, 'UNAUTHORIZED', 'Send a script API key from the console as "Authorization: Bearer lmk_...".');
      }
      if (r.method !== 'get' && !can(actor, 'change')) return sendApiError(res, 'FORBIDDEN', `${actor.name} is a viewer and may not change anything`);
      let body: unknown = undefined;
      if (r.body) {
        if (!req.is('application/json')) return sendApiError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
        body = parseOrInvalid(r.body, req.body);
      }
      let query: Record<string, string | undefined> = {};
      if (r.query) {
        const parsed = parseOrInvalid(r.query, req.query) as Record<string, unknown>;
        query = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
      }
      const result = await r.handler({ deps, actor, req, res, body, query });
      if (result !== undefined && !res.headersSent) res.json(result);
    });
  }
  router.use(apiNotFound);
  // A refusal from a route or the service layer; then a body the JSON parser refused (it runs for every path under
  // /api/v1), or a failure.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AdminError) || res.headersSent) return next(err);
    sendApiError(res, err.code, err.message, err.issues && issueDetails(err.issues), err.status);
  });
  router.use(apiErrorHandler(deps.logger));
  return router;
}

export const ADMIN_API_ROUTES = ROUTES;
