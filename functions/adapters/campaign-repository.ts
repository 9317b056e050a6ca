/**
 * Campaigns in the single table: the campaign records share the partition `CAMPAIGN` (a handful
 * per cycle), each campaign's recipients live under `CAMPAIGN#<id>` in invitation order, so the
 * sender reads the next batch with one Query from its position. Single-item conditional writes.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign, CampaignRecipient } from '#core/campaign.ts';
import { ConflictError } from '#core/errors.ts';
import type { CampaignRepository } from '#core/ports.ts';
import { keys } from './table-model.ts';
import { batchWriteAll, isConditionFailure, mutateVersioned, queryPrefix, strip } from './dynamo.ts';

export class DynamoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(campaign: Campaign, recipients: CampaignRecipient[]): Promise<void> {
    // Recipients first: a campaign record is only visible once its recipient list is complete.
    await this.putRecipients(recipients);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...campaign, ...keys.campaign(campaign.id) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new ConflictError(`campaign ${campaign.id} exists already`);
      throw e;
    }
  }

  async get(id: string): Promise<Campaign | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.campaign(id), ConsistentRead: true }));
    return strip<Campaign>(r.Item);
  }

  async list(): Promise<Campaign[]> {
    const items = await queryPrefix(this.doc, this.table, keys.campaign('').pk, keys.campaign('').sk);
    return items.map((i) => strip<Campaign>(i)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async mutate(id: string, change: (current: Campaign) => Campaign | undefined): Promise<{ campaign: Campaign; changed: boolean }> {
    const { value, changed } = await mutateVersioned(
      this.doc,
      this.table,
      `campaign ${id}`,
      () => this.get(id),
      (x) => ({ ...x, ...keys.campaign(id) }),
      change,
    );
    return { campaign: value, changed };
  }

  async recipients(id: string, from: number, limit: number): Promise<CampaignRecipient[]> {
    const first = keys.campaignRecipient(id, from);
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': first.pk, ':from': first.sk },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (r.Items ?? []).map((i) => strip<CampaignRecipient>(i) as CampaignRecipient);
  }

  /** Whether the organiser has a dialogue in the cycle (the guard item DialogueRepository.create writes). */
  async hasDialogue(organiserId: string, cycle: string): Promise<boolean> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.organiserCycle(organiserId, cycle), ConsistentRead: true }),
    );
    return Boolean(r.Item);
  }

  /** Stores recipients 25 per BatchWriteItem (each an idempotent overwrite), retrying what DynamoDB leaves unprocessed. */
  async putRecipients(recipients: readonly CampaignRecipient[]): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.table,
      recipients.map((r) => ({ PutRequest: { Item: { ...r, ...keys.campaignRecipient(r.campaignId, r.seq) } } })),
      `the recipients of campaign ${recipients[0]?.campaignId}`,
    );
  }

  /** Deletes the campaign record if it was never launched (a draft, or an empty selection); ConflictError otherwise. */
  async deleteUnlaunched(id: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.campaign(id),
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(launchedAt)',
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const now = await this.get(id);
      if (!now) return false;
      throw new ConflictError(`Cannot delete campaign ${id}: it has been launched (it is ${now.state}); pause it instead`);
    }
  }

  /** Deletes everything under the campaign's own partition (recipients, the console's preview lists and action log); how many. */
  async deleteChildren(id: string): Promise<number> {
    const items = await queryPrefix(this.doc, this.table, keys.campaignRecipient(id, 0).pk, '');
    await batchWriteAll(
      this.doc,
      this.table,
      items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })),
      `the deletion of campaign ${id}`,
    );
    return items.length;
  }

  async putRecipient(recipient: CampaignRecipient): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...recipient, ...keys.campaignRecipient(recipient.campaignId, recipient.seq) } }),
    );
  }
}
