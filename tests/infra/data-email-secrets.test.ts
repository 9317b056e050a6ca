import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableModel } from '#adapters/table-model.ts';
import { defaultTemplates } from './service-fixture.ts';

const t = defaultTemplates();

describe('data stack', () => {
  it('derives keys, TTL and every GSI of the table from tableModel, all attributes strings', () => {
    // Prepare
    const indexes = Object.entries(tableModel.indexes);
    const keyNames = [tableModel.partitionKey, tableModel.sortKey, ...indexes.flatMap(([, i]) => [i.partitionKey, i.sortKey])];

    // Assess
    t.data.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    t.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: tableModel.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableModel.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      TimeToLiveSpecification: { AttributeName: tableModel.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: Match.arrayEquals(
        indexes.map(([IndexName, i]) => ({
          IndexName,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      ),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('retains the table when the stack or the resource goes away', () => {
    t.data.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('email stack', () => {
  it('has a configuration set with reputation metrics, suppression of bounces and complaints, and TLS', () => {
    t.email.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'kvalitetsdialog-dev',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: Match.arrayEquals(['BOUNCE', 'COMPLAINT']) },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SendingOptions: { SendingEnabled: true },
    });
  });

  it('has the domain identity, sending through the configuration set, and prints its DKIM records', () => {
    t.email.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'kvalitetsdialog.example.se',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.anyValue() } },
    });
    expect(Object.keys(t.email.findOutputs('*')).filter((id) => id.startsWith('DkimRecord'))).toHaveLength(3);
  });
});

describe('secrets stack', () => {
  it('composes the app secret from three generated values, by dynamic reference only', () => {
    // Prepare
    const secrets = t.secrets.findResources('AWS::SecretsManager::Secret');
    const app = Object.values(secrets).find((s) => s.Properties.Name === 'kvalitetsdialog/dev/app');
    const seeds = Object.values(secrets).filter(
      (s) => s.Properties.GenerateSecretString && !String(s.Properties.Description).includes('calendar-feed key'),
    );

    // Assess
    expect(seeds).toHaveLength(3);
    const json = JSON.stringify(app?.Properties.SecretString);
    for (const key of ['linkSigningKey', 'coordinatorToken', 'inspectorateToken']) {
      expect(json).toMatch(new RegExp(`\\\\"${key}\\\\":\\\\"{{resolve:secretsmanager:`));
    }
    // Kept when the stack goes; a failed first create deletes them, so a retry can reuse the fixed name.
    t.secrets.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it("keeps the inspectorate's feed key in a secret of its own: one generated, URL-safe value, no template", () => {
    // Prepare
    const feed = Object.values(t.secrets.findResources('AWS::SecretsManager::Secret')).filter((s) =>
      String(s.Properties.Description).includes('calendar-feed key'),
    );

    // Assess
    expect(feed).toHaveLength(1);
    expect(feed[0]?.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 43 });
    expect(feed[0]?.Properties.Name).toBeUndefined();
  });
});
