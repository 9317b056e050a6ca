/**
 * The single DynamoDB table: key names, indexes and the key of every item kind, declared once.
 * The CDK data stack and the local runtime both build the table from `tableModel`; the
 * repositories build keys only through the functions here.
 */
export const tableModel = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  indexes: {
    /** Every item of one kind, in display order: organisers by name, dialogues by creation. */
    byKind: { partitionKey: 'kindPk', sortKey: 'kindSk' },
    /** Dialogues in one state, oldest change first ("waiting longer than N days"). */
    byState: { partitionKey: 'statePk', sortKey: 'stateSk' },
    /** Sparse: dialogues with a timer, by due time; the scheduler's only read. */
    byDue: { partitionKey: 'duePk', sortKey: 'dueSk' },
  },
} as const;

export type IndexName = keyof typeof tableModel.indexes;

export const keys = {
  organiser: (id: string) => ({ pk: `ORG#${id}`, sk: 'PROFILE' }),
  organiserCycle: (organiserId: string, cycle: string) => ({ pk: `ORG#${organiserId}`, sk: `CYCLE#${cycle}` }),
  dialogue: (id: string) => ({ pk: `DLG#${id}`, sk: 'DIALOGUE' }),
  mail: (dialogueId: string, step: string, contactId: string) => ({ pk: `DLG#${dialogueId}`, sk: `MAIL#${step}#${contactId}` }),
  mailPrefix: (dialogueId: string) => ({ pk: `DLG#${dialogueId}`, skPrefix: 'MAIL#' }),
  link: (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' }),
  /** Campaigns share one partition (they are few); each campaign's recipients have their own. */
  campaign: (id: string) => ({ pk: 'CAMPAIGN', sk: `CAMPAIGN#${id}` }),
  campaignRecipient: (campaignId: string, seq: number) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `RCPT#${String(seq).padStart(7, '0')}` }),
};

export const indexKeys = {
  organiserKind: (name: string, id: string) => ({ kindPk: 'ORGANISER', kindSk: `${name.toLowerCase()}#${id}` }),
  dialogueKind: (createdAt: string, id: string) => ({ kindPk: 'DIALOGUE', kindSk: `${createdAt}#${id}` }),
  dialogueState: (state: string, updatedAt: string, id: string) => ({ statePk: `DIALOGUE#${state}`, stateSk: `${updatedAt}#${id}` }),
  due: (dueAt: string, id: string) => ({ duePk: 'DUE', dueSk: `${dueAt}#${id}` }),
};
