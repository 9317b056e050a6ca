/**
 * Campaigns in the single table: the campaign records share the partition `CAMPAIGN` (a handful
 * per cycle), each campaign's recipients live under `CAMPAIGN#<id>` in invitation order, so the
 * sender reads the next batch with one Query from its position. Single-item conditional writes.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign, CampaignRecipient } from '#core/campaign.ts';
import { ConflictError } from '#core/errors.ts';
import type { CampaignRepository } from '#core/ports.ts';
import { keys } from './table-model.ts';
import { isConditionFailure, mutateVersioned, queryPrefix, strip } from './repositories.ts';

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
    for (let i = 0; i < recipients.length; i += 25) {
      let requests: Record<string, unknown>[] = recipients
        .slice(i, i + 25)
        .map((r) => ({ PutRequest: { Item: { ...r, ...keys.campaignRecipient(r.campaignId, r.seq) } } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === 8) throw new Error(`could not store the recipients of campaign ${recipients[0]?.campaignId}; try again`);
        if (attempt > 0) await new Promise((ok) => setTimeout(ok, 50 * 2 ** attempt));
        const r = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests as never } }));
        requests = (r.UnprocessedItems?.[this.table] ?? []) as Record<string, unknown>[];
      }
    }
  }

  async putRecipient(recipient: CampaignRecipient): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { ...recipient, ...keys.campaignRecipient(recipient.campaignId, recipient.seq) } }),
    );
  }
}
