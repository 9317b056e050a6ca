/**
 * Every HTTP route of the service and the Lambda function that serves it. The CDK API stack adds
 * exactly these routes to API Gateway; the local HTTP server dispatches by the same table.
 */
export const httpFunctions = {
  api: { entry: 'functions/api.ts', description: 'Coordinator and inspectorate JSON API' },
  answerPage: { entry: 'functions/answer-page.ts', description: 'Organiser answer pages (GET shows, POST records)' },
  console: { entry: 'functions/console.ts', description: 'Coordinator and inspectorate console (HTML pages)' },
  inspectionImport: {
    entry: 'functions/inspection-import.ts',
    description: 'Inspection import (CSV, iCalendar) for the API and the console',
  },
  consoleMeetings: {
    entry: 'functions/console-meetings.ts',
    description: 'Console pages that book, move or cancel meetings, decide clashes and register notes (HTML pages)',
  },
  consoleReports: {
    entry: 'functions/console-reports.ts',
    description: 'Console pages that read: dialogues and search, statistics, the inspectorate, facilitators (HTML pages)',
  },
  feeds: {
    entry: 'functions/feeds.ts',
    description: 'Calendar subscriptions: planned dialogue dates (inspectorate) and facilitator calendars',
  },
  consoleCampaigns: {
    entry: 'functions/console-campaigns.ts',
    description: 'Console pages for campaigns, starting dialogues, cycle planning and hand-backs (HTML pages)',
  },
} as const;
export type HttpFunctionName = keyof typeof httpFunctions;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: /api/dialogues/{id} */
  path: string;
  fn: HttpFunctionName;
}

export const routes: readonly RouteDef[] = [
  { method: 'GET', path: '/api/organisers', fn: 'api' },
  { method: 'POST', path: '/api/organisers', fn: 'api' },
  { method: 'GET', path: '/api/organisers/{id}', fn: 'api' },
  { method: 'GET', path: '/api/dialogues', fn: 'api' },
  { method: 'POST', path: '/api/dialogues', fn: 'api' },
  { method: 'GET', path: '/api/dialogues/{id}', fn: 'api' },
  { method: 'GET', path: '/r/{token}', fn: 'answerPage' },
  { method: 'POST', path: '/r/{token}', fn: 'answerPage' },
  // A meeting of the dialogue as .ics, from the organiser's overview page.
  { method: 'GET', path: '/r/{token}/{file}', fn: 'answerPage' },
  // Inspection calendar, clash checks and conflicts.
  { method: 'GET', path: '/api/inspections', fn: 'api' },
  { method: 'POST', path: '/api/inspections/import', fn: 'inspectionImport' },
  { method: 'PUT', path: '/api/inspections/{externalId}', fn: 'api' },
  { method: 'DELETE', path: '/api/inspections/{externalId}', fn: 'api' },
  { method: 'GET', path: '/api/conflicts', fn: 'api' },
  { method: 'POST', path: '/api/conflicts/{dialogueId}/decision', fn: 'api' },
  { method: 'POST', path: '/api/schedule/check', fn: 'api' },
  { method: 'GET', path: '/api/audit', fn: 'api' },
  // Facilitators, intro sessions, slot proposals and meetings.
  { method: 'POST', path: '/api/facilitators', fn: 'api' },
  { method: 'GET', path: '/api/facilitators', fn: 'api' },
  { method: 'GET', path: '/api/facilitators/{id}', fn: 'api' },
  { method: 'POST', path: '/api/facilitators/{id}/blocks', fn: 'api' },
  { method: 'POST', path: '/api/intro-sessions', fn: 'api' },
  { method: 'GET', path: '/api/intro-sessions', fn: 'api' },
  { method: 'GET', path: '/api/slot-proposals', fn: 'api' },
  { method: 'POST', path: '/api/meetings', fn: 'api' },
  { method: 'GET', path: '/api/meetings/{id}', fn: 'api' },
  { method: 'POST', path: '/api/meetings/{id}/reschedule', fn: 'api' },
  { method: 'POST', path: '/api/meetings/{id}/cancel', fn: 'api' },
  { method: 'POST', path: '/api/meetings/{id}/reassign', fn: 'api' },
  { method: 'PUT', path: '/api/meetings/{id}/participants', fn: 'api' },
  { method: 'POST', path: '/api/meetings/{id}/notes', fn: 'api' },
  { method: 'GET', path: '/api/dialogues/{id}/meetings', fn: 'api' },
  // The analysis material of a dialogue (the phases after acceptance).
  { method: 'POST', path: '/api/dialogues/{id}/documents', fn: 'api' },
  { method: 'PUT', path: '/api/dialogues/{id}/meeting-plan', fn: 'api' },
  { method: 'GET', path: '/api/dialogues/{id}/shared-chief', fn: 'api' },
  // The console for coordinators and the inspectorate.
  { method: 'GET', path: '/console', fn: 'consoleReports' },
  { method: 'GET', path: '/console/login', fn: 'console' },
  { method: 'POST', path: '/console/login', fn: 'console' },
  { method: 'POST', path: '/console/logout', fn: 'console' },
  { method: 'GET', path: '/console/dialogues/{id}', fn: 'consoleReports' },
  // The dialogue's own pages before its {action} confirmations (API Gateway prefers literal paths too).
  ...(['contact', 'material'] as const).flatMap((page) =>
    (['GET', 'POST'] as const).map((method) => ({ method, path: `/console/dialogues/{id}/${page}`, fn: 'console' as const })),
  ),
  // Pages that change how meetings are booked (calendar mail): a function of their own.
  ...(['conflict', 'book'] as const).flatMap((page) =>
    (['GET', 'POST'] as const).map((method) => ({ method, path: `/console/dialogues/{id}/${page}`, fn: 'consoleMeetings' as const })),
  ),
  { method: 'GET', path: '/console/dialogues/{id}/meetings/{meetingId}/notes', fn: 'consoleMeetings' },
  { method: 'POST', path: '/console/dialogues/{id}/meetings/{meetingId}/notes', fn: 'consoleMeetings' },
  { method: 'GET', path: '/console/dialogues/{id}/{action}', fn: 'console' },
  { method: 'POST', path: '/console/dialogues/{id}/{action}', fn: 'console' },
  { method: 'GET', path: '/console/dialogues/{id}/meetings/{meetingId}/{action}', fn: 'consoleMeetings' },
  { method: 'POST', path: '/console/dialogues/{id}/meetings/{meetingId}/{action}', fn: 'consoleMeetings' },
  { method: 'GET', path: '/console/metrics', fn: 'consoleReports' },
  { method: 'GET', path: '/console/metrics/{table}', fn: 'consoleReports' },
  { method: 'GET', path: '/console/inspection', fn: 'consoleReports' },
  { method: 'POST', path: '/console/inspection/feed', fn: 'consoleReports' },
  { method: 'GET', path: '/console/inspection/import', fn: 'inspectionImport' },
  { method: 'POST', path: '/console/inspection/import', fn: 'inspectionImport' },
  { method: 'GET', path: '/console/school-holidays', fn: 'console' },
  { method: 'POST', path: '/console/school-holidays', fn: 'console' },
  { method: 'GET', path: '/console/start', fn: 'consoleCampaigns' },
  { method: 'POST', path: '/console/start', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/start/{jobId}', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/start/{jobId}/status', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/assets/progress.js', fn: 'consoleCampaigns' },
  // Console sign-in through the Cognito hosted UI (cloud); 404 where Cognito is not configured.
  { method: 'GET', path: '/console/auth/login', fn: 'console' },
  { method: 'GET', path: '/console/auth/callback', fn: 'console' },
  // Campaigns and cycle planning.
  { method: 'POST', path: '/api/campaigns', fn: 'api' },
  { method: 'GET', path: '/api/campaigns', fn: 'api' },
  { method: 'DELETE', path: '/api/campaigns/{id}', fn: 'api' },
  { method: 'GET', path: '/api/campaigns/{id}', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/launch', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/pause', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/resume', fn: 'api' },
  { method: 'POST', path: '/api/plans', fn: 'api' },
  // Campaigns and cycle planning in the console; literal paths before {id} and {action}.
  { method: 'GET', path: '/console/campaigns', fn: 'consoleCampaigns' },
  { method: 'POST', path: '/console/campaigns', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/campaigns/new', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/campaigns/new/status', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/assets/campaign-new.js', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/campaigns/{id}', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/campaigns/{id}/status', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/campaigns/{id}/{action}', fn: 'consoleCampaigns' },
  { method: 'POST', path: '/console/campaigns/{id}/{action}', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/assets/campaign-progress.js', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/planning', fn: 'consoleCampaigns' },
  // Acting on dialogues handed back to the coordinator, one or a selection at once.
  { method: 'GET', path: '/console/handbacks', fn: 'consoleCampaigns' },
  { method: 'POST', path: '/console/handbacks', fn: 'consoleCampaigns' },
  { method: 'GET', path: '/console/handbacks/{formId}', fn: 'consoleCampaigns' },
  // Facilitators and their calendar subscriptions in the console.
  { method: 'GET', path: '/console/facilitators', fn: 'consoleReports' },
  { method: 'GET', path: '/console/facilitators/{id}', fn: 'consoleReports' },
  { method: 'POST', path: '/console/facilitators/{id}/feed', fn: 'consoleReports' },
  // Planned dialogue dates for the inspectorate, and the calendar subscriptions (key in the path).
  { method: 'GET', path: '/api/planned-dates', fn: 'api' },
  { method: 'GET', path: '/feeds/{feedKey}/planned-dates.ics', fn: 'feeds' },
  { method: 'GET', path: '/feeds/{feedKey}/calendar.ics', fn: 'feeds' },
];

/** Routes served only by the embedded local runtime, never deployed. */
export const localOnlyRoutes = ['/api/dev/clock', '/api/dev/ses-event'] as const;

/** Compiles an API Gateway path to a matcher that returns the path parameters. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(
    `^${pattern.replace(/\{(\w+)\}/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    })}$`,
  );
  const m = re.exec(path);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
}
