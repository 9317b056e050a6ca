/**
 * The local HTTP server: turns each request into an API Gateway HTTP API (v2) event and calls the
 * SAME Lambda handler that API Gateway would, by the route table in functions/http/routes.ts.
 * Local-only routes (/api/dev/*) and the index page are served here directly. A body over
 * Lambda's payload limit is answered 413 here, as API Gateway would, without calling a handler.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError } from '#core/errors.ts';
import { errorResult } from '#functions/http/errors.ts';
import { withSecurityHeaders } from '#functions/http/middleware.ts';
import { unknownPath } from '#functions/http/respond.ts';
import { type HttpFunctionName, matchPath, routes } from '#functions/http/routes.ts';
import { guardLoopback } from './loopback.mjs';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<{
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}>;
export type LocalRoute = (req: {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}) => Promise<{ status: number; body: unknown; type?: string }>;

/** Lambda's limit on a synchronous invocation's payload: API Gateway hands on nothing larger. */
export const MAX_BODY = 6 * 1024 * 1024;
/** A client sending more than this is cut off instead of read to the end (an answer would never arrive anyway). */
const MAX_DRAIN = 64 * 1024 * 1024;

/**
 * The request's body, or `tooLarge` when it exceeds MAX_BODY. An oversized body is still read to
 * its end (and dropped), so the client receives the 413 instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAIN) {
        req.destroy();
        return;
      }
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve({ body: size > MAX_BODY ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > MAX_BODY }));
    req.on('error', reject);
  });
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters,
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

export interface LocalHttpServerOptions {
  handlers: Record<HttpFunctionName, HttpHandler>;
  local: Record<string, LocalRoute>;
  index: () => string;
  /** Why the runtime cannot serve (its storage failed): every request is answered 503 with it. */
  unavailable?: () => string | undefined;
}

export async function startHttpServer(port: number, options: LocalHttpServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, type: string, headers: Record<string, string | string[]> = {}) => {
      // No keep-alive: a client never reuses a socket across a restart of the local runtime.
      res.writeHead(status, { 'content-type': type, ...headers, connection: 'close' });
      res.end(body);
    };
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const method = req.method ?? 'GET';
      const { body, tooLarge } = await readBody(req);
      const down = () => {
        const why = options.unavailable?.();
        return why ? send(503, JSON.stringify({ error: 'unavailable', message: why }), 'application/json; charset=utf-8') : undefined;
      };
      if (options.unavailable?.()) return down();
      if (tooLarge) {
        // What API Gateway answers: 413, in the form of the path's surface (JSON, or a Swedish page).
        const r = withSecurityHeaders(errorResult(new PayloadTooLargeError(MAX_BODY), url.pathname));
        return send(r.statusCode, r.body, r.headers['content-type'] ?? 'application/json', r.headers);
      }
      if (url.pathname === '/' && method === 'GET') return send(200, options.index(), 'text/html; charset=utf-8');
      const local = options.local[`${method} ${url.pathname}`];
      if (local) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const r = await local({
          method,
          path: url.pathname,
          body: body.toString('utf8'),
          headers,
        });
        return send(r.status, typeof r.body === 'string' ? r.body : JSON.stringify(r.body), r.type ?? 'application/json; charset=utf-8');
      }
      let pathMatched = false;
      for (const route of routes) {
        const params = matchPath(route.path, url.pathname);
        if (!params) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        const result = await options.handlers[route.fn](toEvent(req, url, body, `${route.method} ${route.path}`, params));
        // The storage failed during this request: say why, not "something went wrong".
        if (result.statusCode >= 500 && options.unavailable?.()) return down();
        // API Gateway v2 turns the result's `cookies` into one Set-Cookie header each.
        const cookies = (result as { cookies?: string[] }).cookies;
        const headers: Record<string, string | string[]> = {
          ...(result.headers ?? {}),
          ...(cookies?.length ? { 'set-cookie': cookies } : {}),
        };
        return send(result.statusCode, result.body ?? '', result.headers?.['content-type'] ?? 'application/json', headers);
      }
      return pathMatched
        ? send(
            405,
            JSON.stringify({
              error: 'method_not_allowed',
              message: `${method} is not allowed on ${url.pathname}`,
            }),
            'application/json',
          )
        : // What API Gateway answers when no route matches (and a feed answers an unknown key).
          (() => {
            const r = unknownPath();
            return send(r.statusCode, r.body, r.headers['content-type'] ?? 'application/json');
          })();
    } catch {
      send(
        400,
        JSON.stringify({
          error: 'bad_request',
          message: 'The request could not be read',
        }),
        'application/json',
      );
    }
  });
  guardLoopback(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use: stop the other process or set PORT`) : e),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}
