/**
 * Lambda: the invitation and meeting phases' Step Functions tasks (functions/use-cases/workflow-tasks.ts).
 * Domain errors leave with their class name, which the state machine's Catch and Retry match; a
 * transient AWS error (DynamoDB throttling, a dropped connection) leaves as a TransientError, which
 * it retries.
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { observed } from '#adapters/observability.ts';
import { asTransient } from '#adapters/transient.ts';
import { runWorkflowTask, type TaskEvent } from '#functions/use-cases/workflow-tasks.ts';

export type { TaskEvent };

export const handler = middy<TaskEvent, unknown>()
  .use(observed())
  .use({
    onError: (request) => {
      request.error = asTransient(request.error) as Error;
    },
  })
  .handler((event) => runWorkflowTask(deps(), event));
