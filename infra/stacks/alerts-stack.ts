/**
 * Where every alarm of the stage goes: one SNS topic, `<prefix>-alerts`, encrypted with a key of
 * its own (CloudWatch may use it to publish; AWS-managed keys do not allow that), TLS only, with an
 * e-mail subscription per address in the stage's `alertEmails`. Each address confirms its
 * subscription once (SNS mails a link). The other stacks attach the topic to their alarms by its
 * computed ARN (see notifyEveryAlarm), so nothing here is exported.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlertsStackProps extends StackProps {
  /** The topic's name, `<prefix>-alerts`. */
  readonly topicName: string;
  /** Who is told (ALARM and OK) by e-mail. */
  readonly emails: readonly string[];
}

export class AlertsStack extends Stack {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);

    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the alarm notifications in ${props.topicName}`,
      enableKeyRotation: true,
      // It protects notifications in flight only; nothing stays encrypted under it.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'Kvalitetsdialog alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    new CfnOutput(this, 'AlertsTopicArn', {
      description: 'Alarms of this stage (ALARM and OK); add subscriptions with alertEmails in infra/stages.json',
      value: this.topic.topicArn,
    });
  }
}
