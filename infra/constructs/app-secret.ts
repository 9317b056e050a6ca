/**
 * The application secret the handlers read (APP_SECRET_ARN): one JSON document with three
 * independently generated values, `linkSigningKey`, `coordinatorToken` and `inspectorateToken`.
 * CloudFormation generates only one random value per secret, so each value is generated in its own
 * seed secret and the app secret is composed from the seeds by dynamic reference at deploy time;
 * no value ever appears in the template. Handlers are granted the app secret only.
 *
 * Kept when the stack goes (RetainExceptOnCreate): the secret has a fixed name, so one left behind by
 * a failed first create would make the retry fail with "already exists"; a rollback deletes it.
 *
 * Rotation is manual (an HMAC key and two bearer tokens have no rotation Lambda):
 * `aws secretsmanager put-secret-value --secret-id <name> --secret-string '{...}'` with all three
 * keys; outstanding answer links signed with the old key stop working, so rotate between rounds.
 */
import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const APP_SECRET_KEYS = ['linkSigningKey', 'coordinatorToken', 'inspectorateToken'] as const;
export type AppSecretKey = (typeof APP_SECRET_KEYS)[number];

export interface AppSecretProps {
  readonly secretName: string;
  /** @default 64 */
  readonly valueLength?: number;
}

export class AppSecret extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly seeds: Record<AppSecretKey, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: AppSecretProps) {
    super(scope, id);
    const seed = (key: AppSecretKey) =>
      new secretsmanager.Secret(this, `Seed-${key}`, {
        description: `Generated initial ${key} of ${props.secretName}; the handlers read ${props.secretName}, not this`,
        generateSecretString: {
          passwordLength: props.valueLength ?? 64,
          excludePunctuation: true,
          includeSpace: false,
        },
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
    this.seeds = Object.fromEntries(APP_SECRET_KEYS.map((key) => [key, seed(key)])) as Record<AppSecretKey, secretsmanager.Secret>;

    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: props.secretName,
      description: `Link-signing key and API bearer tokens of ${props.secretName.split('/')[0]}`,
      secretObjectValue: Object.fromEntries(APP_SECRET_KEYS.map((key) => [key, SecretValue.secretsManager(this.seeds[key].secretArn)])),
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'No automatic rotation: an HMAC link-signing key and two bearer tokens have no rotation Lambda, and rotating the key invalidates outstanding answer links. Rotation is manual, between dialogue rounds (put-secret-value with all three keys, see docs/deploy.md); the seeds only hold the initial values.',
    });
  }
}
