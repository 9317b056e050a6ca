/**
 * The scheduler's work list: a small marker item per piece of work the tick must come back to, all
 * in the `WORK` partition (table-model.ts `workKeys`), so one Query tells the tick what exists:
 * `CAMPAIGN#<id>` while a campaign runs, `BULK#<id>` while a console bulk start has organisers
 * left, `INTRO#<id>` while an intro session's pair mail is pending; and `CHECK`, when the last full
 * check of the work (every listing) ran and when the next one is due.
 *
 * A marker is written after the work it stands for (a crash in between leaves unmarked work, which
 * the next full check finds and marks) and removed after the work is done (a crash in between
 * leaves a marker for finished work, which the next reader removes). Each put carries a fresh
 * token; a reader that found the work done removes the marker only if it still holds the token it
 * read, so a marker put again meanwhile (a campaign resumed) stays.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, queryPrefix } from './dynamo.ts';
import { workKeys } from './table-model.ts';

export const workKinds = ['CAMPAIGN', 'BULK', 'INTRO'] as const;
export type WorkKind = (typeof workKinds)[number];

/**
 * Which work the markers cover (recorded on `CHECK` by each full check). Raise it when a kind of
 * work gets its marker: the scheduler then runs a full check at once and another 15 minutes later
 * (use-cases/scheduled-work.ts), and until the first of them the campaign sender lists the
 * campaigns as it did without markers.
 */
export const WORK_RULES = 1;

export interface WorkMarker {
  kind: WorkKind;
  id: string;
  /** When it was put. */
  at: string;
  /** Fresh on every put: a conditional removal leaves a marker put again after it was read. */
  token: string;
}

/** When the last full check ran (real time), when the next is due, and under which WORK_RULES. */
export interface WorkCheck {
  at: string;
  next: string;
  rules: number;
}

export interface WorkList {
  markers: WorkMarker[];
  check?: WorkCheck;
}

/**
 * How old a marker must be before a reader that does not find its work removes it: the listings
 * the readers compare with are eventually consistent and may not show yet the change the marker
 * was put after.
 */
export const MARKER_SETTLE_MS = 60_000;

/** The marker is older than MARKER_SETTLE_MS (one without a time counts as old). */
export const settled = (m: Pick<WorkMarker, 'at'>, now: Date): boolean => !(Date.parse(m.at) > now.getTime() - MARKER_SETTLE_MS);

export class DynamoWorkMarkers {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The markers and the check record: one Query of the partition (eventually consistent, half a unit). */
  async list(): Promise<WorkList> {
    const list: WorkList = { markers: [] };
    for (const { pk, sk, ...rest } of await queryPrefix(this.doc, this.table, workKeys.check().pk, '')) {
      if (sk === workKeys.check().sk) list.check = rest as unknown as WorkCheck;
      else list.markers.push(rest as unknown as WorkMarker);
    }
    return list;
  }

  /** Marks work as there (an overwrite: marking twice is marking once). */
  async mark(kind: WorkKind, id: string, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...workKeys.marker(kind, id), kind, id, at: at.toISOString(), token: randomUUID() },
      }),
    );
  }

  /**
   * Removes a marker (removing one that is gone is no error). With `token`, only the marker as it
   * was read: false when it was put again since.
   */
  async unmark(kind: WorkKind, id: string, token?: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: workKeys.marker(kind, id),
          ...(token !== undefined
            ? {
                ConditionExpression: 'attribute_not_exists(pk) OR #t = :t',
                ExpressionAttributeNames: { '#t': 'token' },
                ExpressionAttributeValues: { ':t': token },
              }
            : {}),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async recordCheck(check: WorkCheck): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...workKeys.check(), ...check } }));
  }
}
