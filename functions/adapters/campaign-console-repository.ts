/**
 * What the console keeps around a campaign, beside the campaign record the use-cases own: the
 * organisers its preview left out (per reason, in the order the preview found them), the
 * confirmed actions on it (one item per submitted form, which is both the claim that makes a
 * double submit do nothing and the audit entry: who, what, when, with what outcome), and the
 * create form's claim (the same form posted twice creates one campaign). Single-item conditional
 * writes; keys from `campaignConsoleKeys`.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignRecipient, ExclusionReason } from '#core/campaign.ts';
import { campaignConsoleKeys as k } from './table-model.ts';
import type { Deps } from './deps.ts';
import { batchWriteAll, isConditionFailure, queryPrefix, strip } from './dynamo.ts';

export interface ExcludedOrganiser {
  organiserId: string;
  name: string;
  orgNumber?: string;
  reason: ExclusionReason;
  seq: number;
}

export type CampaignActionKind = 'create' | 'launch' | 'pause' | 'resume';

export interface CampaignActionEntry {
  formId: string;
  action: CampaignActionKind;
  by: string;
  at: string;
  /** pending: claimed, not yet carried out (a crash in between lets the same form finish it). */
  outcome: 'pending' | 'done' | 'already' | 'refused';
  message?: string;
}

export interface CreateFormClaim {
  formId: string;
  by: string;
  at: string;
  campaignId?: string;
  /** How far the draft has come while it is being made: organisers checked, of about how many. */
  progress?: CreateProgress;
}

export interface CreateProgress {
  step: 'checking' | 'saving';
  checked: number;
  /** The register's size at the last preview (unknown before the first). */
  of?: number;
}

/** A create form left unfinished this long (a crash mid-create) may be posted again. */
const STALE_CREATE_MS = 10 * 60_000;
/** Form claims are only needed while someone might post the form again. */
const FORM_TTL_DAYS = 30;

export class DynamoCampaignConsole {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores the left-out organisers 25 per BatchWriteItem (idempotent overwrites), retrying what DynamoDB leaves. */
  async putExcluded(campaignId: string, entries: readonly ExcludedOrganiser[]): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.table,
      entries.map((e) => ({ PutRequest: { Item: { ...e, campaignId, ...k.excluded(campaignId, e.reason, e.seq) } } })),
      `the preview of campaign ${campaignId}`,
    );
  }

  /** One page of the organisers left out for `reason`, from position `from` (0-based); `more` if there are others. */
  async excluded(
    campaignId: string,
    reason: ExclusionReason,
    from: number,
    limit: number,
  ): Promise<{ items: ExcludedOrganiser[]; more: boolean }> {
    const first = k.excluded(campaignId, reason, from);
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': first.pk, ':a': first.sk, ':b': `${k.excludedPrefix(campaignId, reason).skPrefix}~` },
        Limit: limit + 1,
      }),
    );
    const items = (r.Items ?? []).map((i) => {
      const { campaignId: _, ...rest } = strip<ExcludedOrganiser & { campaignId: string }>(i);
      return rest;
    });
    return { items: items.slice(0, limit), more: items.length > limit };
  }

  /**
   * The failed recipients with their error, in invitation order: a Query over the campaign's
   * recipients that returns only the failed ones, at most `pages` reads of 1 MB.
   */
  async failedRecipients(campaignId: string, limit: number, pages = 10): Promise<{ items: CampaignRecipient[]; partial: boolean }> {
    const p = k.recipientPrefix(campaignId);
    const items: CampaignRecipient[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < pages; page++) {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          FilterExpression: '#s = :failed',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pk': p.pk, ':p': p.skPrefix, ':failed': 'failed' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(r.Items ?? []).map((i) => strip<CampaignRecipient>(i)));
      start = r.LastEvaluatedKey;
      if (!start || items.length >= limit) return { items: items.slice(0, limit), partial: items.length > limit };
    }
    return { items: items.slice(0, limit), partial: true };
  }

  /**
   * Claims a submitted action form. `claimed: false` with the stored entry when the form was
   * posted before (a pending entry means the earlier request stopped before finishing).
   */
  async claimAction(campaignId: string, entry: CampaignActionEntry): Promise<{ claimed: boolean; entry: CampaignActionEntry }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...entry, campaignId, ...k.action(campaignId, entry.formId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true, entry };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const r = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: k.action(campaignId, entry.formId), ConsistentRead: true }),
      );
      return { claimed: false, entry: this.entry(r.Item) };
    }
  }

  async finishAction(campaignId: string, formId: string, outcome: CampaignActionEntry['outcome'], message?: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: k.action(campaignId, formId),
        UpdateExpression: message ? 'SET outcome = :o, message = :m' : 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': outcome, ...(message ? { ':m': message } : {}) },
      }),
    );
  }

  /** Every action on the campaign, oldest first (a handful per campaign). */
  async actions(campaignId: string): Promise<CampaignActionEntry[]> {
    const p = k.actionPrefix(campaignId);
    const items = await queryPrefix(this.doc, this.table, p.pk, p.skPrefix);
    return items.map((i) => this.entry(i)).sort((a, b) => a.at.localeCompare(b.at));
  }

  private entry(item: Record<string, unknown> | undefined): CampaignActionEntry {
    const { campaignId: _, ...rest } = strip<CampaignActionEntry & { campaignId: string }>(item ?? {}) ?? {};
    return rest as CampaignActionEntry;
  }

  /**
   * Claims a create form. Not claimed: the form was posted before, and the stored claim says
   * which campaign it created (or that it is still being created).
   */
  async claimCreateForm(claim: CreateFormClaim, now: Date): Promise<{ claimed: boolean; existing?: CreateFormClaim }> {
    const item = { ...claim, ...k.createForm(claim.formId), ttl: Math.floor(now.getTime() / 1000) + FORM_TTL_DAYS * 86_400 };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return { claimed: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: k.createForm(claim.formId), ConsistentRead: true }));
    const existing = strip<CreateFormClaim>(r.Item);
    if (existing && !existing.campaignId && now.getTime() - Date.parse(existing.at) > STALE_CREATE_MS) {
      // The earlier request stopped before it finished: this one may try again (once).
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: '#at = :at AND attribute_not_exists(campaignId)',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':at': existing.at },
          }),
        );
        return { claimed: true };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    }
    return { claimed: false, existing };
  }

  async getCreateForm(formId: string): Promise<CreateFormClaim | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: k.createForm(formId), ConsistentRead: true }));
    return strip<CreateFormClaim>(r.Item);
  }

  /** Gives an unfinished create form back (its post failed before creating anything). */
  async releaseCreateForm(formId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: k.createForm(formId), ConditionExpression: 'attribute_not_exists(campaignId)' }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async completeCreateForm(formId: string, campaignId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: k.createForm(formId),
        UpdateExpression: 'SET campaignId = :c',
        ExpressionAttributeValues: { ':c': campaignId },
      }),
    );
  }
}

const built = new WeakMap<object, DynamoCampaignConsole>();
/** The campaign console's records for the process's deps, built on first use from its DynamoDB client. */
export function campaignConsoleOf(d: Pick<Deps, 'aws' | 'env'>): DynamoCampaignConsole {
  let store = built.get(d.aws);
  if (!store) {
    store = new DynamoCampaignConsole(d.aws.doc, d.env.TABLE_NAME);
    built.set(d.aws, store);
  }
  return store;
}
