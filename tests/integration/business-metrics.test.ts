/**
 * The business metrics as the handlers write them: the embedded runtime drives dialogues through
 * invitation, answers, bounces, reminders, escalations, a failed phase, a campaign, a booking and a
 * conflict with an inspection, and the CloudWatch embedded-metric-format lines on stdout are read
 * back (names, dimensions, values). Every event counts once: the steps and events repeated on
 * purpose here (a step retried after its write, a second click, a redelivered SES event, a repeated
 * workflow task) add nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_METRICS, type BusinessMetricName, businessMetrics } from '#core/business-metrics.ts';
import { addCalendarDays, stockholmDay } from '#core/inspection.ts';
import type { OutgoingMail } from '#core/ports.ts';
import { executionName, phaseExecutionName } from '#adapters/workflow-client.ts';
import { handler as timerTick } from '#functions/timer-tick.ts';
import { handler as workflowTask, type TaskEvent } from '#functions/workflow-task.ts';
import { EmfCapture, type MetricPoint } from '../support/emf.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const emf = new EmfCapture();

const contacts = (key: string) => [
  { role: 'board', name: 'Styrelsen', email: `styrelse@${key}.example.se` },
  { role: 'school_chief', name: 'Åsa Öberg', email: `chef@${key}.example.se` },
];
const ORGANISERS = [
  { id: 'metrik-kommun', orgNumber: '212000-7001', legalForm: 'kommun', contacts: contacts('kommun') },
  { id: 'metrik-ab', orgNumber: '556700-7002', legalForm: 'aktiebolag', contacts: contacts('ab') },
  { id: 'metrik-stiftelse', orgNumber: '802000-7003', legalForm: 'stiftelse', contacts: contacts('stiftelse') },
  { id: 'metrik-fel', orgNumber: '212000-7004', legalForm: 'kommun', contacts: contacts('fel') },
  { id: 'metrik-kampanj', orgNumber: '212000-7005', legalForm: 'kommun', contacts: contacts('kampanj') },
  { id: 'metrik-insp', orgNumber: '212000-7006', legalForm: 'kommun', contacts: contacts('insp') },
];

/** Gauges and the tick's operational counts are asserted on their own; the rest are events. */
const NOT_EVENTS: BusinessMetricName[] = ['DialoguesWaiting', 'CampaignsAwaitingSend', 'TimersFired', 'TimersFailed', 'TimersDeferred'];

/** The events written since `mark`, as `Name{dimension=value,…}=value`, sorted (time to answer on its own). */
function events(mark: number): string[] {
  return emf
    .points(mark)
    .filter((p) => !NOT_EVENTS.includes(p.name as BusinessMetricName) && p.name !== 'TimeToAnswer')
    .map((p) => {
      const { service: _, stage: __, ...extra } = p.dimensions;
      const dims = Object.entries(extra).map(([k, v]) => `${k}=${v}`);
      return `${p.name}${dims.length > 0 ? `{${dims.join(',')}}` : ''}=${p.value}`;
    })
    .sort();
}

const named = (name: BusinessMetricName, mark = 0): MetricPoint[] => emf.points(mark).filter((p) => p.name === name);
const journal = (name: string) => h.runtime.sfn.list().find((r) => r.name === name)?.events ?? [];
const task = (event: TaskEvent) => workflowTask(event, {} as never);

beforeAll(async () => {
  emf.start();
  await h.start({ retryIntervalOverrides: { 'Send invitations and await answer': 20 } });
  for (const o of ORGANISERS) expect((await h.api('POST', '/api/organisers', organiser(o))).status).toBe(201);
  for (const f of [
    { id: 'sv-mia', name: 'Mia Ek', agency: 'skolverket', office: 'Solna', email: 'mia@skolverket.example.se' },
    { id: 'sp-per', name: 'Per Ås', agency: 'spsm', office: 'Solna', email: 'per@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
  emf.stop();
});

describe('business metrics on the embedded runtime', () => {
  const ids = { kommun: '', ab: '', fel: '', stiftelse: '' };

  it('counts an invitation once when a slow attempt of its step and the retry overlap, and when the steps run again', async () => {
    // Prepare: the workflow's attempt is held just before its write; meanwhile a retry (Step Functions
    // gave up waiting on the slow attempt) runs the whole step, then the slow attempt writes
    const mark = emf.mark();
    const dialogues = h.runtime.deps.dialogues;
    const mutate = dialogues.mutate;
    let reached!: () => void;
    const atWrite = new Promise<void>((ok) => {
      reached = ok;
    });
    let release!: () => void;
    const gate = new Promise<void>((ok) => {
      release = ok;
    });
    let held = false;
    let slowWrite: Awaited<ReturnType<typeof mutate>> | undefined;
    dialogues.mutate = async (...args: Parameters<typeof mutate>) => {
      const [, change, known] = args;
      if (!held && known && change(structuredClone(known))?.state === 'invited') {
        held = true;
        reached();
        await gate;
        slowWrite = await mutate.apply(dialogues, args);
        return slowWrite;
      }
      return mutate.apply(dialogues, args);
    };

    // Act
    try {
      ids.kommun = (await h.api('POST', '/api/dialogues', { organiserId: 'metrik-kommun' })).json.id;
      await atWrite;
      await task({ task: 'sendInvitations', dialogueId: ids.kommun });
      release();
      await h.waitForWorkflow(ids.kommun, (e) => e.type === 'TaskWaiting');
    } finally {
      dialogues.mutate = mutate;
    }
    const again = emf.mark();
    // … and the steps run again with the same payload (a redrive), two at once
    for (const step of [
      { task: 'resolveRecipients', dialogueId: ids.kommun },
      { task: 'sendInvitations', dialogueId: ids.kommun },
    ] as TaskEvent[]) {
      await Promise.all([task(step), task(step)]);
    }

    // Assess: the slow attempt's write changed nothing; one count, one mail per recipient
    expect(slowWrite?.changed).toBe(false);
    expect(events(mark)).toEqual(['InvitationsSent=1']);
    expect(events(again)).toEqual([]);
    expect(await h.mailTo('chef@kommun.example.se')).toHaveLength(1);
  });

  it('counts a mail left unconfirmed by an attempt that died between claim and record, and the retried invitation, once each', async () => {
    // Prepare: the first send is accepted by SES but its record is never written
    const mark = emf.mark();
    const lease = h.runtime.deps.sendLeaseMs;
    h.runtime.deps.sendLeaseMs = 100;
    const log = h.runtime.deps.mailLog;
    const settle = log.settle;
    let calls = 0;
    log.settle = async (...args: Parameters<typeof settle>) => {
      if (++calls === 1) throw Object.assign(new Error('Task timed out after 30.00 seconds'), { name: 'Sandbox.Timedout' });
      return settle.apply(log, args);
    };

    // Act
    try {
      ids.ab = await h.invite('metrik-ab');
    } finally {
      log.settle = settle;
      h.runtime.deps.sendLeaseMs = lease;
    }

    // Assess: Step Functions retried the step (until the dead attempt's lease ran out); each event counts once
    expect(journal(executionName(ids.ab, 'invitation')).filter((e) => e.type === 'StateRetried').length).toBeGreaterThanOrEqual(1);
    // Both of the step's mails were claimed by the attempt that died: one write moves them, counted once each.
    expect((await h.dialogue(ids.ab)).mails.map((m: { status: string }) => m.status).sort()).toEqual(['unconfirmed', 'unconfirmed']);
    expect(events(mark)).toEqual(['InvitationsSent=1', 'MailsUnconfirmed=2']);
  });

  it('counts a failed invitation phase once, also when its failure task is repeated', async () => {
    // Prepare: SES refuses this organiser's mail for good
    const mark = emf.mark();
    const mailer = h.runtime.deps.mailer;
    h.runtime.deps.mailer = {
      send: (mail: OutgoingMail) =>
        mail.to.includes('@fel.example.se')
          ? Promise.reject(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }))
          : mailer.send(mail),
    };

    // Act
    try {
      const created = await h.api('POST', '/api/dialogues', { organiserId: 'metrik-fel' });
      ids.fel = created.json.id;
      await h.waitForWorkflow(ids.fel, (e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed');
    } finally {
      h.runtime.deps.mailer = mailer;
    }
    await task({ task: 'markFailed', dialogueId: ids.fel, failure: { Error: 'MessageRejected', Cause: 'a redriven failure task' } });

    // Assess
    expect((await h.dialogue(ids.fel)).state).toBe('failed');
    expect(events(mark)).toEqual(['PhaseFailures{kind=invitation}=1']);
  });

  it('gauges the dialogues waiting for an answer at every tick', async () => {
    // Prepare
    ids.stiftelse = await h.invite('metrik-stiftelse');
    const mark = emf.mark();

    // Act: two days later
    expect((await h.advance('P2D')).status).toBe(200);

    // Assess: the tick's gauge, one point per workflow; the tick's own counts beside it
    const waiting = named('DialoguesWaiting', mark).map((p) => [p.dimensions.phase, p.value]);
    expect(waiting).toEqual([
      ['invitation', 3],
      ['meeting', 0],
    ]);
    expect(named('TimersFired', mark)).toHaveLength(1);
    expect(named('TimersFailed', mark).map((p) => p.value)).toEqual([0]);
    expect(events(mark)).toEqual([]);
  });

  it('counts each answer once by outcome and legal form, with the time since the invitation, however often it is posted', async () => {
    // Prepare
    const mark = emf.mark();
    const acceptLink = h.linkIn((await h.mailTo('chef@kommun.example.se'))[0]!);
    const declineLink = h.linkIn((await h.mailTo('styrelse@ab.example.se'))[0]!);

    // Act: a double click (two POSTs at once), then the other contact's link; a decline
    const pages = await Promise.all([h.page(acceptLink, { answer: 'accept' }), h.page(acceptLink, { answer: 'accept' })]);
    await h.page(h.linkIn((await h.mailTo('styrelse@kommun.example.se'))[0]!), { answer: 'decline', reason: 'time' });
    await h.page(declineLink, { answer: 'decline', reason: 'resources' });

    // Assess
    expect(pages.map((p) => p.status)).toEqual([200, 200]);
    expect((await h.dialogue(ids.kommun)).state).toBe('accepted');
    expect((await h.dialogue(ids.ab)).state).toBe('declined');
    expect(events(mark)).toEqual([
      'AnswersRecorded{outcome=accepted,legalForm=kommun}=1',
      'AnswersRecorded{outcome=declined,legalForm=aktiebolag}=1',
    ]);
    const times = named('TimeToAnswer', mark);
    expect(times.map((p) => [p.dimensions.outcome, p.unit])).toEqual([
      ['accepted', 'Seconds'],
      ['declined', 'Seconds'],
    ]);
    for (const p of times) {
      expect(p.value).toBeGreaterThanOrEqual(2 * 86_400);
      expect(p.value).toBeLessThan(2 * 86_400 + 300);
    }
  });

  it('counts a permanent bounce and a complaint once each, though SES delivers each event twice', async () => {
    // Prepare
    const mark = emf.mark();
    const event = (email: string, type: 'bounce' | 'complaint') => ({
      dialogueId: ids.ab,
      step: 'invitation',
      email,
      type,
      permanent: true,
    });

    // Act
    for (const e of [event('chef@ab.example.se', 'bounce'), event('styrelse@ab.example.se', 'complaint')]) {
      for (const _ of [1, 2]) expect((await h.api('POST', '/api/dev/ses-event', e)).status).toBe(200);
    }

    // Assess
    expect(events(mark)).toEqual(['MailsBounced=1', 'MailsComplained=1']);
  });

  it('counts reminders of the invitation and of a meeting offer, and escalations of both, once each', async () => {
    // Act: day 8, the intro phase of the accepted dialogue offers times; the first reminder
    const first = emf.mark();
    await h.advance('P6D');
    await h.runtime.sfn.waitForEvent(phaseExecutionName(ids.kommun, 'intro', 1), (e) => e.type === 'TaskWaiting');
    expect(events(first)).toEqual(['RemindersSent{kind=invitation}=1']);

    // Act: day 15, the second reminder and the offer's reminder
    const second = emf.mark();
    await h.advance('P7D');
    expect(events(second)).toEqual(['RemindersSent{kind=intro}=1', 'RemindersSent{kind=invitation}=1']);

    // Act: day 22, no answer and no booking: both go to the coordinator
    const third = emf.mark();
    await h.advance('P7D');
    await h.waitForWorkflow(ids.stiftelse, (e) => e.type === 'ExecutionSucceeded');
    // … and the escalation steps run again (a redrive), as does a later tick
    await task({ task: 'escalate', dialogueId: ids.stiftelse });
    await task({ task: 'handOverOffer', dialogueId: ids.kommun, kind: 'intro', round: 1 });
    await h.advance('PT1H');

    // Assess
    expect((await h.dialogue(ids.stiftelse)).state).toBe('no_answer');
    expect(events(third)).toEqual([
      'AnswersRecorded{outcome=no_answer,legalForm=stiftelse}=1',
      'DialoguesEscalated{kind=intro}=1',
      'DialoguesEscalated{kind=invitation}=1',
    ]);
    expect(named('DialoguesWaiting', third).map((p) => [p.dimensions.phase, p.value])).toEqual([
      ['invitation', 0],
      ['meeting', 1],
      ['invitation', 0],
      ['meeting', 1],
    ]);
  });

  it('counts a meeting the coordinator books once; the same booking again is refused and adds nothing', async () => {
    // Prepare
    const mark = emf.mark();
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items;
    const booking = {
      dialogueIds: [ids.kommun],
      kind: 'intro',
      sessions: slot.sessions,
      pair: slot.pair,
      videoLink: 'https://video.example.se/intro-metrik',
    };

    // Act
    const booked = await h.api('POST', '/api/meetings', booking);
    const again = await h.api('POST', '/api/meetings', booking);

    // Assess
    expect(booked.status).toBe(201);
    expect(again.status).toBe(409);
    expect((await h.dialogue(ids.kommun)).state).toBe('intro_booked');
    expect(events(mark)).toEqual(['MeetingsBooked{kind=intro}=1']);
  });

  it('counts the organisers a campaign invites, and gauges the campaigns waiting to send at the end of each run', async () => {
    // Prepare
    const mark = emf.mark();
    const draft = await h.api('POST', '/api/campaigns', { name: 'Metrik', selection: { organiserIds: ['metrik-kampanj'] } });
    const id = draft.json.campaign.id as string;
    expect((await h.api('POST', `/api/campaigns/${id}/launch`)).status).toBe(200);

    // Act: the sender's one-pass runs until the campaign is done, then one more
    for (let run = 0; run < 20 && (await h.api('GET', `/api/campaigns/${id}`)).json.state !== 'completed'; run++) {
      await timerTick({ job: 'campaign-pass' }, {} as never);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const done = emf.mark();
    await timerTick({ job: 'campaign-pass' }, {} as never);
    const [dialogue] = (await h.api('GET', '/api/dialogues?limit=100')).json.items.filter(
      (x: { organiserId: string }) => x.organiserId === 'metrik-kampanj',
    );
    await h.waitForWorkflow(dialogue.id, (e) => e.type === 'TaskWaiting');

    // Assess: one organiser invited; the gauge said 1 at the end of each run while the campaign ran, nothing once none runs
    expect((await h.api('GET', `/api/campaigns/${id}`)).json.state).toBe('completed');
    expect(events(mark)).toEqual(['CampaignInvitationsSent=1', 'InvitationsSent=1']);
    const gauge = named('CampaignsAwaitingSend', mark).map((p) => p.value);
    expect(gauge.length).toBeGreaterThanOrEqual(1);
    expect(gauge.every((v) => v === 1)).toBe(true);
    expect(named('CampaignsAwaitingSend', done)).toEqual([]);
  });

  it('counts a conflict with an inspection flagged once (a repeated re-check adds nothing) and cleared once', async () => {
    // Prepare: the organiser is inspected today and tomorrow, so its invitation is postponed
    const mark = emf.mark();
    const day = (n: number) => addCalendarDays(stockholmDay(h.runtime.clock.now()), n);
    const inspection = { orgNumber: '212000-7006', kind: 'kvalitetsgranskning', start: day(0), end: day(1) };
    const put = (body: typeof inspection) => h.api('PUT', '/api/inspections/SI-METRIK', body, h.runtime.tokens.inspectorate);
    await put(inspection);
    const id = (await h.api('POST', '/api/dialogues', { organiserId: 'metrik-insp' })).json.id as string;

    // Act: the inspection is extended over the postponed start (twice the same change), then the start is moved past it
    expect((await put({ ...inspection, end: day(8) })).json.flaggedDialogues).toBe(1);
    await put({ ...inspection, end: day(8) });
    const decided = await h.api('POST', `/api/conflicts/${id}/decision`, { decision: 'reschedule' });

    // Assess
    expect(decided.json.conflict).toBeUndefined();
    expect(events(mark)).toEqual(['ConflictsCleared=1', 'ConflictsFlagged=1']);
  });

  it('wrote every point in the service’s namespace and stage, with its declared unit and exactly its dimensions', () => {
    // Assess: over everything the runtime wrote in this file
    const points = emf.points();
    expect(new Set(points.map((p) => p.name))).toEqual(new Set(Object.keys(businessMetrics)));
    for (const p of points) {
      const spec = businessMetrics[p.name as BusinessMetricName];
      expect(p.namespace).toBe(BUSINESS_METRICS.namespace);
      expect(p.unit, p.name).toBe(spec.unit);
      expect(Object.keys(p.dimensions).sort(), p.name).toEqual(['service', 'stage', ...spec.dimensions].sort());
      expect(p.dimensions).toMatchObject({ service: 'kvalitetsdialog', stage: 'local' });
    }
  });
});
