/**
 * Lambda: the invitation and meeting phases' Step Functions tasks (functions/use-cases/workflow-tasks.ts).
 * Errors are not caught: the state machine's Catch and Retry match their class names.
 */
import middy from '@middy/core';
import { deps } from '#adapters/deps.ts';
import { observed } from '#adapters/observability.ts';
import { runWorkflowTask, type TaskEvent } from '#functions/use-cases/workflow-tasks.ts';

export type { TaskEvent };

export const handler = middy<TaskEvent, unknown>()
  .use(observed())
  .handler((event) => runWorkflowTask(deps(), event));
