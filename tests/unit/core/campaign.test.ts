import { describe, expect, it } from 'vitest';
import {
  type Campaign,
  campaignSelectionSchema,
  campaignSummary,
  eligibility,
  mailAllowance,
  matchesSelection,
  nextBackoffMs,
  pacedAfter,
  throttledCampaign,
} from '#core/campaign.ts';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { generatePopulation } from '#core/population.ts';

const now = new Date('2026-09-01T08:00:00Z');
const organisers = generatePopulation({ organisers: 300, seed: 3 }).map((o) => toOrganiser(organiserInputSchema.parse(o), now));
const select = (s: unknown) => campaignSelectionSchema.parse(s);

describe('campaign selection', () => {
  it('selects by region, legal form, size and school forms together', () => {
    const s = select({ regions: ['syd'], legalForms: ['kommun'], minChildren: 500, schoolForms: ['komvux'] });
    const chosen = organisers.filter((o) => matchesSelection(o, s));
    expect(chosen.length).toBeGreaterThan(0);
    for (const o of chosen) {
      expect(o.region).toBe('syd');
      expect(o.legalForm).toBe('kommun');
      expect(o.children).toBeGreaterThanOrEqual(500);
      expect(o.schoolForms).toContain('komvux');
    }
  });

  it('selects everyone when nothing is given, and rejects min above max', () => {
    expect(organisers.every((o) => matchesSelection(o, select({})))).toBe(true);
    expect(campaignSelectionSchema.safeParse({ minChildren: 10, maxChildren: 5 }).success).toBe(false);
  });

  it('leaves out organisers without contacts and those already in a dialogue this cycle', () => {
    const s = select({});
    const withContacts = organisers.find((o) => o.contacts.length > 0)!;
    expect(eligibility({ ...withContacts, contacts: [] }, s, false)).toEqual({ eligible: false, reason: 'missing_contacts' });
    expect(eligibility(withContacts, s, true)).toEqual({ eligible: false, reason: 'already_in_dialogue' });
    expect(eligibility(withContacts, s, false, true)).toEqual({ eligible: false, reason: 'inspection_under_way' });
    expect(eligibility(withContacts, select({ notYetOfferedThisCycle: false }), true)).toMatchObject({ eligible: true });
    expect(eligibility(withContacts, s, false)).toEqual({ eligible: true, mails: 2 });
  });
});

describe('pacing', () => {
  const paced = { sendRate: 10, paceFrom: now.toISOString(), paceMails: 0 };
  const at = (s: number) => new Date(now.getTime() + s * 1000);

  it('allows at most one second of the send rate, however long the campaign waited', () => {
    expect(mailAllowance(paced, at(0))).toBe(10);
    expect(mailAllowance(paced, at(5))).toBe(10);
    expect(mailAllowance({ ...paced, paceMails: 7 }, at(0))).toBe(3);
    expect(mailAllowance({ ...paced, paceMails: 7 }, at(0.5))).toBe(8);
    expect(mailAllowance({ ...paced, paceMails: 15 }, at(1))).toBe(5);
    expect(mailAllowance({ ...paced, paceMails: 70 }, at(5))).toBe(0);
  });

  it('restarts its own bucket at each send: what is left, refilling at the rate', () => {
    // Prepare: a campaign that waited 30 s (for the shared rate, say) has one second's worth
    const waited = { ...paced, paceFrom: at(-30).toISOString() };

    // Act: it sends 8 of its 10 at t = 0
    const after = { ...waited, ...pacedAfter(waited, 8, at(0)) };

    // Assess: 2 left at once, 7 half a second later, never more than 10
    expect(after.paceFrom).toBe(at(0).toISOString());
    expect(mailAllowance(after, at(0))).toBe(2);
    expect(mailAllowance(after, at(0.5))).toBe(7);
    expect(mailAllowance(after, at(60))).toBe(10);
    // A pass that began before a resume does not move the pacing back
    expect(pacedAfter({ ...paced, paceFrom: at(5).toISOString() }, 4, at(3))).toEqual({ paceFrom: at(5).toISOString(), paceMails: 4 });
  });

  it('sends nothing before launch or while backing off, and doubles the back-off up to five minutes', () => {
    expect(mailAllowance({ ...paced, paceFrom: undefined }, at(5))).toBe(0);
    expect(mailAllowance({ ...paced, backoffUntil: at(10).toISOString() }, at(5))).toBe(0);
    expect(mailAllowance({ ...paced, backoffUntil: at(10).toISOString() }, at(10))).toBe(10);
    expect([nextBackoffMs(), nextBackoffMs(1000), nextBackoffMs(256_000)]).toEqual([1000, 2000, 300_000]);
  });

  it('counts an SES throttle and holds the campaign, doubling the hold while the last one runs', () => {
    // Prepare
    const running = { ...paced, id: 'c', state: 'running', sent: 0, failed: 0, total: 10, position: 0 } as unknown as Campaign;

    // Act
    const once = throttledCampaign(running, at(0));
    const twice = throttledCampaign(once, at(0.5));
    const later = throttledCampaign(twice, at(60));

    // Assess
    expect(once).toMatchObject({ throttled: 1, backoffMs: 1000, backoffUntil: at(1).toISOString(), lastThrottledAt: at(0).toISOString() });
    expect(mailAllowance(once, at(0.5))).toBe(0);
    expect(twice).toMatchObject({ throttled: 2, backoffMs: 2000, backoffUntil: at(2.5).toISOString() });
    expect(later).toMatchObject({ throttled: 3, backoffMs: 1000 });
  });

  it('says in plain Swedish how many organisers a campaign mails out of how many, and when nothing narrows it', () => {
    // Prepare
    const excluded = { missing_contacts: 2, inspection_under_way: 0, already_in_dialogue: 1 };
    const draft: Parameters<typeof campaignSummary>[0] = {
      state: 'draft',
      total: 1234,
      excluded,
      registered: 2812,
      selection: { regions: ['syd'], notYetOfferedThisCycle: true },
    };

    // Act & Assess
    expect(campaignSummary(draft)).toBe(
      'Kampanjen kommer att mejla en inbjudan till 1\u00a0234 av 2\u00a0812 huvudmän i registret. Urvalet omfattar 1\u00a0237 huvudmän. 3 av dem får ingen inbjudan (skälen står nedan).',
    );
    expect(campaignSummary({ ...draft, selection: { notYetOfferedThisCycle: true } })).toContain(
      'Urvalet har inga villkor och omfattar alla huvudmän i registret.',
    );
    expect(campaignSummary({ ...draft, state: 'completed', launchedAt: 'x', registered: undefined })).toMatch(
      /^Kampanjen mejlade en inbjudan till 1\u00a0234 huvudmän\./,
    );
    expect(campaignSummary({ ...draft, total: 0, state: 'completed' })).toMatch(/^Kampanjen mejlar ingen: ingen i urvalet kan bjudas in\./);
  });
});
