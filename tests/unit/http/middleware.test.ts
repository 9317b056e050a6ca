/** The middy stack of every HTTP entry: one error middleware per surface, security headers, metrics flushed as EMF. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from '#core/errors.ts';
import { buildDeps, setDeps } from '#adapters/deps.ts';
import { readEnv } from '#adapters/env.ts';
import { logger, metrics } from '#adapters/observability.ts';
import { httpEntry } from '#functions/http/middleware.ts';
import { type HttpResult, json } from '#functions/http/respond.ts';

const event = (path: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path }, domainName: 'localhost', requestId: 'r1' },
  }) as unknown as APIGatewayProxyEventV2;

const context = { functionName: 'api', awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const call = (handler: () => Promise<HttpResult>, path: string) => httpEntry(handler)(event(path), context) as Promise<HttpResult>;
const throwing = (e: unknown) => async (): Promise<HttpResult> => {
  throw e;
};

beforeAll(() => {
  setDeps(
    buildDeps(
      readEnv({
        TABLE_NAME: 't',
        INVITATION_STATE_MACHINE_ARN: 'arn:aws:states:eu-north-1:000000000000:stateMachine:x',
        PUBLIC_BASE_URL: 'http://localhost',
        MAIL_FROM: 'a@b.se',
        MAIL_REPLY_TO: 'a@b.se',
        COORDINATOR_EMAIL: 'a@b.se',
        LINK_SIGNING_KEY: 'k'.repeat(32),
        COORDINATOR_TOKEN: 'c'.repeat(16),
        INSPECTORATE_TOKEN: 'i'.repeat(16),
      }),
    ),
  );
});
afterAll(() => setDeps(undefined));

describe('the error middleware', () => {
  it('answers the JSON API with the domain error as JSON, and the common headers', async () => {
    const r = await call(
      throwing(new ValidationError('Invalid organiser', [{ path: 'orgNumber', message: 'required' }])),
      '/api/organisers',
    );
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body)).toEqual({
      error: 'validation_failed',
      message: 'Invalid organiser',
      issues: [{ path: 'orgNumber', message: 'required' }],
    });
    expect(r.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' });
  });

  it('answers an unexpected error with 500 and an error id, never the stack', async () => {
    const r = await call(throwing(new Error('secret detail at line 3')), '/api/dialogues');
    expect(r.statusCode).toBe(500);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ error: 'internal', errorId: expect.any(String) });
    expect(r.body).not.toContain('secret detail');
  });

  it('answers the console with its Swedish error page', async () => {
    const forbidden = await call(throwing(new ForbiddenError('Sidan är inte till för din roll.')), '/console/metrics');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toContain('text/html');
    expect(forbidden.body).toContain('Ingen behörighet');
    expect(forbidden.headers).toMatchObject({
      'x-frame-options': 'DENY',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    });
    const missing = await call(throwing(new NotFoundError('Tabellen finns inte.')), '/console/metrics/x.csv');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Tabellen finns inte.');
  });

  it('answers an organiser page with a Swedish page, also for a body over the limit', async () => {
    const r = await call(throwing(new PayloadTooLargeError(256 * 1024)), '/r/abc');
    expect(r.statusCode).toBe(413);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('för stort');
    const failed = await call(throwing(new Error('boom')), '/r/abc');
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toContain('Ditt svar kunde inte sparas just nu.');
  });
});

describe('security headers', () => {
  it('keeps a header the response sets itself', async () => {
    const r = await call(async () => json(200, {}, { 'cache-control': 'private, max-age=300' }), '/api/x');
    expect(r.headers['cache-control']).toBe('private, max-age=300');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('metrics', () => {
  it('flushes what an invocation recorded as one EMF line on stdout, with the stage dimension', async () => {
    // Prepare
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // Act
    await call(async () => {
      metrics.addMetric('AnswersRecorded', MetricUnit.Count, 1);
      return json(200, {});
    }, '/api/x');
    // Assess
    const lines = out.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"_aws"'));
    out.mockRestore();
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}');
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Kvalitetsdialog',
      Metrics: [{ Name: 'AnswersRecorded', Unit: 'Count' }],
    });
    expect(emf).toMatchObject({ stage: 'local', service: 'kvalitetsdialog', AnswersRecorded: 1 });
  });

  it('notes an invocation that recorded no metric at debug level, not as a warning', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const debug = vi.spyOn(logger, 'debug');
    await call(async () => json(200, {}), '/api/x');
    expect(warn).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('No application metrics to publish'));
  });
});
