/** The shape of one coordinator/inspectorate API route: the parsed event and the caller's role in, a response out. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '../respond.ts';
import type { Role } from '../request.ts';

export type ApiRoute = (event: APIGatewayProxyEventV2, role: Role) => Promise<HttpResult>;

/** Routes keyed by API Gateway route key, e.g. 'GET /api/dialogues/{id}' (also listed in routes.ts). */
export type ApiRoutes = Record<string, ApiRoute>;
