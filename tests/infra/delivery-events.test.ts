import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();

describe('SES delivery events', () => {
  it('the configuration set publishes deliveries, bounces, complaints and rejects to the default event bus', () => {
    t.email.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'reject']),
      },
    });
  });

  it('a rule sends them to the ses-events function, with retries and a dead-letter queue', () => {
    t.workflows.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ses'], 'detail-type': Match.arrayWith(['Email Bounced', 'Email Complaint Received']) },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(t.stacks.workflows.sesEvents.function), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
  });

  it('alarms on the dead-letter queue and on the SES bounce rate', () => {
    t.workflows.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    t.email.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.05 });
  });
});
