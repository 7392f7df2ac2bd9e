import { Router } from 'express';
import { readAudit } from '../audit';
import { auditRows, targetMatches } from '../audit-view';
import { buildReport, CHART_RANGES, dayToIso, downsample, historyStart, isoToDay, lineChart, poolHistory, poolOverview, reportCsv, wibDay, type ChartRange } from '../insight';
import { fill } from '../problems';
import { listHotspots } from '../service';
import { agencyNames, basisText, locals, str, type ConsoleDeps } from './common';

/** The console's pages that only read: the dashboard, the reports and the audit log. */

export function insightRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { a, fmt } = locals(res);
    const [overview, started] = await Promise.all([poolOverview(deps), historyStart(deps.redis, deps.keys)]);
    const toMs = overview.atMs;
    // As chosen; else a day, or the last hour while Limpah has sampled less than an hour (a fresh install), so
    // that its first minutes are not a dot at the right edge of a day.
    const ranges = Object.keys(CHART_RANGES) as ChartRange[];
    const range = ranges.find((r) => r === req.query['range']) ?? (started === null || toMs - started < CHART_RANGES['1h'] ? '1h' : '24h');
    const fromMs = toMs - CHART_RANGES[range];
    const history = downsample(await poolHistory(deps.redis, deps.keys, CHART_RANGES[range] / 3600_000), fromMs, toMs);
    const common = { fromMs, toMs, lang: a.lang === 'en' ? 'en' : 'id', noDataLabel: a.dashboard.noData } as const;
    const capacityChart = lineChart({
      ...common, title: fill(a.dashboard.chartCapacity, { range: a.dashboard.ranges[range] }), unit: 'Mbps',
      series: [
        { label: a.dashboard.capacity, color: '#0b5d3b', points: history.map((s) => [s.t, s.capDownKbps / 1000] as const) },
        { label: a.dashboard.allocation, color: '#c2410c', points: history.map((s) => [s.t, s.allocDownKbps / 1000] as const) },
      ],
    });
    const sessionsChart = lineChart({
      ...common, title: fill(a.dashboard.chartSessions, { range: a.dashboard.ranges[range] }), unit: '', integer: true,
      series: [{ label: a.col.sessions, color: '#0b4f8a', points: history.map((s) => [s.t, s.sessions] as const) }],
    });
    const dataSince = started !== null && started > fromMs ? fmt.when(started) : null;
    res.render('admin/dashboard', { overview, capacityChart, sessionsChart, range, ranges, dataSince, agencyNames: await agencyNames(deps), basisText: await basisText(deps, res) });
  });

  router.get('/reports', async (req, res) => {
    const today = wibDay(Date.now());
    const to = isoToDay(str(req.query['to'])) ?? today;
    const from = isoToDay(str(req.query['from'])) ?? to - 6;
    const report = await buildReport(deps, Math.min(from, to), to);
    if (req.query['format'] === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="limpah-${report.from}-${report.to}.csv"`);
      res.send(reportCsv(report));
      return;
    }
    res.render('admin/reports', { report, from: dayToIso(Math.min(from, to)), to: dayToIso(to) });
  });

  router.get('/audit', async (req, res) => {
    const { a, fmt } = locals(res);
    const filter = { actor: str(req.query['actor']) || undefined, action: str(req.query['action']) || undefined, target: str(req.query['target']) || undefined };
    const [hotspots, agencies] = await Promise.all([listHotspots(deps), agencyNames(deps)]);
    const names = { hotspots: new Map(hotspots.map((h) => [h.id, h.name])), agencies };
    // The object filter matches ids and names: "Taman Kota" finds hotspot:taman-kota-sampit.
    const entries = (await readAudit(deps.redis, deps.keys, { actor: filter.actor, action: filter.action, limit: filter.target ? 1000 : 200 }))
      .filter((e) => targetMatches(e.target, filter.target ?? '', a, names))
      .slice(0, 200);
    res.render('admin/audit', { rows: auditRows(entries, a, fmt, names), filter, actions: Object.keys(a.audit.actions) });
  });
  return router;
}
