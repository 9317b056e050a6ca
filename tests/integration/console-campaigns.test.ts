/**
 * Campaigns and cycle planning in the console over HTTP against the embedded runtime: roles and
 * CSRF, the form's Swedish validation, the preview's reasons with their paged lists, a double
 * submitted create form, launch → progress → pause → resume → completed with each action once
 * (a double submit changes nothing and says so, and the page's log shows who did it), a failed
 * recipient with its error, and the planning page (a GET that writes nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '#core/population.ts';
import { noteCampaignThrottled } from '#functions/use-cases/campaign-feedback.ts';
import { Harness } from '../support/local.ts';
import { campaignConsoleOf } from '#adapters/campaign-console-repository.ts';

const h = new Harness();
// Every tenth organiser without contacts: the preview has someone to leave out for that reason.
const population = generatePopulation({ organisers: 40, seed: 11 }).map((o, i) => (i % 10 === 3 ? { ...o, contacts: [] } : o));
const withContacts = population.filter((o) => (o.contacts ?? []).length > 0);
const noContacts = population.filter((o) => (o.contacts ?? []).length === 0);
const alreadyInvited = withContacts[0]!;
const inspected = withContacts[1]!;

beforeAll(async () => {
  await h.start({ seed: false });
  for (const o of population) expect((await h.api('POST', '/api/organisers', o)).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

const formInit = (data: Record<string, string> | URLSearchParams, cookie?: string) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(data).toString(),
});

async function login(role: 'coordinator' | 'inspectorate', name: string): Promise<string> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, formInit({ name, role }));
  return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

async function get(path: string, cookie: string) {
  const r = await fetch(`${h.runtime.urls.app}${path}`, { redirect: 'manual', headers: { cookie } });
  return { status: r.status, location: r.headers.get('location'), html: await r.text(), type: r.headers.get('content-type') };
}

async function post(path: string, cookie: string, data: Record<string, string> | URLSearchParams) {
  const r = await fetch(`${h.runtime.urls.app}${path}`, formInit(data, cookie));
  return { status: r.status, location: r.headers.get('location'), html: await r.text() };
}

const hidden = (html: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const campaignCount = async () => (await h.api('GET', '/api/campaigns')).json.items.length as number;
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('campaigns in the console', () => {
  let cookie = '';
  let csrf = '';
  let campaignId = '';
  let total = 0;

  beforeAll(async () => {
    cookie = await login('coordinator', 'Sara Samordnare');
    csrf = hidden((await get('/console/campaigns/new', cookie)).html, 'csrf');
  });

  it('is for coordinators only, and refuses a POST without the CSRF token', async () => {
    const inspectorate = await login('inspectorate', 'Ivar');
    for (const path of ['/console/campaigns', '/console/campaigns/new', '/console/planning']) {
      const r = await get(path, inspectorate);
      expect(r.status, path).toBe(403);
      expect(r.html).toContain('Ingen behörighet');
    }
    // The inspectorate's own CSRF token does not make it a coordinator.
    const theirs = hidden((await get('/console/inspection', inspectorate)).html, 'csrf');
    const before = await campaignCount();
    const refused = await post('/console/campaigns', inspectorate, { csrf: theirs, formId: 'a'.repeat(22), name: 'x', cycle: '2026' });
    expect(refused.status).toBe(403);
    const noCsrf = await post('/console/campaigns', cookie, { formId: 'b'.repeat(22), name: 'x', cycle: '2026' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.html).toContain('Formuläret har gått ut');
    expect(await campaignCount()).toBe(before);
    // The navigation shows the new pages to the coordinator only.
    expect((await get('/console/campaigns', cookie)).html).toContain('href="/console/planning"');
    expect((await get('/console/inspection', inspectorate)).html).not.toContain('href="/console/campaigns"');
  });

  it('shows the form errors in Swedish next to the fields, keeps what was entered and creates nothing', async () => {
    // Prepare
    const before = await campaignCount();
    const form = new URLSearchParams({
      csrf,
      formId: 'c'.repeat(22),
      name: '  ',
      cycle: '26',
      sendRate: 'snabbt',
      minChildren: '500',
      maxChildren: '50',
    });
    form.append('regions', 'stockholm');
    form.append('legalForms', 'atlantis');

    // Act
    const r = await post('/console/campaigns', cookie, form);

    // Assess
    expect(r.status).toBe(400);
    const t = text(r.html);
    expect(t).toContain('Formuläret behöver rättas');
    expect(t).toContain('Ge kampanjen ett namn.');
    expect(t).toContain('Skriv omgången som ett årtal med fyra siffror, t.ex. 2026.');
    expect(t).toContain('Skriv takten som ett tal, t.ex. 14.');
    expect(t).toContain('Okänd juridisk form.');
    expect(r.html).toContain('id="e-cycle"');
    expect(r.html).toMatch(/id="f-cycle"[^>]*aria-invalid="true"/);
    expect(r.html).toContain('value="26"');
    expect(r.html).toContain('value="snabbt"');
    expect(r.html).toMatch(/value="stockholm" checked/);
    // The cross-field rule once the fields themselves are right
    const range = await post('/console/campaigns', cookie, {
      csrf,
      formId: 'd'.repeat(22),
      name: 'Intervall',
      cycle: '2026',
      minChildren: '500',
      maxChildren: '50',
    });
    expect(range.status).toBe(400);
    expect(text(range.html)).toContain('Antal barn från: ”Från” får inte vara större än ”till”.');
    expect(range.html).toMatch(/id="f-minChildren"[^>]*value="500"/);
    // Faster than the SES account allows (all campaigns share its rate, 14 mails/s here)
    const fast = await post('/console/campaigns', cookie, { csrf, formId: 'e'.repeat(22), name: 'Snabb', cycle: '2026', sendRate: '50' });
    expect(fast.status).toBe(400);
    expect(text(fast.html)).toContain('Takten får vara högst 14 mejl per sekund');
    expect(fast.html).toMatch(/id="f-sendRate"[^>]*aria-invalid="true"/);
    expect(await campaignCount()).toBe(before);
  });

  it('creates a draft and previews who would be invited and why the others would not, with a paged list per reason', async () => {
    // Prepare: one organiser already in a dialogue this cycle, one with the inspectorate at the door
    expect((await h.api('POST', '/api/dialogues', { organiserId: alreadyInvited.id })).status).toBe(201);
    const today = h.runtime.clock.now().toISOString().slice(0, 10);
    const inWeek = new Date(h.runtime.clock.now().getTime() + 6 * 86_400_000).toISOString().slice(0, 10);
    const inspection = { orgNumber: inspected.orgNumber, kind: 'regular_supervision', start: today, end: inWeek, status: 'confirmed' };
    expect((await h.api('PUT', '/api/inspections/SI-CONSOLE-1', inspection, h.runtime.tokens.inspectorate)).status).toBe(201);
    const page = await get('/console/campaigns/new', cookie);
    const fields = { csrf, formId: hidden(page.html, 'formId'), name: 'Hösten, alla huvudmän', cycle: hidden(page.html, 'cycle') };
    expect(fields.formId).toMatch(/^[\w-]{16,40}$/);
    const before = await campaignCount();

    // Act: the same form posted twice
    const first = await post('/console/campaigns', cookie, { ...fields, notYetOffered: 'ja', sendRate: '4' });
    const second = await post('/console/campaigns', cookie, { ...fields, notYetOffered: 'ja', sendRate: '4' });

    // Assess: one campaign
    expect(first.status).toBe(303);
    const m = /^\/console\/campaigns\/(cmp-[\w-]+)\?klart=skapad$/.exec(first.location ?? '');
    expect(m).not.toBeNull();
    campaignId = m![1]!;
    expect(second.location).toBe(`/console/campaigns/${campaignId}?klart=redan-skapad`);
    expect(await campaignCount()).toBe(before + 1);
    const api = (await h.api('GET', `/api/campaigns/${campaignId}`)).json;
    total = api.total;
    expect(total).toBe(withContacts.length - 2);
    expect(api.sendRate).toBe(4);
    expect(api.excluded).toEqual({ missing_contacts: noContacts.length, inspection_under_way: 1, already_in_dialogue: 1 });

    const view = await get(first.location!, cookie);
    expect(view.status).toBe(200);
    const t = text(view.html);
    expect(t).toContain('Kampanjen är skapad som utkast.');
    expect(t).toContain('Utkast, inte startad');
    expect(t).toContain(`${total} huvudmän skulle bjudas in`);
    expect(api.summary).toMatch(
      new RegExp(`^Kampanjen kommer att mejla en inbjudan till ${total} av ${api.registered} huvudmän i registret\\.`),
    );
    expect(api.registered).toBeGreaterThanOrEqual(population.length);
    expect(t).toContain(api.summary);
    expect(t).toContain(`Saknar kontaktuppgifter: ingen nämnd, styrelse, skolchef eller rektor med e-postadress ${noContacts.length}`);
    expect(t).toContain('Skolinspektionen granskar huvudmannen just nu 1');
    expect(t).toContain('Har redan en dialog i omgången 1');
    expect(t).toContain('Skapade kampanjen Sara Samordnare (samordnare) Utfört');
    expect(view.html).not.toContain('http-equiv="refresh"');
    // 25 recipients per page, in invitation order
    expect(view.html).toContain(`1–25 visas`);
    const page2 = await get(`/console/campaigns/${campaignId}?fran=25`, cookie);
    expect(text(page2.html)).toContain(`26–${total} visas`);

    // The organisers behind each reason
    const missing = await get(`/console/campaigns/${campaignId}?skal=missing_contacts`, cookie);
    for (const o of noContacts) expect(missing.html).toContain(o.name);
    expect(missing.html).not.toContain(`<td>${inspected.name}</td>`);
    const under = await get(`/console/campaigns/${campaignId}?skal=inspection_under_way`, cookie);
    expect(under.html).toContain(`<td>${inspected.name}</td>`);
    const already = await get(`/console/campaigns/${campaignId}?skal=already_in_dialogue`, cookie);
    expect(already.html).toContain(`<td>${alreadyInvited.name}</td>`);
  });

  async function act(action: 'launch' | 'pause' | 'resume') {
    const confirm = await get(`/console/campaigns/${campaignId}/${action}`, cookie);
    expect(confirm.status).toBe(200);
    const fields = { csrf: hidden(confirm.html, 'csrf'), formId: hidden(confirm.html, 'formId') };
    const first = await post(`/console/campaigns/${campaignId}/${action}`, cookie, fields);
    const second = await post(`/console/campaigns/${campaignId}/${action}`, cookie, fields);
    return { first, second };
  }

  it('launches once (a double submit says so), sends at the pace and shows the progress on a page that refreshes itself', async () => {
    // Prepare: the organiser of the third recipient disappears before it is invited, so that invitation fails
    const [, , third] = await h.runtime.deps.campaigns.recipients(campaignId, 0, 3);
    const organisers = h.runtime.deps.organisers;
    const get0 = organisers.get.bind(organisers);
    organisers.get = async (id: string) => (id === third!.organiserId ? undefined : get0(id));

    // Act
    const { first, second } = await act('launch');
    // A pass a second of local time, each at most a second of the rate: on until the third is handled.
    for (let i = 0; i < 10; i++) {
      await h.advance('PT1S');
      const { sent, failed } = (await h.api('GET', `/api/campaigns/${campaignId}`)).json.progress;
      if (sent + failed >= 3) break;
    }

    // Assess
    expect(first.location).toBe(`/console/campaigns/${campaignId}?klart=launch`);
    expect(second.location).toBe(`/console/campaigns/${campaignId}?klart=already`);
    const view = await get(`/console/campaigns/${campaignId}?klart=already`, cookie);
    const t = text(view.html);
    expect(t).toContain('Åtgärden var redan utförd; inget ändrades.');
    expect(t).toContain('Skickar');
    expect(view.html).toContain('<noscript><meta http-equiv="refresh" content="3"></noscript>');
    expect(view.html).toContain('<script src="/console/assets/campaign-progress.js" defer></script>');
    expect(view.html).toMatch(/<progress id="framsteg" max="\d+" value="\d+">/);
    expect(t.match(/Startade utskicket Sara Samordnare \(samordnare\) Utfört/g)).toHaveLength(1);
    const status = await fetch(`${h.runtime.urls.app}/console/campaigns/${campaignId}/status`, { headers: { cookie } });
    const p = (await status.json()) as { state: string; total: number; sent: number; failed: number; queued: number };
    expect(p).toMatchObject({ state: 'running', total });
    // 4 mails/s for a few seconds, 1–2 mails per invitation
    expect(p.sent + p.failed).toBeGreaterThan(0);
    expect(p.sent).toBeLessThanOrEqual(12);
    expect(p.queued).toBe(total - p.sent - p.failed);
    organisers.get = get0;
  });

  it('pauses and resumes once each, sends nothing while paused, and completes with one invitation per recipient', async () => {
    // Act: pause (twice), wait, resume (twice)
    const pause = await act('pause');
    const paused = (await h.api('GET', `/api/campaigns/${campaignId}`)).json;
    await h.advance('PT1M');
    const still = (await h.api('GET', `/api/campaigns/${campaignId}`)).json;
    const resume = await act('resume');
    // One pass per second of local time, each at most a second of the send rate (no burst after the pause).
    for (let i = 0; i < 120 && (await h.api('GET', `/api/campaigns/${campaignId}`)).json.state !== 'completed'; i++)
      await h.advance('PT1S');

    // Assess
    expect(pause.first.location).toBe(`/console/campaigns/${campaignId}?klart=pause`);
    expect(pause.second.location).toBe(`/console/campaigns/${campaignId}?klart=already`);
    expect(resume.first.location).toBe(`/console/campaigns/${campaignId}?klart=resume`);
    expect(resume.second.location).toBe(`/console/campaigns/${campaignId}?klart=already`);
    expect(still.progress).toEqual(paused.progress);
    const done = (await h.api('GET', `/api/campaigns/${campaignId}`)).json;
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ sent: total - 1, failed: 1, queued: 0, total });

    const view = await get(`/console/campaigns/${campaignId}`, cookie);
    const t = text(view.html);
    expect(view.html).not.toContain('http-equiv="refresh"');
    expect(view.html).not.toContain('<script');
    expect(t).toContain(`Utskicket är klart. ${total - 1} av ${total} inbjudna, 0 i kö, 1 misslyckade.`);
    expect(t).toContain('1 inbjudningar misslyckades');
    expect(t).toMatch(/Misslyckade inbjudningar .* Huvudmannen finns inte längre i registret\./);
    for (const what of ['Startade utskicket', 'Pausade utskicket', 'Återupptog utskicket'])
      expect(t.match(new RegExp(`${what} Sara Samordnare \\(samordnare\\) Utfört`, 'g')), what).toHaveLength(1);
    // No more actions on a completed campaign, and a stale confirmation says why
    expect(view.html).not.toContain(`/console/campaigns/${campaignId}/pause"`);
    const stale = await get(`/console/campaigns/${campaignId}/pause`, cookie);
    expect(stale.status).toBe(409);
    expect(text(stale.html)).toContain('Det går inte när kampanjen är i läget ”Klar”.');

    // One dialogue per invited organiser (read once no workflow writes any more: the list orders by last change)
    await h.invitationsWaiting();
    const dialogues = (await h.api('GET', '/api/dialogues?limit=100')).json.items as { organiserId: string }[];
    const counts = new Map<string, number>();
    for (const d of dialogues) counts.set(d.organiserId, (counts.get(d.organiserId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(total - 1 + 1); // every recipient but the failed one, plus the earlier dialogue
  });

  it('lists the campaigns newest first, filtered by state', async () => {
    // Prepare: a second campaign (a draft) over one region
    const page = await get('/console/campaigns/new', cookie);
    const form = new URLSearchParams({ csrf, formId: hidden(page.html, 'formId'), name: 'Bara Norrbotten', cycle: '2031' });
    form.append('regions', 'norrbotten');
    expect((await post('/console/campaigns', cookie, form)).status).toBe(303);

    // Act
    const all = text((await get('/console/campaigns', cookie)).html);
    const drafts = text((await get('/console/campaigns?state=draft', cookie)).html);
    const bad = await get('/console/campaigns?state=nonsense', cookie);

    // Assess
    expect(all.indexOf('Bara Norrbotten')).toBeLessThan(all.indexOf('Hösten, alla huvudmän'));
    expect(all).toContain(`${total - 1} skickade, 0 i kö, 1 misslyckade av ${total}`);
    expect(drafts).toContain('Bara Norrbotten');
    expect(drafts).not.toContain('Hösten, alla huvudmän');
    expect(bad.status).toBe(200);
    expect(text(bad.html)).toContain('Okänt läge i filtret');
  });

  it('deletes a draft after a confirmation, with its preview lists; a double submit and a launched campaign change nothing', async () => {
    // Prepare: the draft from the test above
    const list = await get('/console/campaigns?state=draft', cookie);
    const id = /href="\/console\/campaigns\/(cmp-[^"]+)">Bara Norrbotten/.exec(list.html)?.[1] ?? '';
    expect(id).not.toBe('');
    const view = await get(`/console/campaigns/${id}`, cookie);
    expect(view.html).toContain(`/console/campaigns/${id}/delete"`);
    const confirm = await get(`/console/campaigns/${id}/delete`, cookie);
    expect(confirm.status).toBe(200);
    expect(text(confirm.html)).toContain('tas bort med sitt urval och sin förhandsgranskning');
    const fields = { csrf: hidden(confirm.html, 'csrf'), formId: hidden(confirm.html, 'formId') };

    // Act: posted twice, and once for the launched campaign
    const first = await post(`/console/campaigns/${id}/delete`, cookie, fields);
    const second = await post(`/console/campaigns/${id}/delete`, cookie, fields);
    const refused = await get(`/console/campaigns/${campaignId}/delete`, cookie);

    // Assess
    expect(first.location).toBe('/console/campaigns?klart=borttagen');
    expect(second.location).toBe('/console/campaigns?klart=borttagen');
    expect(text((await get(first.location ?? '', cookie)).html)).toContain('Utkastet är borttaget.');
    expect((await h.api('GET', `/api/campaigns/${id}`)).status).toBe(404);
    expect(await h.runtime.deps.campaigns.recipients(id, 0, 10)).toEqual([]);
    for (const reason of ['missing_contacts', 'inspection_under_way', 'already_in_dialogue'] as const)
      expect((await campaignConsoleOf(h.runtime.deps).excluded(id, reason, 0, 10)).items).toEqual([]);
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toContain('kan inte tas bort');
    expect((await h.api('GET', `/api/campaigns/${campaignId}`)).status).toBe(200);
  });

  it('says so when nobody in the selection can be invited, and offers nothing to launch', async () => {
    const page = await get('/console/campaigns/new', cookie);
    const r = await post('/console/campaigns', cookie, {
      csrf,
      formId: hidden(page.html, 'formId'),
      name: 'Ingen så stor',
      cycle: '2035',
      minChildren: '9000000',
    });
    const view = await get(r.location ?? '', cookie);
    const t = text(view.html);
    expect(t).toContain('Ingen i urvalet kan bjudas in');
    expect(t).toContain('Läge Klar');
    expect(view.html).toContain('<progress id="framsteg" max="1" value="0">');
    expect(view.html).not.toContain('/launch"');
    expect((await get(`${(r.location ?? '').replace(/\?.*$/, '')}/launch`, cookie)).status).toBe(409);
  });

  it('estimates the sending from the mails, the account rate SES reports and the pace the last campaign kept', async () => {
    // Prepare: a draft, and a campaign that finished: 4,200 mails planned at 14/s took 6 min 45 s
    const page = await get('/console/campaigns/new', cookie);
    const r = await post('/console/campaigns', cookie, { csrf, formId: hidden(page.html, 'formId'), name: 'Uppskattning', cycle: '2037' });
    const draftId = (r.location ?? '').replace(/\?.*$/, '').split('/').at(-1) as string;
    const draft = (await h.api('GET', `/api/campaigns/${draftId}`)).json;
    const before = text((await get(`/console/campaigns/${draftId}/launch`, cookie)).html);
    const { campaign } = await h.runtime.deps.campaigns.mutate(draftId, (c) => c);
    const mails = campaign.mails as number;
    await h.runtime.deps.campaigns.create(
      {
        ...campaign,
        id: 'cmp-vintern',
        name: 'Vintern',
        state: 'completed',
        mails: 4_200,
        sendingMs: 405_000,
        completedAt: new Date(h.runtime.clock.now().getTime() + 60_000).toISOString(),
      },
      [],
    );

    // Act
    const after = text((await get(`/console/campaigns/${draftId}/launch`, cookie)).html);

    // Assess: the draft's mails at the account's rate (14/s, as SES reports it), at the pace the
    // latest finished campaign kept: 74 % for "Vintern"
    expect(draft.total).toBeGreaterThan(0);
    const duration = (seconds: number) =>
      seconds < 120 ? `ungefär ${Math.max(1, Math.round(seconds))} sekunder` : `ungefär ${Math.round(seconds / 60)} minuter`;
    expect(before).toContain(`${mails.toLocaleString('sv-SE')} mejl i takt med högst 14 mejl per sekund`);
    expect(after).toContain(
      `${mails.toLocaleString('sv-SE')} mejl i takt med högst 14 mejl per sekund; förra utskicket, ”Vintern”, höll 74 % av sin takt (10,4 mejl per sekund): ${duration(Math.ceil(mails / ((4_200 / 405 / 14) * 14)))}`,
    );
  });

  it('tells the form page how far the draft has come while it is made', async () => {
    // Prepare
    const page = await get('/console/campaigns/new', cookie);
    const formId = hidden(page.html, 'formId');
    const seen: unknown[] = [];
    const organisers = h.runtime.deps.organisers;
    const list = organisers.list.bind(organisers);
    // Each page of the register read a little slower, so the status can be read between them.
    organisers.list = async (...args: Parameters<typeof list>) => {
      await new Promise((ok) => setTimeout(ok, 50));
      return list(...args);
    };

    // Act: the post, and the page's status reads meanwhile
    const posting = post('/console/campaigns', cookie, { csrf, formId, name: 'Framsteg', cycle: '2038' });
    for (let i = 0; i < 40 && seen.length < 3; i++) {
      const status = (await get(`/console/campaigns/new/status?form=${formId}`, cookie)).html;
      seen.push(JSON.parse(status));
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const done = await posting;
    organisers.list = list;
    const final = JSON.parse((await get(`/console/campaigns/new/status?form=${formId}`, cookie)).html);

    // Assess
    expect(done.status).toBe(303);
    expect(seen.every((x) => typeof x === 'object')).toBe(true);
    expect(final).toMatchObject({ started: true, step: 'saving', checked: population.length, campaignId: expect.stringMatching(/^cmp-/) });
    expect((await get('/console/campaigns/new/status?form=not-a-form', cookie)).html).toBe('{"started":false}');
  });

  it('creates one campaign for a double click (two posts of the form at once), and both answers lead to it', async () => {
    const page = await get('/console/campaigns/new', cookie);
    const fields = { csrf, formId: hidden(page.html, 'formId'), name: 'Dubbelklick', cycle: '2036' };
    const before = await campaignCount();

    const [a, b] = await Promise.all([post('/console/campaigns', cookie, fields), post('/console/campaigns', cookie, fields)]);

    const target = (l: string | null) => (l ?? '').replace(/\?.*$/, '');
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(target(a.location)).toMatch(/^\/console\/campaigns\/cmp-/);
    expect(target(b.location)).toBe(target(a.location));
    expect([a.location, b.location].map((l) => /klart=(.*)$/.exec(l ?? '')?.[1]).sort()).toEqual(['redan-skapad', 'skapad']);
    expect(await campaignCount()).toBe(before + 1);
  });

  it('lets the same form be posted again when creating failed, and then creates one campaign', async () => {
    // Prepare: reading the organisers fails once (a DynamoDB outage mid-preview)
    const organisers = h.runtime.deps.organisers;
    const list0 = organisers.list.bind(organisers);
    let failures = 1;
    organisers.list = async (...args: Parameters<typeof list0>) => {
      if (failures-- > 0) throw new Error('injected: the table did not answer');
      return list0(...args);
    };
    const page = await get('/console/campaigns/new', cookie);
    const fields = { csrf, formId: hidden(page.html, 'formId'), name: 'Efter avbrottet', cycle: '2034' };
    const before = await campaignCount();

    // Act
    const failed = await post('/console/campaigns', cookie, fields);
    const again = await post('/console/campaigns', cookie, fields);
    organisers.list = list0;

    // Assess
    expect(failed.status).toBe(500);
    expect(text(failed.html)).toContain('Något gick fel');
    expect(again.status).toBe(303);
    expect(again.location).toMatch(/klart=skapad$/);
    expect(await campaignCount()).toBe(before + 1);
  });

  it('says in Swedish when the mail service throttles the sending and how long the campaign waits', async () => {
    // Prepare: a running campaign (the scheduler is not driven here, so it stays at the start)
    const page = await get('/console/campaigns/new', cookie);
    const created = await post('/console/campaigns', cookie, {
      csrf,
      formId: hidden(page.html, 'formId'),
      name: 'Begränsad',
      cycle: '2033',
    });
    campaignId = /\/console\/campaigns\/(cmp-[\w-]+)/.exec(created.location ?? '')?.[1] ?? '';
    expect((await act('launch')).first.location).toContain('klart=launch');

    // Act: SES refuses two of its invitations for throttling (what the workflow reports)
    await noteCampaignThrottled(h.runtime.deps, campaignId);
    await noteCampaignThrottled(h.runtime.deps, campaignId);

    // Assess
    const t = text((await get(`/console/campaigns/${campaignId}`, cookie)).html);
    expect(t).toMatch(
      /E-posttjänsten \(SES\) bad oss sakta ner 2 gånger, senast \d+ \w+ \d{4} kl\. \d\d:\d\d\. De inbjudningarna skickas om automatiskt\./,
    );
    expect(t).toMatch(/Utskicket väntar \d+ sekunde?r? efter begränsningen och fortsätter sedan av sig självt/);
    const status = await fetch(`${h.runtime.urls.app}/console/campaigns/${campaignId}/status`, { headers: { cookie } });
    expect(await status.json()).toMatchObject({ state: 'running', throttled: 2, retrying: true });
  });
});

describe('cycle planning in the console', () => {
  let cookie = '';
  beforeAll(async () => {
    cookie = await login('coordinator', 'Per Planerare');
  });

  it('starts from the API defaults and computes nothing until asked', async () => {
    const r = await get('/console/planning', cookie);
    expect(r.status).toBe(200);
    expect(r.html).toMatch(/name="children"[^>]*value="3"/);
    expect(r.html).toMatch(/name="budgetHours"[^>]*value="2000"/);
    expect(r.html).not.toContain('Planens täckning');
  });

  it('ranks, groups and shows the coverage; writes nothing', async () => {
    // Prepare
    const before = { campaigns: await campaignCount(), dialogues: (await h.api('GET', '/api/dialogues?limit=100')).json.items.length };
    const params = new URLSearchParams({ plan: '1', children: '3', overlookedForms: '1', noPreviousDialogue: '0', noOtherSupport: '1' });
    params.set('budgetHours', '60');

    // Act
    const r = await get(`/console/planning?${params}`, cookie);
    const plan = (
      await h.api('POST', '/api/plans', {
        weights: { children: 3, overlookedForms: 1, noPreviousDialogue: 0, noOtherSupport: 1 },
        budgetHours: 60,
        list: 5000,
      })
    ).json;

    // Assess: the page shows what the API computes
    expect(r.status).toBe(200);
    const t = text(r.html);
    const sv = (n: number) => n.toLocaleString('sv-SE').replace(/\s/g, ' ');
    expect(t).toContain(`Barn och elever ${sv(plan.coverage.children)} av ${sv(plan.coverage.childrenTotal)}`);
    expect(t).toContain(`Dialogutförartimmar ${plan.coverage.hours} av 60`);
    expect(t).toContain(`Huvudmän i prioritetsordning: ${population.length}, 1–25 visas`);
    expect(t).toContain(`1 ${plan.ranked[0].name}`);
    const groups = plan.dialogues.filter((d: { kind: string }) => d.kind === 'group').length;
    expect(t).toContain(`${groups} föreslagna gruppdialoger`);
    expect(r.html).toMatch(/name="budgetHours"[^>]*value="60"/);
    // The next page of the ranking keeps the weights
    const html = r.html.replace(/&#x3D;/g, '=');
    const next = /href="([^"]*fran=25[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(next).toContain('budgetHours=60');
    expect(text((await get(next.replace(/#.*$/, ''), cookie)).html)).toContain(`26 ${plan.ranked[25].name}`);
    expect(await campaignCount()).toBe(before.campaigns);
    expect((await h.api('GET', '/api/dialogues?limit=100')).json.items.length).toBe(before.dialogues);
  });

  it("creates a draft campaign from the plan: the plan's organisers in plan order, once for a double submit", async () => {
    // Prepare: the plan as the page shows it, and as the API computes it
    const params = new URLSearchParams({ plan: '1', children: '3', overlookedForms: '1', noPreviousDialogue: '0', noOtherSupport: '1' });
    params.set('budgetHours', '60');
    const page = await get(`/console/planning?${params}`, cookie);
    const decode = (x: string) => x.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const form = {
      csrf: hidden(page.html, 'csrf'),
      formId: hidden(page.html, 'formId'),
      planQuery: decode(hidden(page.html, 'planQuery')),
      // The next cycle (everyone has a dialogue in this one by now).
      cycle: '2032',
      name: 'Planerad omgång',
    };
    expect(page.html).toMatch(/name="cycle" inputmode="numeric" maxlength="4" value="\d{4}"/);
    expect(form.planQuery).toContain('budgetHours=60');
    const plan = (
      await h.api('POST', '/api/plans', {
        weights: { children: 3, overlookedForms: 1, noPreviousDialogue: 0, noOtherSupport: 1 },
        budgetHours: 60,
      })
    ).json;
    const planned: string[] = plan.dialogues.flatMap((x: { organiserIds: string[] }) => x.organiserIds);
    expect(text(page.html)).toContain(`En kampanj som utkast med planens ${planned.length} huvudmän`);
    const before = await campaignCount();

    // Act: posted twice (a double click)
    const first = await post('/console/campaigns', cookie, form);
    const second = await post('/console/campaigns', cookie, form);

    // Assess: one draft over exactly the plan's organisers, invited in the plan's order
    expect(first.status).toBe(303);
    const id = /\/console\/campaigns\/([^?]+)\?klart=skapad/.exec(first.location ?? '')?.[1] ?? '';
    expect(second.location).toBe(`/console/campaigns/${id}?klart=redan-skapad`);
    expect(await campaignCount()).toBe(before + 1);
    const campaign = (await h.api('GET', `/api/campaigns/${id}`)).json;
    expect(campaign.state).toBe('draft');
    expect(campaign.selection.organiserIds).toEqual(planned);
    const excluded = Object.values(campaign.excluded as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(campaign.total + excluded).toBe(planned.length);
    const invited = (await h.runtime.deps.campaigns.recipients(id, 0, 500)).map((r) => r.organiserId);
    expect(invited).toEqual(planned.filter((x) => invited.includes(x)));
    expect(text((await get(`/console/campaigns/${id}`, cookie)).html)).toContain(
      `Utvalda huvudmän (till exempel ur en planering): ${planned.length}`,
    );
  });

  it('shows invalid weights in Swedish next to the field, keeping the values', async () => {
    const r = await get('/console/planning?plan=1&children=mycket&groupSize=1', cookie);
    expect(r.status).toBe(400);
    const t = text(r.html);
    expect(t).toContain('Vikt för antal barn: skriv ett tal mellan 0 och 100.');
    expect(t).toContain('Huvudmän per gruppdialog: minst 2.');
    expect(r.html).toMatch(/name="children"[^>]*value="mycket"/);
    expect(r.html).not.toContain('Planens täckning');
  });
});
