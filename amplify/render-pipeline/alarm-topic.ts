import { Arn, ArnFormat, Aspects, Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AlarmBase } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IConstruct } from 'constructs';
import type { PipelineConfig } from './config';

/**
 * The topic every alarm of the backend notifies (on ALARM and on OK), with an email subscription when ALARM_EMAIL
 * is set. Encrypted with a key of its own: CloudWatch cannot publish to a topic under the AWS-managed SNS key
 * (alias/aws/sns), whose policy nobody can change to let it in, so alarms would fail silently.
 */
export const createAlarmTopic = (
  stack: Stack,
  config: Pick<PipelineConfig, 'alarmEmail'>,
): Topic => {
  const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
  const key = new Key(stack, 'AlarmTopicKey', {
    description: 'Encrypts the Render Studio alarm topic; CloudWatch alarms may use it to publish.',
    enableKeyRotation: true,
    // Nothing outlives the topic: the key goes with the stack (after the shortest waiting period).
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // What a publisher to an encrypted topic needs (AWS: "configure CloudWatch alarms with an encrypted SNS topic").
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new Topic(stack, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  // The SSL policy replaces SNS's default one, so CloudWatch is let in by name: this account's alarms only.
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowThisAccountsAlarmsToPublish',
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': Arn.format(
            {
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            },
            stack,
          ),
        },
      },
    }),
  );
  if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
  return topic;
};

/**
 * Makes every alarm under `scope` notify `topic` when it goes into ALARM and when it is OK again: the alarms of
 * render-alarms.ts, of the reconciler's schedule and any added later (an Aspect, applied when the app is synthesized).
 */
export const sendEveryAlarmTo = (scope: IConstruct, topic: ITopic): void => {
  const action = new SnsAction(topic);
  Aspects.of(scope).add({
    visit(node) {
      if (!(node instanceof AlarmBase)) return;
      node.addAlarmAction(action);
      node.addOkAction(action);
    },
  });
};
