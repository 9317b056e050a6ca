/**
 * Every HTTP route of the service and the Lambda function that serves it. The CDK API stack adds
 * exactly these routes to API Gateway; the local HTTP server dispatches by the same table.
 */
export const httpFunctions = {
  api: { entry: 'functions/api.ts', description: 'Coordinator and inspectorate JSON API' },
  answerPage: { entry: 'functions/answer-page.ts', description: 'Organiser answer pages (GET shows, POST records)' },
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
  { method: 'POST', path: '/api/campaigns', fn: 'api' },
  { method: 'GET', path: '/api/campaigns', fn: 'api' },
  { method: 'GET', path: '/api/campaigns/{id}', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/launch', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/pause', fn: 'api' },
  { method: 'POST', path: '/api/campaigns/{id}/resume', fn: 'api' },
  { method: 'POST', path: '/api/plans', fn: 'api' },
];

/** Routes served only by the embedded local runtime, never deployed. */
export const localOnlyRoutes = ['/api/dev/clock'] as const;

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
