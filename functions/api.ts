/**
 * Lambda: the coordinator JSON API (API Gateway HTTP API). Dispatches on the route key; every
 * route checks the caller's role, validates with zod and calls one use-case.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Dialogue } from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import { deps } from '#adapters/deps.ts';
import { errorResponse, type HttpResult, json } from '#functions/http/respond.ts';
import { jsonBody, requireRole, type Role, roleOf } from '#functions/http/request.ts';
import { createDialogue, getDialogue, listDialogues } from '#functions/use-cases/dialogues.ts';
import { getOrganiser, listOrganisers, upsertOrganiser } from '#functions/use-cases/organisers.ts';
import { parseOrThrow } from '#functions/use-cases/validate.ts';
import { z } from 'zod';

type Route = (event: APIGatewayProxyEventV2, role: Role) => Promise<HttpResult>;

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2000).optional(),
});

/** The API never hands out the workflow's task token. */
const view = <T extends Dialogue>({ waitToken, version, ...rest }: T) => ({ ...rest, waitingForAnswer: Boolean(waitToken) });

const COORDINATOR: readonly Role[] = ['coordinator'];

const routes: Record<string, Route> = {
  'GET /api/organisers': async (event, role) => {
    requireRole(role, COORDINATOR);
    const q = parseOrThrow(pageQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await listOrganisers(deps(), q.limit, q.cursor));
  },
  'POST /api/organisers': async (event, role) => {
    requireRole(role, COORDINATOR);
    const { organiser, created } = await upsertOrganiser(deps(), jsonBody(event));
    return json(created ? 201 : 200, organiser);
  },
  'GET /api/organisers/{id}': async (event, role) => {
    requireRole(role, COORDINATOR);
    return json(200, await getOrganiser(deps(), event.pathParameters?.id ?? ''));
  },
  'POST /api/dialogues': async (event, role) => {
    requireRole(role, COORDINATOR);
    const { dialogue, created } = await createDialogue(deps(), jsonBody(event));
    return created
      ? json(201, { id: dialogue.id, state: dialogue.state }, { location: `/api/dialogues/${dialogue.id}` })
      : json(409, {
          error: 'conflict',
          message: `The organiser already has dialogue ${dialogue.id} in cycle ${dialogue.cycle}`,
          id: dialogue.id,
        });
  },
  'GET /api/dialogues': async (event, role) => {
    requireRole(role, COORDINATOR);
    const page = await listDialogues(deps(), event.queryStringParameters ?? {});
    return json(200, { ...page, items: page.items.map(view) });
  },
  'GET /api/dialogues/{id}': async (event, role) => {
    requireRole(role, COORDINATOR);
    return json(200, view(await getDialogue(deps(), event.pathParameters?.id ?? '')));
  },
};

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler(async (event) => {
  try {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    const role = roleOf(event, await deps().secrets());
    return await route(event, role);
  } catch (e) {
    return errorResponse(e);
  }
});
