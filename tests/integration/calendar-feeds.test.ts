/**
 * Planned dialogue dates for the inspectorate and the calendar subscriptions, over HTTP on the
 * embedded runtime: a booking, a move and a cancellation show in GET /api/planned-dates, in the
 * inspectorate's feed and in the facilitators' feeds with the same UID, a rising SEQUENCE and
 * STATUS:CANCELLED at the end (each feed parsed with ical.js); offered times show as tentative;
 * a wrong key gets exactly the answer of an unknown path; the inspectorate sees no personal data;
 * both keys can be replaced from the console and the old address stops working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { parseIcs } from '../support/ics.ts';
import { addFacilitators, testFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const FEED_KEY = 'test-inspectorate-feed-key-0001-abcdefgh';

/** Each test facilitator's calendar address, made in the console as a coordinator would. */
const facilitatorFeeds = new Map<string, string>();
let coordinator: string;

beforeAll(async () => {
  await h.start({ inspectorateFeedKey: FEED_KEY });
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  coordinator = await login(h.runtime.tokens.coordinator);
  for (const id of Object.keys(testFacilitators)) facilitatorFeeds.set(id, await makeFacilitatorAddress(id));
});
afterAll(async () => {
  await h.close();
});

const form = (data: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(data).toString(),
});

async function login(token: string): Promise<string> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, form({ name: 'Sara', token }));
  expect(r.status).toBe(303);
  return r.headers.get('set-cookie')?.split(';')[0] ?? '';
}

/** The hidden fields of the page's form that posts to `action`, as a browser would post them. */
function fieldsOf(html: string, action: string): Record<string, string> {
  const at = html.indexOf(`action="${action}"`);
  expect(at, `no form posting to ${action}`).toBeGreaterThan(-1);
  const formHtml = html.slice(at, html.indexOf('</form>', at));
  return Object.fromEntries(
    [...formHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
}

/** The feed path the page shows (https address, without the host). */
const addressOn = (html: string, file: string): string | undefined =>
  new RegExp(`<code class="address">https?://[^/]+(/feeds/[A-Za-z0-9_-]+/${file.replace('.', '\\.')})</code>`).exec(html)?.[1];

/** Posts the facilitator page's address form (make, or replace) and returns the address shown after. */
async function makeFacilitatorAddress(id: string): Promise<string> {
  const page = await raw(`/console/facilitators/${id}`, coordinator);
  expect(page.status).toBe(200);
  const r = await fetch(
    `${h.runtime.urls.app}/console/facilitators/${id}/feed`,
    form(fieldsOf(page.text, `/console/facilitators/${id}/feed`), coordinator),
  );
  expect(r.status).toBe(303);
  const after = await raw(`/console/facilitators/${id}`, coordinator);
  const path = addressOn(after.text, 'calendar.ics');
  expect(path, after.text).toBeDefined();
  return path as string;
}

async function raw(path: string, cookie?: string) {
  const r = await fetch(`${h.runtime.urls.app}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), text: await r.text() };
}

async function feed(path: string) {
  const r = await raw(path);
  expect(r.status, r.text).toBe(200);
  expect(r.type).toBe('text/calendar; charset=utf-8');
  return { text: r.text, cal: parseIcs(r.text) };
}

const plannedFeed = () => feed(`/feeds/${FEED_KEY}/planned-dates.ics`);

describe('planned dates: a booking, a move and a cancellation', () => {
  let dialogueId: string;
  let meetingId: string;
  let uid: string;
  let slots: { pair: { skolverket: string; spsm: string }; sessions: { start: string; end: string }[] }[];

  it('shows a booked meeting in the API and the feed at SEQUENCE 0, CONFIRMED, in Stockholm time', async () => {
    // Prepare
    dialogueId = await h.invite('norrviks-kommun');
    slots = (await h.api('GET', '/api/slot-proposals?kind=pre_meeting&count=3')).json.items;
    // Act
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [dialogueId],
      kind: 'pre_meeting',
      sessions: slots[0]!.sessions,
      pair: slots[0]!.pair,
      videoLink: 'https://video.example.se/formote-norrvik',
    });
    expect(booked.status).toBe(201);
    meetingId = booked.json.id;
    // Assess: the API (inspectorate)
    const r = await h.api('GET', '/api/planned-dates?orgNumber=212000-2262', undefined, h.runtime.tokens.inspectorate);
    expect(r.status).toBe(200);
    expect(r.json.items).toHaveLength(1);
    const item = r.json.items[0];
    expect(item).toMatchObject({
      orgNumber: '212000-2262',
      organiserName: 'Norrviks kommun',
      kind: 'pre_meeting',
      status: 'booked',
      sequence: 0,
      start: new Date(slots[0]!.sessions[0]!.start).toISOString(),
      end: new Date(slots[0]!.sessions[0]!.end).toISOString(),
    });
    uid = item.uid;
    // Assess: the feed
    const { text, cal } = await plannedFeed();
    expect(text).toContain('X-WR-CALNAME:Planerade kvalitetsdialoger');
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(cal.timezones).toEqual(['Europe/Stockholm']);
    const ev = cal.events.find((e) => e.uid.startsWith(uid));
    expect(ev).toMatchObject({ sequence: 0, status: 'CONFIRMED', tzid: 'Europe/Stockholm' });
    expect(ev?.start.toISOString()).toBe(item.start);
    expect(ev?.summary).toBe('Förmöte – Norrviks kommun');
    // Assess: both facilitators' own feeds, each with the other facilitator and the video link
    for (const [me, partner] of [
      [slots[0]!.pair.skolverket, slots[0]!.pair.spsm],
      [slots[0]!.pair.spsm, slots[0]!.pair.skolverket],
    ] as const) {
      const { text: own, cal: mine } = await feed(facilitatorFeeds.get(me)!);
      expect(own).toContain(`X-WR-CALNAME:Kvalitetsdialog – ${testFacilitators[me as keyof typeof testFacilitators].name}`);
      expect(mine.events).toHaveLength(1);
      expect(mine.events[0]).toMatchObject({
        sequence: 0,
        status: 'CONFIRMED',
        tzid: 'Europe/Stockholm',
        location: 'https://video.example.se/formote-norrvik',
      });
      expect(mine.events[0]?.description).toContain(testFacilitators[partner as keyof typeof testFacilitators].name);
      expect(mine.events[0]?.summary).toBe('Förmöte – Norrviks kommun');
    }
  });

  it('keeps the UID and raises SEQUENCE when the meeting moves', async () => {
    // Act
    const moved = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: slots[1]!.sessions, pair: slots[1]!.pair });
    expect(moved.status).toBe(200);
    // Assess
    const items = (await h.api('GET', '/api/planned-dates?orgNumber=2120002262', undefined, h.runtime.tokens.inspectorate)).json.items;
    expect(items.map((i: { uid: string; sequence: number; status: string }) => [i.uid, i.sequence, i.status])).toEqual([
      [uid, 1, 'booked'],
    ]);
    const ev = (await plannedFeed()).cal.events.find((e) => e.uid.startsWith(uid));
    expect(ev).toMatchObject({ sequence: 1, status: 'CONFIRMED' });
    expect(ev?.start.toISOString()).toBe(new Date(slots[1]!.sessions[0]!.start).toISOString());
    // The new pair's feeds show it booked at SEQUENCE 1 (same UID as before for who stayed); one taken off it sees it cancelled.
    for (const id of Object.keys(testFacilitators)) {
      const events = (await feed(facilitatorFeeds.get(id)!)).cal.events;
      const onNew = id === slots[1]!.pair.skolverket || id === slots[1]!.pair.spsm;
      const onOld = id === slots[0]!.pair.skolverket || id === slots[0]!.pair.spsm;
      if (onNew)
        expect(
          events.map((e) => [e.sequence, e.status, e.start.toISOString()]),
          id,
        ).toEqual([[onOld ? 1 : 0, 'CONFIRMED', ev?.start.toISOString()]]);
      else if (onOld)
        expect(
          events.map((e) => [e.sequence, e.status]),
          id,
        ).toEqual([[1, 'CANCELLED']]);
      else expect(events, id).toEqual([]);
    }
  });

  it('marks the window CANCELLED (SEQUENCE 2) when the meeting is cancelled, and keeps it in the feed', async () => {
    // Act
    expect((await h.api('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'Sjukdom' })).status).toBe(200);
    // Assess
    const items = (
      await h.api('GET', '/api/planned-dates?orgNumber=212000-2262&status=cancelled', undefined, h.runtime.tokens.inspectorate)
    ).json.items;
    expect(items.map((i: { uid: string; sequence: number }) => [i.uid, i.sequence])).toEqual([[uid, 2]]);
    const ev = (await plannedFeed()).cal.events.find((e) => e.uid.startsWith(uid));
    expect(ev).toMatchObject({ sequence: 2, status: 'CANCELLED' });
    expect(ev?.summary).toBe('Gäller inte: Förmöte – Norrviks kommun');
    for (const id of [slots[1]!.pair.skolverket, slots[1]!.pair.spsm]) {
      const [cancelled] = (await feed(facilitatorFeeds.get(id)!)).cal.events;
      expect(cancelled).toMatchObject({ status: 'CANCELLED', summary: 'Inställt: Förmöte – Norrviks kommun' });
      expect(cancelled?.sequence).toBeGreaterThanOrEqual(1);
    }
  });

  it('pages by period and filters by region and status, and refuses bad input with a readable 400', async () => {
    const all = await h.api('GET', '/api/planned-dates?limit=1', undefined, h.runtime.tokens.coordinator);
    expect(all.status).toBe(200);
    expect(all.json.items).toHaveLength(1);
    expect((await h.api('GET', '/api/planned-dates?region=norrbotten', undefined, h.runtime.tokens.inspectorate)).json.items).toEqual([]);
    for (const bad of [
      'orgNumber=12',
      'from=2027-13-01',
      'from=2027-03-02&to=2027-03-01',
      'limit=0',
      'status=maybe',
      'from=2027-01-01&to=2030-01-01',
      'x=1',
    ]) {
      const r = await h.api('GET', `/api/planned-dates?${bad}`, undefined, h.runtime.tokens.inspectorate);
      expect(r.status, bad).toBe(400);
      expect(r.json.message, bad).toMatch(/^Invalid query|at most/);
    }
    expect((await h.api('GET', '/api/planned-dates', undefined, null)).status).toBe(401);
  });
});

describe('what the inspectorate sees', () => {
  it('is no personal data: no contacts, participants, notes, answers or dialogue ids in the API or the feed', async () => {
    // Prepare: a dialogue meeting with a named participant, and the organiser's contacts on record
    const id = await h.invite('solrosens-forskola-ab');
    const slot = (await h.api('GET', '/api/slot-proposals?kind=dialogue&count=3')).json.items[0];
    const r = await h.api('POST', '/api/meetings', {
      dialogueIds: [id],
      kind: 'dialogue',
      sessions: slot.sessions,
      pair: slot.pair,
      location: 'Solrosens förskola, Blomvägen 1',
      participants: [{ name: 'Märta Ek', email: 'marta.ek@solrosen.example.se', role: 'rektor' }],
    });
    expect(r.status).toBe(201);
    const organiser = (await h.api('GET', '/api/organisers/solrosens-forskola-ab')).json;
    // Act
    const api = await h.api('GET', '/api/planned-dates', undefined, h.runtime.tokens.inspectorate);
    const { text } = await plannedFeed();
    // Assess
    for (const shown of [api.text, text]) {
      for (const secret of [
        id,
        r.json.id,
        'Märta',
        'marta.ek',
        'Blomvägen',
        ...organiser.contacts.flatMap((c: { name: string; email: string }) => [c.name, c.email]),
      ]) {
        expect(shown).not.toContain(secret);
      }
      for (const f of Object.values(testFacilitators)) expect(shown).not.toContain(f.email);
    }
    expect(Object.keys(api.json.items[0]).sort()).toEqual([
      'end',
      'kind',
      'orgNumber',
      'organiserName',
      'region',
      'sequence',
      'start',
      'status',
      'uid',
      'updatedAt',
    ]);
  });
});

describe('offered times', () => {
  it('shows the times offered to an organiser as TENTATIVE until it books one', async () => {
    // Prepare: an accepted dialogue gets its introduction offered (no group sessions: three times)
    const id = await h.invite('ekbackens-ekonomiska-forening');
    const [recipient] = (await h.dialogue(id)).recipients;
    const answer = await h.page(h.linkIn((await h.mailTo(recipient.email)).at(-1)!), { answer: 'accept' });
    expect(answer.status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    // Act
    const items = (await h.api('GET', '/api/planned-dates?orgNumber=769600-1234&status=offered', undefined, h.runtime.tokens.inspectorate))
      .json.items;
    // Assess
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i: { kind: string }) => i.kind === 'intro')).toBe(true);
    const tentative = (await plannedFeed()).cal.events.filter((e) => items.some((i: { uid: string }) => e.uid.startsWith(i.uid)));
    expect(tentative.map((e) => e.status)).toEqual(items.map(() => 'TENTATIVE'));

    // Act: the organiser books the first time through the offer mail's link
    const offer = (await h.mailTo(recipient.email)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte')).at(-1);
    expect((await h.page(h.linkIn(offer!), { choice: '0' })).status).toBe(200);
    // Assess: every offered window is withdrawn (cancelled once), the booked meeting shows instead
    const after = (await h.api('GET', '/api/planned-dates?orgNumber=769600-1234', undefined, h.runtime.tokens.inspectorate)).json.items;
    const withdrawn = after.filter((i: { uid: string }) => items.some((o: { uid: string }) => o.uid === i.uid));
    expect(withdrawn.map((i: { status: string; sequence: number }) => [i.status, i.sequence])).toEqual(items.map(() => ['cancelled', 1]));
    const booked = after.filter((i: { status: string }) => i.status === 'booked');
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ kind: 'intro', start: items[0].start, sequence: 0 });
  });
});

describe('feed keys', () => {
  it('answers a wrong key exactly like an unknown path', async () => {
    const unknown = await raw('/feeds/whatever/unknown.ics');
    for (const path of [
      '/feeds/not-the-key-not-the-key-not-the-key/planned-dates.ics',
      `/feeds/${FEED_KEY}x/planned-dates.ics`,
      '/feeds/short/planned-dates.ics',
      '/feeds/not-the-key-not-the-key-not-the-key/calendar.ics',
      `/feeds/${FEED_KEY}/calendar.ics`,
    ]) {
      expect(await raw(path), path).toEqual(unknown);
    }
    expect(unknown).toMatchObject({ status: 404, text: '{"message":"Not Found"}' });
  });

  it('serves the feed with a cache of a minute at most', async () => {
    const r = await raw(`/feeds/${FEED_KEY}/planned-dates.ics`);
    expect(r.cache).toBe('private, max-age=60');
  });

  it("shows the inspectorate's address on its console page; a new one there stops the old one at once", async () => {
    // Prepare
    const inspectorate = await login(h.runtime.tokens.inspectorate);
    const page = await raw('/console/inspection', inspectorate);
    expect(addressOn(page.text, 'planned-dates.ics')).toBe(`/feeds/${FEED_KEY}/planned-dates.ics`);
    const fields = fieldsOf(page.text, '/console/inspection/feed');
    // Act: the form posted twice (a double click) makes one new address
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${h.runtime.urls.app}/console/inspection/feed`, form(fields, inspectorate));
      expect(r.status).toBe(303);
    }
    // Assess
    const after = await raw('/console/inspection?klart=ny-adress', inspectorate);
    const fresh = addressOn(after.text, 'planned-dates.ics');
    expect(fresh).toBeDefined();
    expect(fresh).not.toContain(FEED_KEY);
    expect((await raw(`/feeds/${FEED_KEY}/planned-dates.ics`)).status).toBe(404);
    expect((await feed(fresh as string)).cal.events.length).toBeGreaterThan(0);
    expect(await h.runtime.inspectorateFeedUrl()).toContain(fresh);
    const audit = await h.api('GET', `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`);
    expect(
      audit.json.items.filter((e: { action: string; subject: string }) => e.action === 'feed.rotated' && e.subject === 'inspectorate'),
    ).toHaveLength(1);
  });

  it("replaces a facilitator's address from the console; the old one answers like an unknown path", async () => {
    // Act
    const old = facilitatorFeeds.get('sv-bo') as string;
    const fresh = await makeFacilitatorAddress('sv-bo');
    // Assess
    expect(fresh).not.toBe(old);
    expect(await raw(old)).toEqual(await raw('/feeds/nothing/here.ics'));
    expect((await raw(fresh)).status).toBe(200);
    // The inspectorate may not see or change facilitators' pages.
    const inspectorate = await login(h.runtime.tokens.inspectorate);
    expect((await raw('/console/facilitators/sv-bo', inspectorate)).status).toBe(403);
  });
});

describe('the month view on the inspectorate page', () => {
  it('shows the booked and offered times of the month per region, without contacts', async () => {
    // Prepare: the dialogue meeting booked above is in some month; show that month
    const items = (await h.api('GET', '/api/planned-dates?status=booked', undefined, h.runtime.tokens.inspectorate)).json.items;
    const booked = items[0];
    const month = new Date(booked.start).toISOString().slice(0, 7);
    const inspectorate = await login(h.runtime.tokens.inspectorate);
    // Act
    const page = await raw(`/console/inspection?manad=${month}&region=${booked.region}`, inspectorate);
    const other = await raw(`/console/inspection?manad=${month}&region=norrbotten`, inspectorate);
    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain(booked.organiserName);
    expect(page.text).toMatch(/<caption>Planerade dialoger [a-zé]+ \d{4}, Region [^:]+: \d+ mötestid(er)?<\/caption>/);
    expect(other.text).not.toContain(`${booked.organiserName} <span class="status">`);
    expect((await raw('/console/inspection?manad=2027-13', inspectorate)).text).toContain('Ange månad som ÅÅÅÅ-MM.');
  });
});
