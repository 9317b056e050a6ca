/**
 * Bulk starts from the console (`BULK#<id>` / `JOB`): the selection, and one result per
 * organiser as it is started. One item, changed with the versioned conditional put; an item
 * expires 30 days after it was created (DynamoDB TTL in the cloud). While organisers are left, the
 * item carries the sparse `openBulkJob` index key (the scheduler's full check lists the open jobs
 * with one Query); its `BULK#<id>` marker in the work list is bulk-start.ts's.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, mutateVersioned, strip } from './dynamo.ts';
import { indexKeys } from './table-model.ts';

export interface BulkStartResult {
  organiserId: string;
  name: string;
  orgNumber?: string;
  outcome: 'started' | 'existed' | 'error';
  dialogueId?: string;
  message?: string;
}

export interface BulkJob {
  id: string;
  cycle: string;
  organiserIds: string[];
  results: BulkStartResult[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Organisers are left to start. */
export const isOpen = (job: Pick<BulkJob, 'results' | 'organiserIds'>): boolean => job.results.length < job.organiserIds.length;

const key = (id: string) => ({ pk: `BULK#${id}`, sk: 'JOB' });
const TTL_DAYS = 30;

export class DynamoBulkJobs {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(job: BulkJob): Record<string, unknown> {
    return {
      ...job,
      ...key(job.id),
      ...(isOpen(job) ? indexKeys.openBulkJob(job.createdAt, job.id) : {}),
      ttl: Math.floor(Date.parse(job.createdAt) / 1000) + TTL_DAYS * 86_400,
    };
  }

  /** Creates the job once; a second create with the same id returns the stored one. */
  async create(job: BulkJob): Promise<{ job: BulkJob; created: boolean }> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(job), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { job, created: true };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return { job: (await this.get(job.id)) as BulkJob, created: false };
    }
  }

  async get(id: string): Promise<BulkJob | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return strip<BulkJob>(r.Item);
  }

  /** Ids of the jobs with organisers left, oldest first (one Query on the sparse index). */
  async listOpen(limit: number): Promise<string[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byKind',
        KeyConditionExpression: 'kindPk = :k',
        ExpressionAttributeValues: { ':k': 'BULK_OPEN' },
        ProjectionExpression: 'id',
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => String(i.id));
  }

  async mutate(id: string, change: (current: BulkJob) => BulkJob | undefined): Promise<{ job: BulkJob; changed: boolean }> {
    const { value, changed } = await mutateVersioned(
      this.doc,
      this.table,
      `bulk start ${id}`,
      () => this.get(id),
      (j) => this.item(j),
      change,
    );
    return { job: value, changed };
  }
}
