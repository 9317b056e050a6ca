/**
 * The application secret (link-signing key, coordinator and inspectorate tokens; stateful,
 * retained) and the inspectorate's calendar-feed key, a secret of its own so the public feed
 * function can read it without the others.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppSecret } from '../constructs/app-secret.ts';

export interface SecretsStackProps extends StackProps {
  readonly secretName: string;
}

export class SecretsStack extends Stack {
  public readonly appSecret: ISecret;
  /** The inspectorate's feed key: a plain random string, replaced by the console's "new address". */
  public readonly feedSecret: ISecret;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    const app = new AppSecret(this, 'AppSecret', {
      secretName: props.secretName,
    });
    this.appSecret = app.secret;
    const feed = new Secret(this, 'InspectorateFeedKey', {
      description: `The inspectorate's calendar-feed key of ${props.secretName.split('/')[0]} (a path segment of the subscription address)`,
      generateSecretString: { passwordLength: 43, excludePunctuation: true, includeSpace: false },
      // Kept when the stack goes (like the app secret); no fixed name, so a re-created stack never clashes with it.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(feed).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotated on demand, not on a schedule: a new key changes the subscription address the inspectorate has put in its calendars, so it is replaced when needed (a coordinator\'s "new address" in the console, which only PutSecretValue is granted for), not by a rotation Lambda.',
    });
    this.feedSecret = feed;
    new CfnOutput(this, 'FeedSecretArn', {
      description: "The inspectorate's calendar-feed key (the console shows the subscription address and makes a new one)",
      value: feed.secretArn,
    });
    new CfnOutput(this, 'AppSecretName', {
      description: 'aws secretsmanager get-secret-value --secret-id <this> shows the coordinator and inspectorate tokens',
      value: props.secretName,
    });
  }
}
