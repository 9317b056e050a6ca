/**
 * What SES tells us after a send (configuration-set events through EventBridge): delivered,
 * bounced, complained, rejected. Parsed once at the edge into a DeliveryEvent per recipient.
 */
import * as z from '#core/zod.ts';

export type DeliveryOutcome = 'delivered' | 'bounced' | 'complained' | 'rejected';

export interface DeliveryEvent {
  outcome: DeliveryOutcome;
  /** A permanent bounce or a complaint: the address is never mailed again. */
  suppress: boolean;
  email: string;
  dialogueId: string;
  step: string;
  at: string;
  detail: string;
}

const tag = z.array(z.string()).check(z.minLength(1));

/** The SES event as EventBridge delivers it (detail-type "Email Bounced", "Email Delivered", …). */
export const sesEventSchema = z.object({
  source: z.literal('aws.ses'),
  time: z.optional(z.string()),
  detail: z.object({
    eventType: z.enum([
      'Send',
      'Delivery',
      'Bounce',
      'Complaint',
      'Reject',
      'DeliveryDelay',
      'Open',
      'Click',
      'Rendering Failure',
      'Subscription',
    ]),
    mail: z.object({
      timestamp: z.string(),
      messageId: z.string(),
      destination: z.array(z.string()),
      tags: z.looseObject({ dialogue: tag, step: tag }),
    }),
    bounce: z.optional(
      z.object({
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z.array(z.object({ emailAddress: z.string(), diagnosticCode: z.optional(z.string()) })),
        timestamp: z.string(),
      }),
    ),
    complaint: z.optional(z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })), timestamp: z.string() })),
    delivery: z.optional(z.object({ recipients: z.array(z.string()), timestamp: z.string() })),
    reject: z.optional(z.object({ reason: z.string() })),
  }),
});
export type SesEvent = z.infer<typeof sesEventSchema>;

/** One DeliveryEvent per affected recipient; events we do not act on (Send, Open, …) give none. */
export function toDeliveryEvents(e: SesEvent): DeliveryEvent[] {
  const { detail } = e;
  const base = { dialogueId: detail.mail.tags.dialogue[0] ?? '', step: detail.mail.tags.step[0] ?? '' };
  switch (detail.eventType) {
    case 'Delivery':
      return (detail.delivery?.recipients ?? []).map((email) => ({
        ...base,
        outcome: 'delivered',
        suppress: false,
        email,
        at: detail.delivery?.timestamp ?? detail.mail.timestamp,
        detail: 'Levererat',
      }));
    case 'Bounce': {
      const permanent = detail.bounce?.bounceType === 'Permanent';
      return (detail.bounce?.bouncedRecipients ?? []).map((r) => ({
        ...base,
        outcome: 'bounced',
        suppress: permanent,
        email: r.emailAddress,
        at: detail.bounce?.timestamp ?? detail.mail.timestamp,
        detail: `${permanent ? 'Permanent' : 'Tillfällig'} studs${r.diagnosticCode ? `: ${r.diagnosticCode}` : ''}`,
      }));
    }
    case 'Complaint':
      return (detail.complaint?.complainedRecipients ?? []).map((r) => ({
        ...base,
        outcome: 'complained',
        suppress: true,
        email: r.emailAddress,
        at: detail.complaint?.timestamp ?? detail.mail.timestamp,
        detail: 'Mottagaren markerade mejlet som skräppost',
      }));
    case 'Reject':
      return detail.mail.destination.map((email) => ({
        ...base,
        outcome: 'rejected',
        suppress: false,
        email,
        at: detail.mail.timestamp,
        detail: `SES avvisade mejlet: ${detail.reject?.reason ?? 'okänt skäl'}`,
      }));
    default:
      return [];
  }
}
