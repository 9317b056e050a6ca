import { describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/api.ts';
import { consoleRouteKeys } from '#functions/console.ts';
import { consoleCampaignRouteKeys } from '#functions/console-campaigns.ts';
import { consoleReportRouteKeys } from '#functions/console-reports.ts';
import { feedRouteKeys } from '#functions/http/feeds.ts';
import { matchPath, routes } from '#functions/http/routes.ts';
import { inspectionImportRouteKeys } from '#functions/inspection-import.ts';

describe('route table', () => {
  it('lists exactly the routes the api function implements (so API Gateway and the local server agree)', () => {
    const listed = routes.filter((r) => r.fn === 'api').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual(Object.keys(apiRoutes).sort());
  });

  it('lists exactly the routes the console function serves', () => {
    const listed = routes.filter((r) => r.fn === 'console').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual([...consoleRouteKeys].sort());
  });

  it('lists exactly the routes the inspection-import function serves (API and console import)', () => {
    const listed = routes.filter((r) => r.fn === 'inspectionImport').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual([...inspectionImportRouteKeys].sort());
    expect(listed).toContain('POST /api/inspections/import');
    expect(listed).toContain('POST /console/inspection/import');
  });

  it('lists exactly the routes the console-campaigns function serves (campaign and planning pages)', () => {
    const listed = routes.filter((r) => r.fn === 'consoleCampaigns').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual([...consoleCampaignRouteKeys].sort());
    expect(listed).toContain('GET /console/planning');
  });

  it('lists exactly the routes the console-reports function serves (statistics, inspectorate, facilitators)', () => {
    const listed = routes.filter((r) => r.fn === 'consoleReports').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual([...consoleReportRouteKeys].sort());
    expect(listed).toContain('GET /console/metrics');
  });

  it('lists exactly the routes the feeds function serves (the calendar subscriptions)', () => {
    const listed = routes.filter((r) => r.fn === 'feeds').map((r) => `${r.method} ${r.path}`);
    expect(listed.sort()).toEqual([...feedRouteKeys].sort());
  });

  it('matches API Gateway path parameters', () => {
    expect(matchPath('/api/dialogues/{id}', '/api/dialogues/dlg-1')).toEqual({ id: 'dlg-1' });
    expect(matchPath('/api/dialogues/{id}', '/api/dialogues/a/b')).toBeUndefined();
    expect(matchPath('/r/{token}', '/r/a%2Fb')).toEqual({ token: 'a/b' });
  });
});
