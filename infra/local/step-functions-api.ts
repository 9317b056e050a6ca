/**
 * The Step Functions JSON 1.0 API of the local runner, on 127.0.0.1: the operations the handlers'
 * SFNClient and the tests call (StartExecution, SendTask*, DescribeExecution, ListExecutions,
 * GetExecutionHistory, StopExecution), answering with AWS's shapes and error types.
 */
import { createServer, type Server } from 'node:http';
import { guardLoopback } from './loopback.mjs';
import type { AddressInfo } from 'node:net';
import type { ExecutionRecord, LocalStepFunctions } from './step-functions.ts';
import { StepFunctionsError } from './state-machine-registry.ts';

export async function serveStepFunctionsApi(sfn: LocalStepFunctions, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      let status = 200;
      let out: unknown;
      try {
        out = dispatch(sfn, target, body ? JSON.parse(body) : {});
      } catch (e) {
        status = 400;
        const type = e instanceof StepFunctionsError ? e.type : 'InvalidArn';
        out = { __type: type, message: (e as Error).message };
      }
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out ?? {}));
    });
  });
  guardLoopback(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function dispatch(sfn: LocalStepFunctions, target: string, req: Record<string, unknown>): unknown {
  const secs = (iso?: string) => (iso ? new Date(iso).getTime() / 1000 : undefined);
  const summary = (r: ExecutionRecord) => ({
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: secs(r.startDate),
    stopDate: secs(r.stopDate),
    stateMachineVersionArn: r.stateMachineVersionArn,
    stateMachineAliasArn: r.stateMachineAliasArn,
  });
  switch (target) {
    case 'StartExecution': {
      const r = sfn.startExecution(String(req.stateMachineArn), req.name as string | undefined, JSON.parse(String(req.input ?? '{}')));
      return { executionArn: r.executionArn, startDate: secs(r.startDate) };
    }
    case 'SendTaskSuccess':
      sfn.sendTaskSuccess(String(req.taskToken), JSON.parse(String(req.output ?? '{}')));
      return {};
    case 'SendTaskFailure':
      sfn.sendTaskFailure(String(req.taskToken), req.error as string | undefined, req.cause as string | undefined);
      return {};
    case 'SendTaskHeartbeat':
      sfn.heartbeat(String(req.taskToken));
      return {};
    case 'DescribeExecution': {
      const r = sfn.describe(String(req.executionArn));
      return {
        ...summary(r),
        input: JSON.stringify(r.input),
        output: r.output === undefined ? undefined : JSON.stringify(r.output),
        error: r.error,
        cause: r.cause,
      };
    }
    case 'ListExecutions':
      return {
        executions: sfn.list(req.stateMachineArn as string, req.statusFilter as string).map(summary),
      };
    case 'GetExecutionHistory': {
      const r = sfn.describe(String(req.executionArn));
      return {
        events: r.events.map((e) => {
          const failure = failureOf(e.detail);
          return {
            id: e.id,
            timestamp: secs(e.timestamp),
            type: e.type,
            ...(e.state && e.type !== 'StateExited' ? { stateEnteredEventDetails: { name: e.state } } : {}),
            ...(e.state && e.type === 'StateExited' ? { stateExitedEventDetails: { name: e.state } } : {}),
            // Errors (a failed, retried or caught state, a failed execution) travel in the modelled
            // executionFailedEventDetails, so the SDK keeps them.
            ...(failure ? { executionFailedEventDetails: failure } : {}),
          };
        }),
      };
    }
    case 'StopExecution':
      sfn.stop(String(req.executionArn), req.error as string | undefined, req.cause as string | undefined);
      return { stopDate: Date.now() / 1000 };
    default:
      throw new StepFunctionsError('UnknownOperationException', `The local Step Functions service does not implement ${target}`);
  }
}

/** The error and cause an event's detail carries, whatever shape the runner gave it. */
function failureOf(detail: unknown): { error: string; cause?: string } | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const d = detail as { error?: unknown; cause?: unknown; name?: unknown; message?: unknown };
  const error = d.error ?? d.name;
  if (typeof error !== 'string' && !(error && typeof error === 'object')) return undefined;
  if (error && typeof error === 'object') return failureOf(error);
  const cause = d.cause ?? d.message;
  return { error, cause: typeof cause === 'string' ? cause.slice(0, 2000) : undefined };
}
