/**
 * Driving dialogues through their phases on the embedded runtime, for tests: an organiser with its
 * own contacts, the invitation accepted from the mailed link, each phase's offer booked from its
 * mailed link, and the clock moved past a due-date (which fires the timers).
 */
import { expect } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { type Harness, organiser, type StoredMail } from './local.ts';

export const boardOf = (n: string) => `styrelsen@${n}.example.se`;
export const chiefOf = (n: string) => `chef@${n}.example.se`;

let orgNo = 0;
/** An organiser `n` (id n) with its own board and school-chief addresses; returns its org. number. */
export async function addOrganiser(h: Harness, n: string, over: Record<string, unknown> = {}): Promise<string> {
  orgNo++;
  const orgNumber = `556${String(process.pid % 1000).padStart(3, '0')}-${String(orgNo).padStart(4, '0')}`;
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: n,
      orgNumber,
      name: `Skolan ${n} AB`,
      legalForm: 'aktiebolag',
      countyCode: '12',
      contacts: [
        { role: 'board', name: `Styrelsen ${n}`, email: boardOf(n) },
        { role: 'school_chief', name: `Chefen ${n}`, email: chiefOf(n) },
      ],
      ...over,
    }),
  );
  expect(r.status, r.text).toBe(201);
  return orgNumber;
}

/** The newest mail to `address` whose subject starts with `prefix`. */
export async function latest(h: Harness, address: string, prefix: string): Promise<StoredMail> {
  const mail = (await h.mailTo(address)).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${address}`);
  return mail;
}

/** The part of the coordinator's hand-back digest (sent the morning after) from the organiser's row on. */
export async function digestRow(h: Harness, coordinator: string, organiserName: string): Promise<string> {
  const mail = (await h.mailTo(coordinator)).find((m) => m.subject.startsWith('Att hantera: ') && m.body.text?.includes(organiserName));
  if (!mail) throw new Error(`no digest naming ${organiserName}`);
  const text = mail.body.text ?? '';
  return text.slice(text.indexOf(organiserName));
}

/**
 * Moves the clock on past the digest of today's hand-backs: two days, since it goes out from
 * 07:00 the next morning and a test may run at any time of day.
 */
export async function pastTheDigest(h: Harness): Promise<void> {
  expect((await h.advance('P2D')).status).toBe(200);
}

export const waitingForBooking = (h: Harness, id: string, kind: string, round = 1) =>
  h.runtime.sfn.waitForEvent(phaseExecutionName(id, kind, round), (e) => e.type === 'TaskWaiting');

/** Moves the clock a day past the latest of `isos` and fires the timers. */
export async function advancePast(h: Harness, isos: (string | undefined)[]): Promise<void> {
  const last = Math.max(...isos.map((x) => Date.parse(x ?? '')).filter((x) => !Number.isNaN(x)));
  const days = Math.max(1, Math.ceil((last - h.runtime.clock.now().getTime()) / 86_400_000) + 1);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
}

/** Books the first offered time that is still free from an offer mail's link. */
export async function bookFromLink(h: Harness, link: string): Promise<void> {
  for (const choice of ['0', '1', '2', '3', '4']) {
    const r = await h.page(link, { choice });
    if (r.status === 200) return;
    expect(r.html).toContain('Tiden är inte längre ledig');
  }
  throw new Error('no offered time could be booked');
}

/** Invites organiser `n`, accepts from the board's link and waits for the intro offer. */
export async function acceptedWithIntroOffer(h: Harness, n: string): Promise<string> {
  const id = await h.invite(n);
  expect((await h.page(h.linkIn(await latest(h, boardOf(n), 'Erbjudande')), { answer: 'accept' })).status).toBe(200);
  expect((await h.advance('PT10M')).status).toBe(200);
  await waitingForBooking(h, id, 'intro');
  return id;
}

const subjects = {
  intro: 'Välj tid för introduktionsmöte',
  pre_meeting: 'Välj tid för förmöte',
  dialogue: 'Välj tid för dialogmöte',
} as const;

/**
 * Books each phase from its offer up to and including `last` and moves the clock past it (the
 * material gets a document per school form after the intro unless `material` is false).
 */
export async function driveThrough(
  h: Harness,
  n: string,
  id: string,
  last: keyof typeof subjects,
  opts: { material?: boolean } = {},
): Promise<void> {
  for (const kind of Object.keys(subjects) as (keyof typeof subjects)[]) {
    await waitingForBooking(h, id, kind);
    await bookFromLink(h, h.linkIn(await latest(h, boardOf(n), subjects[kind])));
    if (kind === 'intro' && opts.material !== false) await h.attachMaterial(id);
    await advancePast(h, [(await h.dialogue(id)).dueAt]);
    if (kind === last) return;
  }
}
