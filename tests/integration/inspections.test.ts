/**
 * The inspection calendar over the real local runtime: the inspectorate's API and roles, CSV/ICS
 * import (dry-run, apply, re-import), the invitation rule, and conflicts that a late inspection
 * flags and a cancellation clears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDay, stockholmTime } from '#core/inspection.ts';
import { registerPlanned } from '#functions/use-cases/clash.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const COORDINATOR_MAIL = 'samordnare@skolverket.example.se';
const inspectorate = () => h.runtime.tokens.inspectorate;
const today = () => stockholmDay(h.runtime.clock.now());
const day = (n: number) => addCalendarDays(today(), n);
const at = (n: number, hour = 9) => stockholmTime(day(n), hour).toISOString();

const org = (n: number, over: Record<string, unknown> = {}) =>
  organiser({
    id: `insp-org-${n}`,
    orgNumber: `556000-000${n}`,
    name: `Huvudman ${n} AB`,
    legalForm: 'aktiebolag',
    schoolUnits: [{ code: `1000000${n}`, name: `Skolan ${n}`, schoolForms: ['grundskola'] }],
    ...over,
  });

const upload = async (type: string, body: string, dryRun: boolean, token = inspectorate()) => {
  const res = await fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=${dryRun}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type, 'x-actor': 'Inspektör Åsa' },
    body,
  });
  return { status: res.status, json: (await res.json()) as any };
};

const inspectionsOf = async (organiserId: string) =>
  (await h.api('GET', `/api/inspections?organiserId=${organiserId}`, undefined, inspectorate())).json.items as { externalId: string }[];

const conflictMails = async () => (await h.mailTo(COORDINATOR_MAIL)).filter((m) => m.subject.startsWith('Krock med Skolinspektionen'));

beforeAll(async () => {
  await h.start();
  for (const n of [1, 2, 3, 4, 5, 6, 7]) expect((await h.api('POST', '/api/organisers', org(n))).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

describe('inspection calendar API', () => {
  it('upserts idempotently by external id, lists per organiser and deletes', async () => {
    // Prepare
    const body = { orgNumber: '556000-0001', kind: 'regelbunden tillsyn', start: '5 mars 2027', end: '6/3/2027', status: 'bekräftad' };
    // Act
    const created = await h.api('PUT', '/api/inspections/SI-100', body, inspectorate());
    const again = await h.api('PUT', '/api/inspections/SI-100', body, inspectorate());
    const moved = await h.api('PUT', '/api/inspections/SI-100', { ...body, start: '2027-03-08', end: '2027-03-09' }, inspectorate());
    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      externalId: 'SI-100',
      organiserId: 'insp-org-1',
      kind: 'regular_supervision',
      start: '2027-03-05',
      end: '2027-03-06',
      status: 'confirmed',
      outcome: 'created',
    });
    expect(again.status).toBe(200);
    expect(again.json.outcome).toBe('unchanged');
    expect(moved.json.outcome).toBe('updated');
    const byNumber = await h.api('GET', '/api/inspections?organiserId=5560000001&from=2027-03-07&to=2027-03-31', undefined, inspectorate());
    expect(byNumber.json.items.map((i: { start: string }) => i.start)).toEqual(['2027-03-08']);
    expect((await h.api('GET', '/api/inspections?organiserId=insp-org-1&to=2027-03-01', undefined, inspectorate())).json.items).toEqual([]);
    expect((await h.api('DELETE', '/api/inspections/SI-100', undefined, inspectorate())).status).toBe(200);
    expect(await inspectionsOf('insp-org-1')).toEqual([]);
    expect((await h.api('DELETE', '/api/inspections/SI-100', undefined, inspectorate())).status).toBe(404);
    const trail = await h.api('GET', `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`, undefined, inspectorate());
    expect(trail.json.items.filter((e: { subject: string }) => e.subject === 'SI-100').map((e: { action: string }) => e.action)).toEqual([
      'inspection.created',
      'inspection.updated',
      'inspection.deleted',
    ]);
  });

  it.each([
    [
      'an unknown org. number',
      { orgNumber: '556999-9999', kind: 'other', start: '2027-01-01' },
      404,
      'no organiser with org. number 5569999999',
    ],
    ['a bad date', { orgNumber: '556000-0001', kind: 'other', start: '31 februari 2027' }, 400, 'start: "31 februari 2027" is not a date'],
    [
      'end before start',
      { orgNumber: '556000-0001', kind: 'other', start: '2027-01-05', end: '2027-01-01' },
      400,
      'end: end is before start',
    ],
    ['an unknown kind', { orgNumber: '556000-0001', kind: 'razzia', start: '2027-01-05' }, 400, 'is not a known kind'],
  ])('rejects %s with a readable message and writes nothing', async (_, body, status, message) => {
    const r = await h.api('PUT', '/api/inspections/SI-BAD', body, inspectorate());
    expect(r.status).toBe(status);
    expect(r.json.message).toContain(message);
    expect(await inspectionsOf('insp-org-1')).toEqual([]);
  });

  it('keeps the roles apart: the inspectorate cannot read or change dialogues, the coordinator cannot change inspections', async () => {
    const body = { orgNumber: '556000-0001', kind: 'other', start: '2027-01-05' };
    expect((await h.api('PUT', '/api/inspections/SI-ROLE', body)).status).toBe(403);
    expect((await h.api('DELETE', '/api/inspections/SI-ROLE')).status).toBe(403);
    expect((await h.api('GET', '/api/inspections?organiserId=insp-org-1')).status).toBe(403);
    expect(
      (await upload('text/csv', 'id;orgnr;typ;start\nX;5560000001;other;2027-01-05', false, h.runtime.tokens.coordinator)).status,
    ).toBe(403);
    expect((await h.api('GET', '/api/dialogues', undefined, inspectorate())).status).toBe(403);
    expect((await h.api('GET', '/api/dialogues/dlg-x', undefined, inspectorate())).status).toBe(403);
    expect((await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-1' }, inspectorate())).status).toBe(403);
    expect((await h.api('GET', '/api/organisers', undefined, inspectorate())).status).toBe(403);
    expect((await h.api('POST', '/api/conflicts/dlg-x/decision', { decision: 'keep' }, inspectorate())).status).toBe(403);
    expect((await h.api('GET', '/api/conflicts', undefined, inspectorate())).status).toBe(200);
    expect((await h.api('GET', '/api/conflicts')).status).toBe(200);
    expect(await inspectionsOf('insp-org-1')).toEqual([]);
  });
});

describe('bulk import', () => {
  const csv = [
    'Ärendenummer;Orgnr;Skolenhetskod;Typ;Startdatum;Slutdatum;Status',
    'CSV-1;556000-0002;;Regelbunden tillsyn;5 april 2027;7/4/2027;bekräftad',
    'CSV-2;556000-0002;10000002;kvalitetsgranskning;2027-05-10;;planerad',
    'CSV-3;556000-0009;;riktad tillsyn;2027-05-10;;',
    'CSV-4;556000-0002;;riktad tillsyn;30/2/2027;;',
    'CSV-5;556000-0003;;övrigt;2027-06-01;2027-06-02;',
    'CSV-1;556000-0003;;övrigt;2027-06-01;;',
  ].join('\n');

  it('dry-runs (every bad row by line, nothing written), applies the good rows, and re-imports as a no-op', async () => {
    // Act: dry-run
    const dry = await upload('text/csv; charset=utf-8', csv, true);
    // Assess
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ dryRun: true, format: 'text/csv', rows: 6, valid: 3, created: 3, updated: 0, unchanged: 0 });
    expect(dry.json.errors.map((e: { line: number; reason: string }) => [e.line, e.reason])).toEqual([
      [4, expect.stringContaining('no organiser with org. number 5560000009')],
      [5, expect.stringContaining('start: "30/2/2027" is not a date')],
      [7, 'externalId CSV-1 appears again (first on line 2)'],
    ]);
    expect(await inspectionsOf('insp-org-2')).toEqual([]);

    // Act: apply, then the same file again
    const applied = await upload('text/csv', csv, false);
    const again = await upload('text/csv', csv, false);
    // Assess
    expect(applied.json).toMatchObject({ dryRun: false, created: 3, updated: 0, unchanged: 0 });
    expect(applied.json.errors).toHaveLength(3);
    expect((await inspectionsOf('insp-org-2')).map((i) => i.externalId)).toEqual(['CSV-1', 'CSV-2']);
    expect((await inspectionsOf('insp-org-3')).map((i) => i.externalId)).toEqual(['CSV-5']);
    expect(again.json).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const imported = (
      await h.api('GET', `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`, undefined, inspectorate())
    ).json.items.filter((e: { action: string }) => e.action === 'inspection.imported');
    expect(imported).toHaveLength(3);
    expect(imported[0].actor).toBe('inspectorate:Inspektör Åsa');
  });

  it('imports an iCalendar feed and reports a broken VEVENT by its line', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Skolinspektionen//Kalender//SV',
      'BEGIN:VEVENT',
      'UID:ics-1@skolinspektionen.se',
      'DTSTART;VALUE=DATE:20270901',
      'DTEND;VALUE=DATE:20270904',
      'X-ORG-NUMBER:556000-0004',
      'CATEGORIES:Kvalitetsgranskning',
      'STATUS:TENTATIVE',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:ics-2@skolinspektionen.se',
      'DTSTART;VALUE=DATE:20270901',
      'X-ORG-NUMBER:556000-0004',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const r = await upload('text/calendar', ics, false);
    expect(r.json).toMatchObject({ format: 'text/calendar', rows: 2, created: 1 });
    expect(r.json.errors).toEqual([{ line: 12, externalId: 'ics-2@skolinspektionen.se', reason: expect.stringContaining('kind') }]);
    const list = (await h.api('GET', '/api/inspections?organiserId=insp-org-4', undefined, inspectorate())).json.items;
    expect(list).toEqual([
      expect.objectContaining({
        externalId: 'ics-1@skolinspektionen.se',
        start: '2027-09-01',
        end: '2027-09-03',
        status: 'planned',
        kind: 'quality_review',
      }),
    ]);
  });

  it('refuses other content types', async () => {
    const r = await upload('application/json', '{}', true);
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('text/csv');
  });
});

describe('invitation rule', () => {
  it('postpones the start while an inspection is under way, and starts the workflow after it', async () => {
    // Prepare: an inspection of organiser 5 from yesterday to the day after tomorrow
    await h.api(
      'PUT',
      '/api/inspections/SI-NOW',
      { orgNumber: '556000-0005', kind: 'riktad tillsyn', start: day(-1), end: day(2) },
      inspectorate(),
    );
    // Act
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-5' });
    // Assess
    expect(created.status).toBe(201);
    const dialogue = await h.dialogue(created.json.id);
    expect(dialogue.state).toBe('created');
    expect(dialogue.dueKind).toBe('start');
    expect(dialogue.dueAt).toBe(stockholmTime(day(3), 8).toISOString());
    const postponed = dialogue.history.find((e: { type: string }) => e.type === 'start_postponed');
    expect(postponed.detail).toContain('medan Skolinspektionens riktade tillsyn');
    expect(h.runtime.sfn.list().some((x) => x.name.includes(created.json.id))).toBe(false);
    expect(await h.mailTo('namnden@testvik.example.se')).toHaveLength(0);

    // Act: the inspection is over
    await h.advance('P4D');
    await h.waitForWorkflow(created.json.id, (e) => e.type === 'TaskWaiting');
    // Assess
    expect((await h.dialogue(created.json.id)).state).toBe('invited');
  });
});

describe('conflicts', () => {
  it('flags a postponed invitation when the inspection is extended; "reschedule" moves the start past it', async () => {
    // Prepare: organiser 7 is inspected today and tomorrow, so its invitation waits until the day after
    const inspection = { orgNumber: '556000-0007', kind: 'kvalitetsgranskning', start: day(0), end: day(1) };
    await h.api('PUT', '/api/inspections/SI-EXT', inspection, inspectorate());
    const id = (await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-7' })).json.id as string;
    expect((await h.dialogue(id)).dueAt).toBe(stockholmTime(day(2), 8).toISOString());

    // Act: the inspection is extended by a week
    const extended = await h.api('PUT', '/api/inspections/SI-EXT', { ...inspection, end: day(8) }, inspectorate());

    // Assess
    expect(extended.json.flaggedDialogues).toBe(1);
    expect((await h.dialogue(id)).conflict).toMatchObject({ kind: 'invitation', rule: 'invitation_during_inspection' });

    // Act: the coordinator reschedules
    const decided = await h.api('POST', `/api/conflicts/${id}/decision`, { decision: 'reschedule' });

    // Assess: the start moved past the inspection, the flag is gone, nothing was sent
    expect(decided.status).toBe(200);
    expect(decided.json.dueAt).toBe(stockholmTime(day(9), 8).toISOString());
    expect(decided.json.conflict).toBeUndefined();
    expect(decided.json.history.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'start_postponed',
      'conflict_flagged',
      'conflict_decision',
      'conflict_cleared',
    ]);
    expect(h.runtime.sfn.list().some((x) => x.name.includes(id))).toBe(false);
  });

  it('a late inspection flags exactly the dialogues it clashes with; a decision is audited; cancelling clears it', async () => {
    // Prepare: organiser 6 has two dialogues (two cycles) with physical meetings 30 and 90 days ahead;
    // organiser 2's meeting is on the same day as organiser 6's first.
    const a = (await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-6', cycle: '2030' })).json.id as string;
    const b = (await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-6', cycle: '2031' })).json.id as string;
    const c = (await h.api('POST', '/api/dialogues', { organiserId: 'insp-org-2', cycle: '2030' })).json.id as string;
    const meeting = (dialogueId: string, organiserId: string, n: number) =>
      registerPlanned(h.runtime.deps, {
        organiserId,
        organiserName: organiserId,
        region: 'vast',
        dialogueId,
        step: 'dialogue_meeting',
        kind: 'physical_meeting',
        start: at(n),
        end: at(n, 12),
      });
    await meeting(a, 'insp-org-6', 30);
    await meeting(b, 'insp-org-6', 90);
    await meeting(c, 'insp-org-2', 30);
    const free = await h.api('POST', '/api/schedule/check', { organiserId: 'insp-org-6', kind: 'physical_meeting', start: at(30) });
    expect(free.json).toEqual({ ok: true });
    const mailsBefore = (await conflictMails()).length;

    // Act: the inspectorate adds an inspection of one of organiser 6's school units 10 days before meeting a
    const put = await h.api(
      'PUT',
      '/api/inspections/SI-LATE',
      { orgNumber: '556000-0006', schoolUnitCode: '10000006', kind: 'regular_supervision', start: day(20), end: day(21) },
      inspectorate(),
    );

    // Assess: only dialogue a is flagged, with the rule; the coordinator is mailed once
    expect(put.json.flaggedDialogues).toBe(1);
    const flagged = await h.dialogue(a);
    expect(flagged.conflict).toMatchObject({
      step: 'dialogue_meeting',
      inspectionId: 'SI-LATE',
      rule: 'physical_meeting_near_inspection',
      schoolUnitCode: '10000006',
    });
    // The invitation workflow runs alongside, so its entries may come after the flag.
    expect(flagged.history.find((e: { type: string }) => e.type === 'conflict_flagged')).toMatchObject({ by: 'inspectorate' });
    expect((await h.dialogue(b)).conflict).toBeUndefined();
    expect((await h.dialogue(c)).conflict).toBeUndefined();
    const mails = await conflictMails();
    expect(mails).toHaveLength(mailsBefore + 1);
    expect(mails.at(-1)?.subject).toBe(
      `Krock med Skolinspektionen: Huvudman 6 AB – fysiskt dialogmöte ${new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'long' }).format(new Date(at(30)))}`,
    );
    expect(mails.at(-1)?.body.text).toContain('- Regelbunden tillsyn ');
    expect(mails.at(-1)?.body.text).toContain('/console/dialogues/');
    expect(mails.at(-1)?.body.text).not.toContain('/api/');
    const check = await h.api('POST', '/api/schedule/check', { organiserId: 'insp-org-6', kind: 'physical_meeting', start: at(30) });
    expect(check.json.ok).toBe(false);
    expect(check.json.reasons[0].message).toContain('ligger inom 14 dagar från Skolinspektionens regelbundna tillsyn');

    // The conflict views: the inspectorate sees no dialogue id, contacts or notes
    const forInspectorate = (await h.api('GET', `/api/conflicts?from=${day(0)}&to=${day(60)}`, undefined, inspectorate())).json.items;
    expect(forInspectorate).toEqual([
      expect.objectContaining({
        organiserName: 'Huvudman 6 AB',
        orgNumber: '5560000006',
        step: 'dialogue_meeting',
        plannedStart: at(30),
        rule: 'physical_meeting_near_inspection',
      }),
    ]);
    expect(JSON.stringify(forInspectorate)).not.toMatch(/dlg-|@|contacts|recipients|comment/);
    const forCoordinator = (await h.api('GET', `/api/conflicts?from=${day(0)}&to=${day(60)}&region=vast`)).json.items;
    expect(forCoordinator.map((x: { dialogueId: string }) => x.dialogueId)).toEqual([a]);
    expect((await h.api('GET', `/api/conflicts?region=syd`)).json.items).toEqual([]);

    // Act: the same inspection again changes nothing and mails nobody; the coordinator decides to keep
    expect(
      (
        await h.api(
          'PUT',
          '/api/inspections/SI-LATE',
          { orgNumber: '556000-0006', schoolUnitCode: '10000006', kind: 'regular_supervision', start: day(20), end: day(21) },
          inspectorate(),
        )
      ).json.outcome,
    ).toBe('unchanged');
    const decided = await h.api('POST', `/api/conflicts/${a}/decision`, {
      decision: 'keep',
      comment: 'Mötet ligger kvar efter samtal med rektor.',
    });
    expect(decided.status).toBe(200);
    expect(decided.json.conflict.decision).toMatchObject({ decision: 'keep', by: 'coordinator' });
    expect((await h.api('POST', `/api/conflicts/${b}/decision`, { decision: 'keep' })).status).toBe(409);
    expect((await h.api('POST', `/api/conflicts/${a}/decision`, { decision: 'maybe' })).json.message).toContain(
      'decision must be keep or reschedule',
    );

    // Act: the inspectorate cancels the inspection
    const cancelled = await h.api(
      'PUT',
      '/api/inspections/SI-LATE',
      {
        orgNumber: '556000-0006',
        schoolUnitCode: '10000006',
        kind: 'regular_supervision',
        start: day(20),
        end: day(21),
        status: 'inställd',
      },
      inspectorate(),
    );
    // Assess
    expect(cancelled.json.clearedDialogues).toBe(1);
    const clearedDialogue = await h.dialogue(a);
    expect(clearedDialogue.conflict).toBeUndefined();
    expect(clearedDialogue.history.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['conflict_flagged', 'conflict_decision', 'conflict_cleared']),
    );
    expect((await h.api('GET', '/api/conflicts')).json.items).toEqual([]);
    expect(await conflictMails()).toHaveLength(mailsBefore + 1);
    const trail = (await h.api('GET', `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`)).json.items.map(
      (e: { action: string }) => e.action,
    );
    expect(trail).toEqual(expect.arrayContaining(['conflict.flagged', 'conflict.decision', 'conflict.cleared']));
  });
});
