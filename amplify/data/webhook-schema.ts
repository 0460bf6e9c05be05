import { a } from '@aws-amplify/backend';
import { webhookApi } from '../functions/webhooks/resource';

/**
 * The webhook part of the data schema (docs/architecture.md, "Webhooks to integrators"), spread into `a.schema`
 * by amplify/data/resource.ts. Owners only READ their endpoints and delivery log: every change goes through the
 * `webhookApi` mutations below, whose function checks the URL policy, generates the secret and owns every
 * server field; delivery records are written only by the delivery function. Signing secrets live in their own
 * table that no signed-in user reaches at all; a secret is returned once, by add and rotate.
 */
export const webhookSchema = {
  WebhookEndpoint: a
    .model({
      url: a.string().required(),
      events: a.string().array().required(),
      enabled: a.boolean().required(),
      secretRotatedAt: a.datetime(),
      previousSecretExpiresAt: a.datetime(),
      createdAt: a.datetime(),
      updatedAt: a.datetime(),
      owner: a.string(),
    })
    .secondaryIndexes((index) => [index('owner').queryField('listWebhookEndpointsByOwner')])
    // No generated create/update/delete (nor their subscriptions): `updateWebhookEndpoint` below is the only update.
    .disableOperations(['mutations', 'subscriptions'])
    .authorization((allow) => [allow.owner().to(['read'])]),
  // One row per delivery attempt: the delivery log the studio shows. Read-only for the owner.
  WebhookDelivery: a
    .model({
      endpointId: a.id().required(),
      eventId: a.string().required(),
      eventType: a.string().required(),
      attempt: a.integer().required(),
      outcome: a.string().required(),
      statusCode: a.integer(),
      durationMs: a.integer().required(),
      error: a.string(),
      nextRetryAt: a.datetime(),
      /** The event as delivered (the body), so Redeliver sends it again unchanged. */
      payload: a.string().required(),
      createdAt: a.datetime(),
      updatedAt: a.datetime(),
      owner: a.string(),
    })
    .secondaryIndexes((index) => [
      index('endpointId').sortKeys(['createdAt']).queryField('listWebhookDeliveriesByEndpoint'),
    ])
    .disableOperations(['mutations', 'subscriptions'])
    .authorization((allow) => [allow.owner().to(['read'])]),
  // Signing secrets, encrypted (AES-256-GCM): no signed-in user has any operation; only the functions' table access.
  WebhookSecret: a
    .model({
      endpointId: a.id().required(),
      current: a.string().required(),
      previous: a.string(),
      previousExpiresAt: a.datetime(),
    })
    .identifier(['endpointId'])
    .disableOperations(['queries', 'mutations', 'subscriptions'])
    .authorization((allow) => [allow.authenticated().to([])]),
  WebhookSecretReveal: a.customType({
    endpointId: a.id().required(),
    secret: a.string().required(),
  }),
  WebhookEventReceipt: a.customType({
    endpointId: a.id().required(),
    eventId: a.string().required(),
  }),
  addWebhookEndpoint: a
    .mutation()
    .arguments({
      url: a.string().required(),
      events: a.string().array().required(),
      enabled: a.boolean(),
    })
    .returns(a.ref('WebhookSecretReveal'))
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
  updateWebhookEndpoint: a
    .mutation()
    .arguments({ endpointId: a.id().required(), events: a.string().array(), enabled: a.boolean() })
    .returns(a.id())
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
  rotateWebhookSecret: a
    .mutation()
    .arguments({ endpointId: a.id().required() })
    .returns(a.ref('WebhookSecretReveal'))
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
  sendTestWebhookEvent: a
    .mutation()
    .arguments({ endpointId: a.id().required() })
    .returns(a.ref('WebhookEventReceipt'))
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
  redeliverWebhook: a
    .mutation()
    .arguments({ deliveryId: a.id().required() })
    .returns(a.ref('WebhookEventReceipt'))
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
  removeWebhookEndpoint: a
    .mutation()
    .arguments({ endpointId: a.id().required() })
    .returns(a.id())
    .handler(a.handler.function(webhookApi))
    .authorization((allow) => [allow.authenticated()]),
};
