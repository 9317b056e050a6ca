/**
 * Sends mail through SES v2 as raw MIME (built by ./mime.ts), so every message carries our stable
 * Message-ID and calendar parts; SES sends it. Throttling and transient SES errors
 * surface as TransientError so the workflow retries them with backoff.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { buildMime } from './mime.ts';
import type { Mailer, OutgoingMail } from '#core/ports.ts';
import { isTransient, TransientError } from './transient.ts';

export interface SesMailerOptions {
  from: string;
  replyTo: string;
  configurationSet?: string;
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(mail: OutgoingMail): Promise<{ providerMessageId: string }> {
    const raw = buildMime({
      from: this.options.from,
      replyTo: this.options.replyTo,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: { 'Content-Language': 'sv' },
      // multipart/mixed → multipart/alternative (text, html, text/calendar; method=…) + the .ics attached
      calendar: mail.calendar
        ? { method: mail.calendar.method, filename: mail.calendar.filename ?? 'kallelse.ics', ics: mail.calendar.ics }
        : undefined,
    });
    try {
      const r = await this.ses.send(
        new SendEmailCommand({
          Destination: { ToAddresses: [mail.to] },
          Content: { Raw: { Data: raw } },
          ConfigurationSetName: this.options.configurationSet,
          EmailTags: Object.entries(mail.tags ?? {}).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return { providerMessageId: r.MessageId ?? mail.messageId };
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      if (isTransient(e)) {
        throw new TransientError(`SES did not accept the mail (${name}); will retry`, { cause: e });
      }
      throw e;
    }
  }
}
