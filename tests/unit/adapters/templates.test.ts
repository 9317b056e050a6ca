import { describe, expect, it } from 'vitest';
import { TemplateRenderer } from '#adapters/templates.ts';

const t = new TemplateRenderer();
const data = {
  recipientName: 'Åsa Öberg',
  organiserName: 'Skolbolaget <Ängen> & Co AB',
  boardWord: 'styrelse',
  principalFallback: false,
  answerBy: '30 november 2026',
  link: 'https://kd.example.se/r/abc',
};

describe('email templates', () => {
  it('renders the invitation in Swedish with å/ä/ö intact and the link in both parts', () => {
    const m = t.email('invitation', data);
    expect(m.subject).toBe('Erbjudande om kvalitetsdialog för Skolbolaget <Ängen> & Co AB');
    expect(m.text).toContain('Hej Åsa Öberg,');
    expect(m.text).toContain('https://kd.example.se/r/abc');
    expect(m.text).toContain('Det går lika bra att tacka nej.');
    expect(m.html).toContain('href="https://kd.example.se/r/abc"');
    expect(m.html).toContain('<html lang="sv">');
  });

  it('escapes organiser data in HTML but not in the plain-text part', () => {
    const m = t.email('invitation', data);
    expect(m.html).toContain('Skolbolaget &lt;Ängen&gt; &amp; Co AB');
    expect(m.html).not.toContain('<Ängen>');
    expect(m.text).toContain('Skolbolaget <Ängen> & Co AB');
  });

  it('tells a rektor why they got the invitation', () => {
    expect(t.email('invitation', { ...data, principalFallback: true }).text).toContain('skickar därför inbjudan till dig som rektor');
    expect(t.email('invitation', data).text).not.toContain('rektor');
  });

  it('renders the reminder and the coordinator alert', () => {
    expect(t.email('reminder', { ...data, invitedOn: '2 november 2026' }).subject).toBe(
      'Påminnelse: erbjudande om kvalitetsdialog för Skolbolaget <Ängen> & Co AB',
    );
    const alert = t.email('escalation', {
      ...data,
      orgNumber: '5566778899',
      regionName: 'Region Syd',
      reminders: 2,
      recipients: [{ name: 'A', email: 'a@x.se', roleText: 'skolchef' }],
      dialogueUrl: 'https://x/api/dialogues/d',
    });
    expect(alert.text).toContain('- A <a@x.se> (skolchef)');
  });
});

describe('pages', () => {
  it('renders an accessible Swedish answer form that needs no JavaScript', () => {
    const html = t.page('answer-form', {
      title: 'Svara',
      organiserName: 'Norrviks kommun',
      recipientList: 'A',
      answerBy: 'x',
      action: '/r/t',
    });
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('<form method="post" action="/r/t"');
    expect(html).toContain('<legend>Vill ni delta i en kvalitetsdialog?</legend>');
    expect(html).not.toContain('<script');
  });
});
