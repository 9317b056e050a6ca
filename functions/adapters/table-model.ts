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
    /** Every item of one kind, in display order: organisers by name; dialogues by their last change. */
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
  /** A step's mails: one item per (dialogue, step), its recipients in a map (functions/adapters/mail-log.ts). */
  mailStep: (dialogueId: string, step: string) => ({ pk: `DLG#${dialogueId}`, sk: `MAIL#${step}` }),
  /** One recipient's mail as earlier versions stored it (read and updated, never created). */
  mail: (dialogueId: string, step: string, contactId: string) => ({ pk: `DLG#${dialogueId}`, sk: `MAIL#${step}#${contactId}` }),
  mailPrefix: (dialogueId: string) => ({ pk: `DLG#${dialogueId}`, skPrefix: 'MAIL#' }),
  link: (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' }),
  suppressed: (email: string) => ({ pk: `SUPPRESS#${email.trim().toLowerCase()}`, sk: 'SUPPRESS' }),
  /** A facilitator's profile with its own calendar (bookings and blocks) in one item. */
  facilitator: (id: string) => ({ pk: `FAC#${id}`, sk: 'FACILITATOR' }),
  introSession: (id: string) => ({ pk: `INTRO#${id}`, sk: 'SESSION' }),
  meeting: (id: string) => ({ pk: `MTG#${id}`, sk: 'MEETING' }),
  /** Pointer from a dialogue to one of its meetings: a dialogue's meetings are one query. */
  dialogueMeeting: (dialogueId: string, meetingId: string) => ({ pk: `DLG#${dialogueId}`, sk: `MEETING#${meetingId}` }),
  dialogueMeetingPrefix: (dialogueId: string) => ({ pk: `DLG#${dialogueId}`, skPrefix: 'MEETING#' }),
  /** Campaigns share one partition (they are few); each campaign's recipients have their own. */
  campaign: (id: string) => ({ pk: 'CAMPAIGN', sk: `CAMPAIGN#${id}` }),
  campaignRecipient: (campaignId: string, seq: number) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `RCPT#${String(seq).padStart(7, '0')}` }),
  /** A year's school holidays as a coordinator set them (absent: the defaults). */
  schoolHolidays: (year: number) => ({ pk: 'SETTINGS', sk: `SCHOOL_HOLIDAYS#${year}` }),
  /** What a dialogue's open offer holds: every facilitator start and intro-session place, one item. */
  offerHolds: (dialogueId: string) => ({ pk: `HOLD#${dialogueId}`, sk: 'OFFER' }),
  /** A hold as written before `offerHolds`: one facilitator at one start, or a place in an intro session (read and given back). */
  hold: (resource: string, slot: string) => ({ pk: `HOLD#${resource}`, sk: slot }),
  /** A confirmed action on hand-backs (the console's form id): the idempotency claim and its results. */
  handbackForm: (formId: string) => ({ pk: `HBFORM#${formId}`, sk: 'FORM' }),
  /**
   * The hand-backs for the coordinator's digest, by Stockholm day in one partition (the recent days
   * are one range Query); `<day>#SENT` once that day's digest went out.
   */
  digestEntry: (day: string, dialogueId: string, ref: string) => ({ pk: 'DIGEST', sk: `${day}#E#${dialogueId}#${ref}` }),
  digestSent: (day: string) => ({ pk: 'DIGEST', sk: `${day}#SENT` }),
  digests: () => ({ pk: 'DIGEST' }),
  /** Since which day hand-backs are noted in the one partition (sorts after every day); earlier days may be in `DIGEST#<day>`. */
  digestShape: () => ({ pk: 'DIGEST', sk: '~SHAPE' }),
  /** A day's hand-backs as earlier versions noted them, one partition a day (read only). */
  digestDayBefore: (day: string) => ({ pk: `DIGEST#${day}` }),
  digestSentBefore: (day: string) => ({ pk: `DIGEST#${day}`, sk: 'SENT' }),
  /** A console sign-in: open until it expires or its person logs out. */
  session: (id: string) => ({ pk: `SESSION#${id}`, sk: 'SESSION' }),
  /** The account-wide send-rate bucket (one item per sending account, e.g. `ses`) every bulk sender reserves from. */
  sendRate: (account: string) => ({ pk: `SENDRATE#${account}`, sk: 'BUCKET' }),
};

export const indexKeys = {
  organiserKind: (name: string, id: string) => ({ kindPk: 'ORGANISER', kindSk: `${name.toLowerCase()}#${id}` }),
  /**
   * A dialogue's index keys hold times alone (the item's key names the dialogue; dialogue-item.ts
   * reads the times back from them). Items of the earlier shape append `#<id>`: they sort the same.
   * Every dialogue by its last change, then its creation (`created`: how long before the change,
   * dialogue-item.ts): the facts sweep's one Query. Items written before hold `<createdAt>` (or
   * `<createdAt>#<id>`).
   */
  dialogueKind: (updatedAt: string, created: string) => ({ kindPk: 'DIALOGUE', kindSk: `${updatedAt}|${created}` }),
  dialogueState: (state: string, updatedAt: string) => ({ statePk: `DIALOGUE#${state}`, stateSk: updatedAt }),
  due: (dueAt: string) => ({ duePk: 'DUE', dueSk: dueAt }),
  facilitatorKind: (agency: string, name: string, id: string) => ({
    kindPk: 'FACILITATOR',
    kindSk: `${agency}#${name.toLowerCase()}#${id}`,
  }),
  /** Intro sessions by region, then start: a region's sessions are one begins_with query. */
  introSessionKind: (region: string, start: string, id: string) => ({ kindPk: 'INTRO_SESSION', kindSk: `${region}#${start}#${id}` }),
  /** Inspections by start day (on the by-id copy only): the inspectorate's calendar by period. */
  inspectionKind: (start: string, externalId: string) => ({ kindPk: 'INSPECTION', kindSk: `${start}#${externalId}` }),
  /** Holds by the instant they lapse: the holds in force are one range Query (kindSk after now). */
  hold: (until: string, dialogueId: string) => ({ kindPk: 'HOLD', kindSk: `${until}#${dialogueId}` }),
  /** The inspectorate's planned dialogue dates by start: the planned-dates API and feed by period. */
  plannedWindow: (start: string, uid: string) => ({ kindPk: 'PLANNED_DATE', kindSk: `${start}#${uid}` }),
  /** Sparse: bulk starts with organisers left, oldest first: the scheduler tick's work list. */
  openBulkJob: (createdAt: string, id: string) => ({ kindPk: 'BULK_OPEN', kindSk: `${createdAt}#${id}` }),
};

/**
 * The scheduler's work list (functions/adapters/work-markers.ts): one small marker per piece of
 * work the tick must come back to (a running campaign, an open bulk start, an intro session's
 * pending pair mail) and `CHECK`, when the last full check ran, all in one partition: one Query
 * tells the tick what exists.
 */
export const workKeys = {
  marker: (kind: string, id: string) => ({ pk: 'WORK', sk: `${kind}#${id}` }),
  check: () => ({ pk: 'WORK', sk: 'CHECK' }),
};

/**
 * The per-cycle facts index (functions/adapters/facts-index.ts): 1,024 buckets per cycle over 8
 * partitions, and the one item that lists the cycles.
 */
export const factsKeys = {
  partition: (cycle: string, n: number) => `FACTS#${cycle}#${n}`,
  bucket: (cycle: string, bucket: number) => ({ pk: `FACTS#${cycle}#${bucket % 8}`, sk: `B#${String(bucket).padStart(4, '0')}` }),
  cycles: () => ({ pk: 'FACTS', sk: 'CYCLES' }),
  /** How far the facts sweep has checked changed dialogues (an ISO time). */
  sweep: () => ({ pk: 'FACTS', sk: 'SWEEP' }),
  /** Which version of the facts' and search words' definitions the indexes were built with. */
  built: () => ({ pk: 'FACTS', sk: 'BUILT' }),
};

/**
 * The organiser search index (functions/adapters/search-index.ts): one item per normalised word of
 * an organiser's name and one for its org. number, in the partition of the word's first two
 * characters, sorted by the word.
 */
export const searchKeys = {
  partition: (word: string) => `SEARCH#${word.slice(0, 2)}`,
  word: (word: string, organiserId: string) => ({ pk: `SEARCH#${word.slice(0, 2)}`, sk: `${word}#${organiserId}` }),
};

/** Inspection calendar, planned dialogue dates, conflicts and their audit. */
export const calendarKeys = {
  /** The inspection by the inspectorate's external id (PUT/DELETE target). */
  inspection: (externalId: string) => ({ pk: `INSP#${externalId}`, sk: 'INSPECTION' }),
  /** The same inspection under its organiser: the clash check's one Query (begins_with INSP#). */
  organiserInspection: (organiserId: string, externalId: string) => ({ pk: `ORG#${organiserId}`, sk: `INSP#${externalId}` }),
  organiserInspectionPrefix: (organiserId: string) => ({ pk: `ORG#${organiserId}`, skPrefix: 'INSP#' }),
  /** A dialogue step with a date (invitation, digital or physical meeting), under its organiser. */
  planned: (organiserId: string, dialogueId: string, step: string) => ({ pk: `ORG#${organiserId}`, sk: `PLAN#${dialogueId}#${step}` }),
  plannedPrefix: (organiserId: string) => ({ pk: `ORG#${organiserId}`, skPrefix: 'PLAN#' }),
  /** Org. number → organiser id, written with every organiser upsert. */
  orgNumber: (orgNumber: string) => ({ pk: `ORGNR#${orgNumber}`, sk: 'ORGANISER' }),
  /** Open conflicts by planned date: the conflict view's range Query. */
  conflict: (plannedDay: string, dialogueId: string) => ({ pk: 'CONFLICT', sk: `${plannedDay}#${dialogueId}` }),
  /** Audit trail of calendar changes and conflict decisions, one partition per UTC day. */
  audit: (day: string, at: string, id: string) => ({ pk: `AUDIT#${day}`, sk: `${at}#${id}` }),
};

/**
 * The console's records around a campaign: who was left out of its preview and why,
 * the confirmed actions on it (one item per submitted form: the idempotency claim and the audit
 * entry at once) and the create form's claim. They sort before `RCPT#`, so the sender's Query from
 * a recipient position never reads them.
 */
export const campaignConsoleKeys = {
  excluded: (campaignId: string, reason: string, seq: number) => ({
    pk: `CAMPAIGN#${campaignId}`,
    sk: `EXCL#${reason}#${String(seq).padStart(7, '0')}`,
  }),
  excludedPrefix: (campaignId: string, reason: string) => ({ pk: `CAMPAIGN#${campaignId}`, skPrefix: `EXCL#${reason}#` }),
  action: (campaignId: string, formId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `ACT#${formId}` }),
  actionPrefix: (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, skPrefix: 'ACT#' }),
  recipientPrefix: (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, skPrefix: 'RCPT#' }),
  createForm: (formId: string) => ({ pk: `CAMPFORM#${formId}`, sk: 'FORM' }),
};

/**
 * Calendar feeds: the planned dialogue dates the inspectorate sees (one item per window, under its
 * organiser, also on the byKind index by start), each facilitator's meeting windows, and the
 * facilitators' feed keys (the key on its own item, and a look-up by the key's hash).
 */
export const feedKeys = {
  plannedWindow: (organiserId: string, dialogueId: string, uid: string) => ({ pk: `ORG#${organiserId}`, sk: `PDATE#${dialogueId}#${uid}` }),
  /** An organiser's windows (`dialogueId` omitted) or one dialogue's. */
  plannedWindowPrefix: (organiserId: string, dialogueId?: string) => ({
    pk: `ORG#${organiserId}`,
    skPrefix: dialogueId ? `PDATE#${dialogueId}#` : 'PDATE#',
  }),
  facilitatorWindow: (facilitatorId: string, meetingId: string, uid: string) => ({
    pk: `FAC#${facilitatorId}`,
    sk: `FEED#${meetingId}#${uid}`,
  }),
  /** A facilitator's windows (`meetingId` omitted) or those of one meeting. */
  facilitatorWindowPrefix: (facilitatorId: string, meetingId?: string) => ({
    pk: `FAC#${facilitatorId}`,
    skPrefix: meetingId ? `FEED#${meetingId}#` : 'FEED#',
  }),
  facilitatorFeedKey: (facilitatorId: string) => ({ pk: `FAC#${facilitatorId}`, sk: 'FEEDKEY' }),
  feedKeyLookup: (keyHash: string) => ({ pk: `FEEDKEY#${keyHash}`, sk: 'FEEDKEY' }),
  /** The embedded runtime's store of a rotated inspectorate feed key (the cloud keeps it in Secrets Manager). */
  localFeedSecret: (name: string) => ({ pk: 'LOCALSECRET', sk: name }),
};
