/**
 * Read queries over the indexes that no single dialogue answers: which are in a state (the
 * waiting gauge, byState), the dialogues changed in a period (the facts sweep: byKind, by last
 * change; or every state of byState while earlier versions may still be writing). Never a Scan.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Dialogue, type DialogueState, dialogueStates } from '#core/dialogue.ts';
import type { DialogueQueries } from '#core/ports.ts';
import { unpackDialogue } from './dialogue-item.ts';

export class DynamoDialogueQueries implements DialogueQueries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async idsInState(state: DialogueState): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byState',
          KeyConditionExpression: 'statePk = :k',
          ExpressionAttributeValues: { ':k': `DIALOGUE#${state}` },
          ProjectionExpression: 'pk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) ids.push(String(item.pk).slice('DLG#'.length));
      start = r.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async changedBetween(from: string, to: string): Promise<Dialogue[]> {
    const out: Dialogue[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byKind',
          // kindSk is `<updatedAt>|<createdAt>`: changed after `from` up to and including `to`. (Items
          // written before this shape hold createdAt: read if created in the period, and checked alike.)
          KeyConditionExpression: 'kindPk = :k AND kindSk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':k': 'DIALOGUE', ':from': `${from}|\uffff`, ':to': `${to}|\uffff` },
          ExclusiveStartKey: start,
        }),
      );
      for (const raw of r.Items ?? []) out.push(unpackDialogue(raw));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async changedBetweenByState(from: string, to: string): Promise<Dialogue[]> {
    const perState = await Promise.all(
      dialogueStates.map(async (state) => {
        const out: Dialogue[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const r = await this.doc.send(
            new QueryCommand({
              TableName: this.table,
              IndexName: 'byState',
              // stateSk is updatedAt (`<updatedAt>#<id>` on older items): after `from` up to and including `to`.
              KeyConditionExpression: 'statePk = :k AND stateSk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':k': `DIALOGUE#${state}`, ':from': `${from}#\uffff`, ':to': `${to}#\uffff` },
              ExclusiveStartKey: start,
            }),
          );
          for (const raw of r.Items ?? []) out.push(unpackDialogue(raw));
          start = r.LastEvaluatedKey;
        } while (start);
        return out;
      }),
    );
    return perState.flat();
  }
}
