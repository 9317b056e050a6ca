/** The application secret (link-signing key, coordinator and inspectorate tokens); stateful, retained. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AppSecret } from '../constructs/app-secret.ts';

export interface SecretsStackProps extends StackProps {
  readonly secretName: string;
}

export class SecretsStack extends Stack {
  public readonly appSecret: ISecret;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    const app = new AppSecret(this, 'AppSecret', {
      secretName: props.secretName,
    });
    this.appSecret = app.secret;
    new CfnOutput(this, 'AppSecretName', {
      description: 'aws secretsmanager get-secret-value --secret-id <this> shows the coordinator and inspectorate tokens',
      value: props.secretName,
    });
  }
}
