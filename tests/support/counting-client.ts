/** A DynamoDB document client that counts the requests it sends (an SDK middleware), for scale checks. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function countingDocClient(endpoint: string) {
  const client = new DynamoDBClient({ region: 'eu-north-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const counter = { requests: 0, byCommand: {} as Record<string, number> };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.requests++;
      const name = String(context.commandName ?? 'unknown');
      counter.byCommand[name] = (counter.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, counter, destroy: () => client.destroy() };
}
