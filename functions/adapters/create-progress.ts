/**
 * How far a campaign draft has come while its create form is being posted, noted on the form's
 * claim (CAMPFORM#<formId>, functions/adapters/campaign-console-repository.ts) for the form page's
 * progress to read. Built from the shared client where it is used.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CreateProgress } from './campaign-console-repository.ts';
import type { Deps } from './deps.ts';
import { isConditionFailure } from './dynamo.ts';
import { campaignConsoleKeys } from './table-model.ts';

export async function noteCreateProgress(d: Pick<Deps, 'aws' | 'env'>, formId: string, progress: CreateProgress): Promise<void> {
  try {
    await d.aws.doc.send(
      new UpdateCommand({
        TableName: d.env.TABLE_NAME,
        Key: campaignConsoleKeys.createForm(formId),
        UpdateExpression: 'SET progress = :p',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(campaignId)',
        ExpressionAttributeValues: { ':p': progress },
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e; // the draft is done (or the form gone): nothing left to report
  }
}
