import { Router } from 'express';
import { fill } from '../problems';
import { hourBarChart, rightSizingAgenciesCsv, rightSizingHoursCsv } from '../right-sizing-view';
import { RIGHT_SIZING_DEFAULT_DAYS, rightSizingReport } from '../service';
import { locals, str, type ConsoleDeps } from './common';

/**
 * The right-sizing report page, /admin/reports/right-sizing?days=30: read-only, so any signed-in account (a viewer
 * too) reads it, as the reports page. `format=csv` downloads the agencies' table, with `part=hours` the hours'.
 * The page prints (public/right-sizing.css): the console's bar, forms and links stay off paper.
 */

/** The periods offered; a period in the address outside the list is shown too. */
const PERIODS = [7, 14, 30, 60, 90, 180, 365] as const;
const MAX_DAYS = 400;

export function rightSizingRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/reports/right-sizing', async (req, res) => {
    const { a, fmt } = locals(res);
    const asked = Number(str(req.query['days']));
    const days = Number.isInteger(asked) && asked >= 1 && asked <= MAX_DAYS ? asked : RIGHT_SIZING_DEFAULT_DAYS;
    const report = await rightSizingReport(deps, days);
    if (req.query['format'] === 'csv') {
      const hours = req.query['part'] === 'hours';
      const name = `limpah-right-sizing-${hours ? 'hours' : 'agencies'}-${new Date(report.toMs).toISOString().slice(0, 10)}-${report.days}d.csv`;
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}"`);
      res.send(hours ? rightSizingHoursCsv(report) : rightSizingAgenciesCsv(report));
      return;
    }
    const periods = [...new Set([...PERIODS.filter((p) => p <= report.retentionDays), report.retentionDays, report.days])].sort((x, y) => x - y);
    const chart = hourBarChart({
      title: a.rightSizing.chartTitle,
      unit: 'Mbps',
      axisLabel: a.rightSizing.hourAxis,
      values: report.hours.map((h) => h.gainDownKbps / 1000),
      barLabel: (hour, value) => fill(a.rightSizing.barLabel, { hour: `${String(hour).padStart(2, '0')}.00`, value: fmt.num(value, 1) + ' Mbps' }),
      lang: a.lang === 'en' ? 'en' : 'id',
    });
    res.render('admin/right-sizing', { report, chart, periods });
  });
  return router;
}
