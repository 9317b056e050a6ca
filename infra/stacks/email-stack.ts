/**
 * Outgoing mail: the SES domain identity (Easy DKIM; its CNAME records are stack outputs to add to
 * DNS) and a configuration set with reputation metrics, the account suppression list for bounces
 * and complaints, and TLS required. `grantSendEmail` scopes ses:Send* to exactly these two.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { IMailSender } from '../constructs/service-function.ts';

export interface EmailStackProps extends StackProps {
  /** The domain mail is sent from, e.g. kvalitetsdialog.example.se. */
  readonly domain: string;
  readonly configurationSetName: string;
  /** Physical-name prefix (the alarms are named after it). */
  readonly prefix: string;
}

export class EmailStack extends Stack implements IMailSender {
  public readonly identity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly configurationSetArn: string;
  public readonly bounceRateAlarm: cloudwatch.Alarm;
  public readonly complaintRateAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EmailStackProps) {
    super(scope, id, props);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSetArn = this.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    // Delivery events go to the default event bus (the only bus SES supports); a rule in the
    // workflows stack routes them to the ses-events function.
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [ses.EmailSendingEvent.DELIVERY, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    // The account's reputation as SES measures it (over its own window): past the review level SES
    // looks at the account, past the higher one it may pause sending for every campaign at once.
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) });
    this.bounceRateAlarm = new cloudwatch.Alarm(this, 'BounceRateAlarm', {
      alarmName: `${props.prefix}-ses-bounce-rate`,
      alarmDescription: 'SES bounce rate above 5 % (SES reviews the account at 5 % and may pause sending at 10 %)',
      metric: reputation('Reputation.BounceRate'),
      threshold: 0.05,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.complaintRateAlarm = new cloudwatch.Alarm(this, 'ComplaintRateAlarm', {
      alarmName: `${props.prefix}-ses-complaint-rate`,
      alarmDescription: 'SES complaint rate above 0.1 % (SES reviews the account at 0.1 % and may pause sending at 0.5 %)',
      metric: reputation('Reputation.ComplaintRate'),
      threshold: 0.001,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.domain),
      configurationSet: this.configurationSet,
    });

    this.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        description: `DNS CNAME ${i + 1} of 3 that verifies ${props.domain} for SES`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
  }

  /** SESv2 SendEmail with raw MIME is authorised as ses:SendRawEmail too; both, on identity + set. */
  public grantSendEmail(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [this.identity.emailIdentityArn, this.configurationSetArn],
    });
  }
}
