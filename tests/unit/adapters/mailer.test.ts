import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '#adapters/mailer.ts';
import { TransientError } from '#adapters/transient.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const mail = {
  to: 'asa.oberg@example.se',
  subject: 'Erbjudande om kvalitetsdialog för Örebro kommun',
  text: 'Hej Åsa,\nVälkommen!',
  html: '<p>Hej Åsa</p>',
  messageId: '<dlg-1.invitation.board@skolverket.example.se>',
  tags: { dialogue: 'dlg-1', step: 'invitation' },
};

describe('SesMailer', () => {
  it('sends raw MIME with our Message-ID, UTF-8 text, both parts and the configuration set', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-north-1' }), {
      from: 'Kvalitetsdialog <kd@example.se>',
      replyTo: 'svar@example.se',
      configurationSet: 'kd',
    });

    // Act
    const result = await mailer.send(mail);

    // Assess
    expect(result).toEqual({ providerMessageId: 'ses-1' });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, { ConfigurationSetName: 'kd', Destination: { ToAddresses: [mail.to] } });
    const raw = Buffer.from(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toContain('Message-ID: <dlg-1.invitation.board@skolverket.example.se>');
    expect(raw).toContain('Reply-To: svar@example.se');
    expect(raw).toContain('Content-Language: sv');
    expect(raw).toMatch(/Subject: =\?UTF-8\?/);
    expect(raw).toContain('multipart/alternative');
    expect(raw).toContain('text/plain; charset=utf-8');
    expect(raw).toContain('text/html; charset=utf-8');
  });

  it('turns SES throttling into a TransientError the workflow retries', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }));
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-north-1', maxAttempts: 1 }), {
      from: 'kd@example.se',
      replyTo: 'kd@example.se',
    });

    await expect(mailer.send(mail)).rejects.toBeInstanceOf(TransientError);
  });

  it('lets a permanent rejection through unchanged', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-north-1', maxAttempts: 1 }), {
      from: 'kd@example.se',
      replyTo: 'kd@example.se',
    });

    await expect(mailer.send(mail)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});
