import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(t.email('invitation', { ...data, principalFallback: true }).text).toContain('skickar därför inbjudan till er som rektor');
    expect(t.email('invitation', data).text).not.toContain('rektor');
  });

  it('renders the reminder and the coordinator digest', () => {
    expect(t.email('reminder', { ...data, invitedOn: '2 november 2026' }).subject).toBe(
      'Påminnelse: erbjudande om kvalitetsdialog för Skolbolaget <Ängen> & Co AB',
    );
    const digest = t.email('handback-digest', {
      day: '9 november 2026',
      total: 2,
      kinds: [{ label: 'Inget svar på inbjudan', count: 2, url: 'https://x/console?handback=no_answer' }],
      rows: [
        { organiserName: 'Skolbolaget <Ängen> & Co AB', orgNumber: '556677-8899', what: 'Inget svar på inbjudan' },
        { organiserName: 'Skolbolaget <Ängen> & Co AB', orgNumber: '556677-8900', what: 'Inget svar på inbjudan' },
      ],
      more: 0,
      listUrl: 'https://x/console?handback=alla',
    });
    expect(digest.subject).toBe('Att hantera: 2 dialoger lämnades över till samordnaren 9 november 2026');
    expect(digest.text).toContain('- Skolbolaget <Ängen> & Co AB (556677-8899): Inget svar på inbjudan\n');
    expect(digest.html).toContain('href="https://x/console?handback&#x3D;alla"');
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

describe('rendering rules (kept from the Handlebars templates)', () => {
  it('escapes & < > " \' ` = in HTML and nothing in plain text', () => {
    // Act
    const m = t.email('invitation', { ...data, recipientName: `<b>"Å'sa"</b> \`=&` });

    // Assess
    expect(m.html).toContain('Hej &lt;b&gt;&quot;Å&#x27;sa&quot;&lt;/b&gt; &#x60;&#x3D;&amp;,');
    expect(m.text).toContain(`Hej <b>"Å'sa"</b> \`=&,`);
  });

  it('prints a missing value as nothing', () => {
    // Act
    const summary = t.text('calendar/summary.eta', { meetingName: 'Förmöte' });

    // Assess
    expect(summary).toBe('Förmöte – kvalitetsdialog med');
  });

  it('leaves no trace of a control tag alone on its line in a plain-text mail', () => {
    // Act
    const alert = t.email('handback-digest', {
      day: '9 november 2026',
      total: 2,
      kinds: [{ label: 'Ingen tid bokad', count: 2, url: 'https://x/k' }],
      rows: [
        { organiserName: 'A', orgNumber: '556677-8899', what: 'Ingen tid bokad', url: 'https://x/a' },
        { organiserName: 'B', what: 'Ingen tid bokad', url: 'https://x/b' },
      ],
      more: 0,
      listUrl: 'https://x/l',
    });
    const pair = t.email('intro-session-pair', { recipientName: 'Åsa', count: 0, capacity: 6, organisers: [] });
    const material = t.email('material', {
      ...data,
      hasDocuments: true,
      documents: [
        { schoolFormName: 'Förskola', title: 'Analys F', url: 'https://x/f' },
        { schoolFormName: 'Grundskola', title: 'Analys G', url: 'https://x/g' },
      ],
    });

    // Assess
    expect(alert.text).toContain(
      ':\n- Ingen tid bokad: 2 (https://x/k)\n\n- A (556677-8899): Ingen tid bokad\n  https://x/a\n- B: Ingen tid bokad\n  https://x/b\n\nI konsolen',
    );
    expect(pair.text).toContain('Bokade huvudmän (0 av 6):\nInga ännu.\n\nKalenderinbjudan finns bifogad.');
    expect(material.text).toContain(
      'förmötet.\n\n- Förskola: Analys F\n  https://x/f\n- Grundskola: Analys G\n  https://x/g\n\nNästa steg är ett digitalt förmöte.',
    );
  });

  it('treats an empty list as false and wraps the body in the layout unescaped', () => {
    // Act
    const html = t.email('intro-session-pair', { recipientName: 'Åsa', count: 0, capacity: 6, organisers: [] }).html;

    // Assess
    expect(html).toContain('<p>Inga ännu.</p>');
    expect(html).not.toContain('<ul>');
    expect(html).toMatch(/<td style="[^"]*">\n<p>Hej Åsa,<\/p>/);
  });

  it('names the template that does not compile or fails', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'kd-templates-'));
    mkdirSync(join(dir, 'pages'));
    writeFileSync(join(dir, 'pages', 'unclosed.eta'), '<% if (it.x) { %>x');
    writeFileSync(join(dir, 'pages', 'deep.eta'), '<%= it.a.b %>');
    const r = new TemplateRenderer(dir);

    // Act + Assess
    expect(() => r.page('unclosed', {})).toThrow(/Template pages\/unclosed\.eta does not compile/);
    expect(() => r.page('deep', {})).toThrow(/Template pages\/deep\.eta failed: .*reading 'b'/);
  });
});
