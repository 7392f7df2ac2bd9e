import { Router, type Response } from 'express';
import type { AgencyMeasure } from '../../config/site';
import { fill } from '../problems';
import { pollerAddressOf, routerOsSnmpScript } from '../routeros-snmp';
import {
  AdminError, createTelemetryKey, getSnmpDevice, listAgencies, listAgencyMeasurements, listSnmpDevices, listTelemetryKeys, removeSnmpDevice, revokeTelemetryKey,
  saveSnmpDevice, setAgencyCommitted, setAgencyMeasure, snmpDeviceWithSecrets, SNMP_TEST_TIMEOUT_MS, testSnmpDevice, type AgencyMeasurement,
} from '../service';
import { measureText, problemText, testFailureText, usageSourceText } from '../snmp-view';
import { can } from '../policy';
import { agencyNames, basisText, confirmed, done, form, list, locals, num, orRefused, str, type ConsoleDeps } from './common';

/**
 * The console's agencies: committed rate (an admin changes it), measured usage with its source and age, and the
 * claim; how each agency is measured over SNMP and why it has no fresh rate; the SNMP devices Limpah polls (add,
 * change, remove, "test this device", the RouterOS commands); telemetry keys for the usage push. Viewers see it all;
 * only an admin changes anything (the service checks, the templates hide the forms).
 */

const agenciesPath = '/admin/agencies';
const devicePath = (id: string) => `/admin/snmp-devices/${encodeURIComponent(id)}`;
const SECRET_FIELDS = ['community', 'authKey', 'privKey'] as const;

/** The device form as the service's input: numbers from text fields, empty fields left out (a secret left out is kept). */
function deviceFromForm(b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { host: str(b['host']).trim(), version: str(b['version']) };
  for (const f of ['port', 'intervalSeconds', 'timeoutMs', 'retries']) if (str(b[f]).trim() !== '') out[f] = num(b[f]);
  if (str(b['user']).trim()) out['user'] = str(b['user']).trim();
  if (str(b['authProtocol'])) out['authProtocol'] = str(b['authProtocol']);
  for (const f of SECRET_FIELDS) if (str(b[f]) !== '') out[f] = str(b[f]);
  return out;
}

/** A measure from a form: the device, one counter (`kind` says which field `counter` fills) and the download direction. */
function measureFromForm(b: Record<string, unknown>, device: string): Record<string, unknown> {
  const kind = str(b['kind']);
  const counter = str(b['counter']).trim();
  const field = kind === 'ifIndex' || kind === 'queue' ? kind : 'interface';
  return { device, [field]: field === 'ifIndex' ? num(counter) : counter, download: str(b['download']) || 'out' };
}

export function agencyRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  /** What every SNMP page's template is given to say things in the reader's words. */
  const viewHelpers = (res: Response) => {
    const { a, fmt } = locals(res);
    return {
      usageSourceText: (s: Parameters<typeof usageSourceText>[0]) => usageSourceText(s, a),
      measureText: (m: AgencyMeasure) => measureText(m, a),
      problemText: (p: Parameters<typeof problemText>[0]) => problemText(p, a, fmt),
    };
  };

  const agenciesPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    const [agencies, keys, measurements, devices] = await Promise.all([listAgencies(deps), listTelemetryKeys(deps), listAgencyMeasurements(deps), listSnmpDevices(deps)]);
    const agencyName = (id: string) => agencies.find((g) => g.id === id)?.name ?? id;
    const byId = new Map(measurements.map((m) => [m.agencyId, m]));
    res.status(status).render('admin/agencies', {
      agencies, keys, devices, error, shownKey, agencyName, basisText: await basisText(deps, res),
      measurementOf: (id: string) => byId.get(id) ?? null, ...viewHelpers(res),
    });
  };
  const refusedOnPage = (res: Response) => (error: string, status: number) => agenciesPage(res, error, null, status);

  router.get('/agencies', (_req, res) => agenciesPage(res, null));
  router.post('/agencies/:id', async (req, res) => {
    const { a, fmt, actor } = locals(res);
    await orRefused(res, async () => {
      const committedKbps = num(form(req)['committedKbps']);
      await setAgencyCommitted(deps, actor, req.params['id']!, committedKbps);
      const name = (await listAgencies(deps)).find((g) => g.id === req.params['id'])?.name ?? req.params['id']!;
      done(res, agenciesPath, fill(a.done.agencySaved, { name, kbps: fmt.kbps(committedKbps) }));
    }, refusedOnPage(res));
  });

  // ------------------------------------------------------------------------------------------ an agency's measure

  const measurePage = async (res: Response, agencyId: string, error: string | null, shownForm: Record<string, unknown> | null = null, status = 200) => {
    const names = await agencyNames(deps);
    const name = names.get(agencyId);
    if (name === undefined) throw new AdminError('NOT_FOUND', `no agency "${agencyId}"`).says('noAgency', { id: agencyId });
    const [measurements, devices] = await Promise.all([listAgencyMeasurements(deps), listSnmpDevices(deps)]);
    const m: AgencyMeasurement | null = measurements.find((x) => x.agencyId === agencyId) ?? null;
    res.status(status).render('admin/agency-measure', { agency: { id: agencyId, name }, m, devices, error, form: shownForm, ...viewHelpers(res) });
  };
  router.get('/agencies/:id/measure', (req, res) => measurePage(res, req.params['id']!, null));
  router.post('/agencies/:id/measure', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const b = form(req);
    await orRefused(res, async () => {
      const name = (await agencyNames(deps)).get(id) ?? id;
      if (b['action'] === 'clear') {
        // Checked before a confirmation is asked for, and again by the service when it acts.
        if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may change agencies').says('adminOnly');
        const current = (await listAgencyMeasurements(deps)).find((x) => x.agencyId === id)?.measure;
        if (!current) return done(res, agenciesPath, fill(a.done.measureCleared, { name }));
        const c = a.confirm.clearMeasure;
        if (!confirmed(req, res, { title: fill(c.title, { name }), body: fill(c.body, { name, counter: measureText(current, a), device: current.device }), button: c.button, back: `${agenciesPath}/${encodeURIComponent(id)}/measure` })) return;
        await setAgencyMeasure(deps, actor, id, null);
        return done(res, agenciesPath, fill(a.done.measureCleared, { name }));
      }
      const measure = await setAgencyMeasure(deps, actor, id, measureFromForm(b, str(b['device'])));
      done(res, agenciesPath, fill(a.done.measureSaved, { name, counter: measure ? measureText(measure, a) : '', device: measure?.device ?? '' }));
    }, (error, status) => measurePage(res, id, error, b['action'] === 'clear' ? null : b, status));
  });

  // ------------------------------------------------------------------------------------------ SNMP devices

  const devicePage = async (res: Response, id: string | null, error: string | null, shownForm: Record<string, unknown> | null = null, status = 200) => {
    const device = id ? await getSnmpDevice(deps, id) : null;
    // The commands on the page never carry a secret: placeholders stand there (see src/admin/routeros-snmp.ts).
    const script = device ? routerOsSnmpScript({ device: await snmpDeviceWithSecrets(deps, device.id), pollerAddress: pollerAddressOf(deps.radius), reveal: false }) : '';
    const names = await agencyNames(deps);
    const retype = Boolean(shownForm && SECRET_FIELDS.some((f) => str(shownForm[f]) !== ''));
    // Typed secrets are not sent back into the page.
    const safeForm = shownForm && Object.fromEntries(Object.entries(shownForm).filter(([k]) => !(SECRET_FIELDS as readonly string[]).includes(k)));
    res.status(status).render('admin/snmp-device', { device, error, form: safeForm, retype, script, agencyName: (x: string) => names.get(x) ?? x });
  };
  router.get('/snmp-devices/new', (_req, res) => devicePage(res, null, null));
  router.get('/snmp-devices/:id', (req, res) => devicePage(res, req.params['id']!, null));
  router.post('/snmp-devices', async (req, res) => {
    const { a, actor } = locals(res);
    const b = form(req);
    const id = str(b['id']).trim();
    await orRefused(res, async () => {
      await saveSnmpDevice(deps, actor, id, deviceFromForm(b), { mustBeNew: true });
      done(res, devicePath(id), fill(a.done.snmpDeviceCreated, { id }));
    }, (error, status) => devicePage(res, null, error, b, status));
  });
  router.post('/snmp-devices/:id', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const b = form(req);
    await orRefused(res, async () => {
      await saveSnmpDevice(deps, actor, id, deviceFromForm(b));
      done(res, devicePath(id), fill(a.done.snmpDeviceSaved, { id }));
    }, (error, status) => devicePage(res, id, error, b, status));
  });
  router.post('/snmp-devices/:id/remove', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    await orRefused(res, async () => {
      if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may remove SNMP devices').says('adminOnly');
      const device = await getSnmpDevice(deps, id);
      const c = a.confirm.removeSnmpDevice;
      if (!confirmed(req, res, { title: fill(c.title, { id }), body: fill(c.body, { host: device.host }), button: c.button, back: devicePath(id) })) return;
      await removeSnmpDevice(deps, actor, id);
      done(res, `${agenciesPath}#snmp-devices`, fill(a.done.snmpDeviceRemoved, { id }));
    }, (error, status) => devicePage(res, id, error, null, status));
  });

  /**
   * "Test this device": polls once and shows what the device offers, each interface and queue with a form that
   * assigns it to an agency. A GET: it reads and changes nothing, so a viewer may look too.
   */
  router.get('/snmp-devices/:id/test', async (req, res) => {
    const id = req.params['id']!;
    const device = await getSnmpDevice(deps, id);
    const [result, agencies, measurements] = await Promise.all([testSnmpDevice(deps, id), listAgencies(deps), listAgencyMeasurements(deps)]);
    const onDevice = measurements.filter((m) => m.measure?.device === id);
    const matches = (m: AgencyMeasure, c: { interface?: string; ifIndex?: number; queue?: string }) =>
      (m.queue !== undefined && m.queue === c.queue) || (m.interface !== undefined && m.interface === c.interface) || (m.ifIndex !== undefined && m.ifIndex === c.ifIndex);
    const nameOf = (agencyId: string) => agencies.find((g) => g.id === agencyId)?.name ?? agencyId;
    res.render('admin/snmp-inventory', {
      device, result, error: null, timeoutMs: Math.min(device.timeoutMs, SNMP_TEST_TIMEOUT_MS),
      failure: result.ok ? null : testFailureText(result, locals(res).a),
      agencies: agencies.map((g) => ({ id: g.id, name: g.name })),
      usedBy: (c: { interface?: string; ifIndex?: number; queue?: string }) => onDevice.filter((m) => matches(m.measure!, c)).map((m) => nameOf(m.agencyId)).join(', '),
      assigned: (kind: string, counter: string) => onDevice.find((m) => matches(m.measure!, kind === 'queue' ? { queue: counter } : kind === 'ifIndex' ? { ifIndex: Number(counter) } : { interface: counter }))?.agencyId ?? null,
    });
  });
  router.post('/snmp-devices/:id/assign', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const b = form(req);
    const agencyId = str(b['agency']);
    await orRefused(res, async () => {
      const measure = await setAgencyMeasure(deps, actor, agencyId, measureFromForm(b, id));
      const name = (await agencyNames(deps)).get(agencyId) ?? agencyId;
      done(res, agenciesPath, fill(a.done.measureSaved, { name, counter: measure ? measureText(measure, a) : '', device: id }));
    }, refusedOnPage(res));
  });

  /** The RouterOS commands with the community or keys filled in: an admin's download, never a page. */
  router.get('/snmp-devices/:id/limpah-snmp.rsc', async (req, res) => {
    if (!can(locals(res).actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may download SNMP keys').says('adminOnly');
    const device = await snmpDeviceWithSecrets(deps, req.params['id']!);
    res.type('text/plain; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="limpah-snmp-${device.id}.rsc"`);
    res.send(routerOsSnmpScript({ device, pollerAddress: pollerAddressOf(deps.radius), reveal: true }));
  });

  // ------------------------------------------------------------------------------------------ telemetry keys

  router.post('/telemetry-keys', async (req, res) => {
    const b = form(req);
    await orRefused(res, async () => {
      const key = await createTelemetryKey(deps, locals(res).actor, str(b['name']).trim(), list(b['agencies']));
      await agenciesPage(res, null, key);
    }, refusedOnPage(res));
  });
  router.post('/telemetry-keys/:id/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    // Checked before a confirmation is asked for, and again by the service when it acts.
    if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
    const key = (await listTelemetryKeys(deps)).find((k) => k.id === req.params['id']);
    if (!key) throw new AdminError('NOT_FOUND', `no API key ${req.params['id']}`).says('noKey', { id: req.params['id']! });
    const c = a.confirm.revokeTelemetryKey;
    if (!confirmed(req, res, { title: fill(c.title, { name: key.name }), body: c.body, button: c.button, back: agenciesPath })) return;
    await revokeTelemetryKey(deps, actor, key.id);
    done(res, agenciesPath, fill(a.done.telemetryKeyRevoked, { name: key.name }));
  });
  return router;
}
