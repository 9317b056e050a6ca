/**
 * The HTTP API: exactly the routes of `functions/http/routes.ts`, each to the Lambda that serves
 * it, on a $default stage with throttling and JSON access logs. The access log records the route
 * key, never the raw path: answer links are capability URLs and must not end up in logs.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type HttpFunctionName, httpFunctions, routes } from '#functions/http/routes.ts';
import type { PhaseName } from '#workflows/index.ts';
import { type CloudEnvironment, type IMailSender, ServiceFunction } from '../constructs/service-function.ts';

/** The API's 5xx alarm: the share of 5xx answers in 5 minutes, once there are at least this many requests. */
export const API_5XX_ALARM = { percent: 5, minRequests: 20 };
/** The API's latency alarm: p95 over 5 minutes above this, three periods in a row. */
export const API_P95_ALARM_MS = 2500;

/** Requests per second (and burst) on each answer-link route, across all callers. */
export const ANSWER_RATE_LIMIT = 10;
export const ANSWER_BURST_LIMIT = 20;
/** The same on each calendar-feed route: subscribed calendars fetch every 15 minutes or less often. */
export const FEED_RATE_LIMIT = 5;
export const FEED_BURST_LIMIT = 10;

/** The public routes whose credential is in the path, each throttled on its own. */
export const pathCredentialLimits: Partial<Record<HttpFunctionName, { rate: number; burst: number }>> = {
  answerPage: { rate: ANSWER_RATE_LIMIT, burst: ANSWER_BURST_LIMIT },
  feeds: { rate: FEED_RATE_LIMIT, burst: FEED_BURST_LIMIT },
};

export interface ApiStackProps extends StackProps {
  readonly prefix: string;
  readonly table: ITableV2;
  readonly appSecret: ISecret;
  /** The inspectorate's calendar-feed key (read by the feeds; replaced from the console). */
  readonly feedSecret: ISecret;
  readonly stateMachines: Record<PhaseName, IStateMachine>;
  /** Shared settings plus the phases' *_STATE_MACHINE_ARN variables. */
  readonly environment: CloudEnvironment;
  readonly logRetention: logs.RetentionDays;
  readonly throttle: apigwv2.ThrottleSettings;
  /** The API mails the coordinator when a calendar change flags a dialogue conflict. */
  readonly mailSender?: IMailSender;
  /**
   * Sign-in: the Cognito user pool. /api/* routes get its JWT authorizer (tokens of
   * these clients); the console signs people in at its hosted UI; /r/{token} stays public.
   */
  readonly auth?: {
    readonly userPool: cognito.IUserPool;
    readonly consoleClient: cognito.IUserPoolClient;
    readonly apiClient: cognito.IUserPoolClient;
    readonly hostedUiUrl: string;
  };
  /** Optional custom domain (the host of PUBLIC_BASE_URL). */
  readonly domain?: {
    readonly domainName: string;
    readonly certificateArn: string;
  };
}

const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  userAgent: '$context.identity.userAgent',
};

/** The routes behind the JWT authorizer: the whole JSON API. */
export const isJwtProtected = (path: string): boolean => path.startsWith('/api/');

function publicReason(path: string): string {
  if (path.startsWith('/feeds/'))
    return 'Calendar subscriptions are fetched by calendar clients (Outlook, Google), which cannot sign in: the feed key in the path is a capability (a 256-bit random key, compared in constant time; a wrong key gets the same 404 as an unknown path); the routes are read-only and have their own tight throttle; the feeds carry no contacts, notes or answers.';
  if (path.startsWith('/r/'))
    return 'Organiser answer links are capability URLs: a signed, expiring, single-use token in the path, verified by the handler (forged and unknown tokens get the same 404); GET never changes state; the route has its own tight throttle.';
  if (path.startsWith('/console'))
    return 'Console pages are loaded by a browser, which sends no Authorization header on navigation, and an HTTP API JWT authorizer reads only headers and query strings. The handler signs people in at the Cognito hosted UI (code + PKCE, ID token verified with aws-jwt-verify, role from cognito:groups) and then requires its signed, expiring HttpOnly SameSite=Strict session cookie on every page, checks the role per page and a session-bound CSRF token on every POST.';
  return 'Authorisation is checked by the handler (coordinator or inspectorate role required).';
}

export class ApiStack extends Stack {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly functions: Record<HttpFunctionName, ServiceFunction>;
  /** The JWT authorizer on the /api/* routes, when the stack has a user pool. */
  public readonly authorizer?: HttpUserPoolAuthorizer;
  public readonly alarms: { serverErrorRate: cloudwatch.Alarm; latencyP95: cloudwatch.Alarm };

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const machines = Object.values(props.stateMachines);

    const api = new ServiceFunction(this, 'Api', {
      entry: httpFunctions.api.entry,
      functionName: `${props.prefix}-api`,
      description: httpFunctions.api.description,
      timeout: Duration.seconds(10),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .grantStateMachine(props.stateMachines.invitation, ['start']);
    if (props.mailSender) api.allowSendEmail(props.mailSender);
    // Booking, moving and cancelling meetings completes a phase's wait or starts its next round.
    api.grantStateMachine(props.stateMachines.meeting, ['start', 'respond']);

    const answerPage = new ServiceFunction(this, 'AnswerPage', {
      entry: httpFunctions.answerPage.entry,
      functionName: `${props.prefix}-answer-page`,
      description: httpFunctions.answerPage.description,
      timeout: Duration.seconds(10),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret);
    for (const machine of machines) answerPage.grantStateMachine(machine, ['respond']);
    // The organiser's meeting pages book, move and cancel (calendar mail) and may start a new offer round.
    answerPage.grantStateMachine(props.stateMachines.meeting, ['start']);
    if (props.mailSender) answerPage.allowSendEmail(props.mailSender);

    const consoleFn = new ServiceFunction(this, 'Console', {
      entry: httpFunctions.console.entry,
      functionName: `${props.prefix}-console`,
      description: httpFunctions.console.description,
      timeout: Duration.seconds(20),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .grantStateMachine(props.stateMachines.invitation, ['start'])
      .grantReadExecutions(`${props.prefix}-invitation`);
    for (const machine of machines) consoleFn.grantStateMachine(machine, ['respond']);
    consoleFn.grantStateMachine(props.stateMachines.meeting, ['start']);
    // Resending an invitation, a reminder now, a corrected address's invitation, the analysis material.
    if (props.mailSender) consoleFn.allowSendEmail(props.mailSender);

    // The console's meeting pages (move, cancel, new pair, notes, clash decisions, booking for the
    // organiser): calendar mail, and a booking or cancellation ends a phase's wait or starts a round.
    const consoleMeetings = new ServiceFunction(this, 'ConsoleMeetings', {
      entry: httpFunctions.consoleMeetings.entry,
      functionName: `${props.prefix}-console-meetings`,
      description: httpFunctions.consoleMeetings.description,
      timeout: Duration.seconds(20),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret);
    consoleMeetings.grantStateMachine(props.stateMachines.meeting, ['start', 'respond']);
    if (props.mailSender) consoleMeetings.allowSendEmail(props.mailSender);

    // The inspection import (API and console pages) alone carries the CSV and iCalendar parsers.
    // An import re-checks the dialogues it touches and mails the coordinator about a conflict.
    const inspectionImport = new ServiceFunction(this, 'InspectionImport', {
      entry: httpFunctions.inspectionImport.entry,
      functionName: `${props.prefix}-inspection-import`,
      description: httpFunctions.inspectionImport.description,
      timeout: Duration.seconds(20),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret);
    if (props.mailSender) inspectionImport.allowSendEmail(props.mailSender);

    // The console's campaign, start and planning pages (campaign records and the organisers they
    // select; starting dialogues for a chosen set starts their invitation workflows) and its
    // hand-back actions: a new offer round, a booking with its calendar mail, a retried step.
    const consoleCampaigns = new ServiceFunction(this, 'ConsoleCampaigns', {
      entry: httpFunctions.consoleCampaigns.entry,
      functionName: `${props.prefix}-console-campaigns`,
      description: httpFunctions.consoleCampaigns.description,
      timeout: Duration.seconds(20),
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .grantStateMachine(props.stateMachines.invitation, ['start']);
    consoleCampaigns.grantStateMachine(props.stateMachines.meeting, ['start', 'respond']);
    if (props.mailSender) consoleCampaigns.allowSendEmail(props.mailSender);
    // The launch page estimates the sending time from the account's real rate.
    consoleCampaigns.allowReadSendQuota();

    // The calendar subscriptions: read-only on the table, and of the secrets only the feed key.
    const feeds = new ServiceFunction(this, 'Feeds', {
      entry: httpFunctions.feeds.entry,
      functionName: `${props.prefix}-feeds`,
      description: httpFunctions.feeds.description,
      timeout: Duration.seconds(20),
      memorySize: 1024,
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'read', ['byKind'])
      .bindFeedSecret(props.feedSecret, 'read');

    // The console's pages that read (the dialogue list and search, a dialogue's page with its
    // workflow executions, statistics, inspectorate and facilitator pages): the facilitators' feed
    // keys, and the one grant to replace the inspectorate's feed key.
    const consoleReports = new ServiceFunction(this, 'ConsoleReports', {
      entry: httpFunctions.consoleReports.entry,
      functionName: `${props.prefix}-console-reports`,
      description: httpFunctions.consoleReports.description,
      timeout: Duration.seconds(20),
      memorySize: 1024,
      environment: props.environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .bindFeedSecret(props.feedSecret, 'rotate')
      .grantReadExecutions(`${props.prefix}-invitation`);

    this.functions = { api, answerPage, console: consoleFn, inspectionImport, consoleMeetings, consoleCampaigns, consoleReports, feeds };

    if (props.auth) {
      // The API reads the role from the authorizer's verified claims; the console verifies the
      // hosted UI's ID token itself (an HTTP API JWT authorizer reads only headers and query
      // strings, and a browser sends neither on a page load: the console's session is a cookie).
      const cognitoEnv = {
        COGNITO_USER_POOL_ID: props.auth.userPool.userPoolId,
        COGNITO_CLIENT_ID: props.auth.consoleClient.userPoolClientId,
        COGNITO_DOMAIN: props.auth.hostedUiUrl,
      };
      for (const fn of [api, consoleFn, inspectionImport, consoleMeetings, consoleCampaigns, consoleReports])
        for (const [k, v] of Object.entries(cognitoEnv)) fn.function.addEnvironment(k, v);
      this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.auth.userPool, {
        userPoolClients: [props.auth.apiClient, props.auth.consoleClient],
        identitySource: ['$request.header.Authorization'],
      });
    }

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.prefix,
      description: 'Kvalitetsdialog: coordinator API and organiser answer pages',
      createDefaultStage: false,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    const integrations = Object.fromEntries(
      Object.entries(this.functions).map(([name, fn]) => [
        name,
        // One invoke permission per function for the whole API: one per route (50 on the api
        // function) came close to Lambda's 20 KB resource-policy limit.
        new HttpLambdaIntegration(`${name}Integration`, fn.function, { scopePermissionToRoute: false }),
      ]),
    ) as Record<HttpFunctionName, HttpLambdaIntegration>;
    const routeByKey = new Map<string, apigwv2.HttpRoute>();
    for (const route of routes) {
      const protectedRoute = this.authorizer !== undefined && isJwtProtected(route.path);
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrations[route.fn],
        ...(protectedRoute ? { authorizer: this.authorizer } : {}),
      });
      for (const r of added) routeByKey.set(`${route.method} ${route.path}`, r);
      if (!protectedRoute)
        for (const r of added) Validations.of(r).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason: publicReason(route.path) });
    }

    // The organisers' answer links and the calendar feeds get a tighter limit of their own: a
    // person answers a few times at most and a calendar fetches every few minutes, so anything
    // faster is a script guessing or replaying keys.
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    const limited = routes.flatMap((r) => {
      const limit = pathCredentialLimits[r.fn];
      return limit ? [{ key: `${r.method} ${r.path}`, limit }] : [];
    });
    // routeSettings is raw CloudFormation JSON (a map keyed by route), so its keys are PascalCase.
    cfnStage.routeSettings = Object.fromEntries(
      limited.map(({ key, limit }) => [key, { ThrottlingRateLimit: limit.rate, ThrottlingBurstLimit: limit.burst }]),
    );
    // API Gateway resolves each RouteSettings key when it creates the stage ("Unable to find Route
    // by key ... within the provided RouteSettings" otherwise): the stage waits for those routes.
    for (const { key } of limited) {
      const route = routeByKey.get(key);
      if (!route) throw new Error(`route settings for ${key}, which is not a route`);
      this.stage.node.addDependency(route);
    }

    if (props.domain) {
      const domainName = new apigwv2.DomainName(this, 'DomainName', {
        domainName: props.domain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
      });
      new apigwv2.ApiMapping(this, 'ApiMapping', {
        api: this.httpApi,
        domainName,
        stage: this.stage,
      });
      new CfnOutput(this, 'DomainTarget', {
        description: `Point ${props.domain.domainName} (CNAME/alias) here`,
        value: domainName.regionalDomainName,
      });
    }

    // API Gateway's view of every route: a handler that crashes or times out, or an integration that
    // fails, is a 5xx; a slow console page or answer page shows in the p95 latency.
    const every5Minutes = { period: Duration.minutes(5) };
    this.alarms = {
      serverErrorRate: new cloudwatch.Alarm(this, 'ServerErrorRateAlarm', {
        alarmName: `${props.prefix}-api-5xx-rate`,
        alarmDescription: `More than ${API_5XX_ALARM.percent} % of the API's answers in 5 minutes were 5xx (with at least ${API_5XX_ALARM.minRequests} requests)`,
        metric: new cloudwatch.MathExpression({
          label: '5xx share (%)',
          expression: `IF(requests >= ${API_5XX_ALARM.minRequests}, 100 * errors / requests, 0)`,
          usingMetrics: {
            errors: this.httpApi.metricServerError({ ...every5Minutes, statistic: cloudwatch.Stats.SUM }),
            requests: this.httpApi.metricCount({ ...every5Minutes, statistic: cloudwatch.Stats.SUM }),
          },
          period: Duration.minutes(5),
        }),
        threshold: API_5XX_ALARM.percent,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      latencyP95: new cloudwatch.Alarm(this, 'LatencyP95Alarm', {
        alarmName: `${props.prefix}-api-latency-p95`,
        alarmDescription: `The API's p95 latency was above ${API_P95_ALARM_MS} ms for 15 minutes`,
        metric: this.httpApi.metricLatency({ ...every5Minutes, statistic: cloudwatch.Stats.percentile(95) }),
        threshold: API_P95_ALARM_MS,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };

    new CfnOutput(this, 'ApiUrl', {
      description: 'The execute-api URL (publicBaseUrl without a custom domain)',
      value: this.stage.url,
    });
  }
}
