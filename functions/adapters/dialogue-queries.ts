/**
 * Read queries over the indexes that no single dialogue answers: which are in a state (the
 * waiting gauge, byState), the dialogues changed in a period (the facts sweep: byKind, by last
 * change; or every state of byState while earlier versions may still be writing). Never a Scan.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Dialogue, type DialogueState, dialogueStates } from '#core/dialogue.ts';
import type { DialogueQueries } from '#core/ports.ts';
import { unpackDialogue } from './dialogue-item.ts';
import { queryAll } from './dynamo.ts';

export class DynamoDialogueQueries implements DialogueQueries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async idsInState(state: DialogueState): Promise<string[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'byState',
      KeyConditionExpression: 'statePk = :k',
      ExpressionAttributeValues: { ':k': `DIALOGUE#${state}` },
      ProjectionExpression: 'pk',
    });
    return items.map((item) => String(item.pk).slice('DLG#'.length));
  }

  async changedBetween(from: string, to: string): Promise<Dialogue[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'byKind',
      // kindSk is `<updatedAt>|<createdAt>`: changed after `from` up to and including `to`. (Items
      // written before this shape hold createdAt: read if created in the period, and checked alike.)
      KeyConditionExpression: 'kindPk = :k AND kindSk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':k': 'DIALOGUE', ':from': `${from}|\uffff`, ':to': `${to}|\uffff` },
    });
    return items.map((raw) => unpackDialogue(raw));
  }

  async changedBetweenByState(from: string, to: string): Promise<Dialogue[]> {
    const perState = await Promise.all(
      dialogueStates.map(async (state) =>
        (
          await queryAll(this.doc, {
            TableName: this.table,
            IndexName: 'byState',
            // stateSk is updatedAt (`<updatedAt>#<id>` on older items): after `from` up to and including `to`.
            KeyConditionExpression: 'statePk = :k AND stateSk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':k': `DIALOGUE#${state}`, ':from': `${from}#\uffff`, ':to': `${to}#\uffff` },
          })
        ).map((raw) => unpackDialogue(raw)),
      ),
    );
    return perState.flat();
  }
}
