import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { WEBHOOK_EVENT_TYPES } from '../../../../contract/webhook-contract';
import type { WebhookDelivery, WebhookEndpoint, WebhooksApi } from '../api/webhooks-api';

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** The secret, shown once after add or rotate, with a copy button. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="alert" role="status" aria-label="New signing secret">
      <p>
        This signing secret is shown <strong>once</strong>. Store it with your receiver now.
      </p>
      <code className="webhooks__secret" data-testid="webhook-secret">
        {secret}
      </code>{' '}
      <button
        type="button"
        className="button button--ghost"
        onClick={() =>
          void navigator.clipboard
            .writeText(secret)
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>{' '}
      <button type="button" className="button button--ghost" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function DeliveryLog({
  deliveries,
  onRedeliver,
}: {
  deliveries: WebhookDelivery[];
  onRedeliver: (deliveryId: string) => void;
}) {
  if (deliveries.length === 0) return <p className="panel__subtitle">No deliveries yet.</p>;
  return (
    <table className="webhooks__log" aria-label="Delivery log">
      <thead>
        <tr>
          <th>Event</th>
          <th>Attempt</th>
          <th>Outcome</th>
          <th>Status</th>
          <th>Duration</th>
          <th>Next retry</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.id} title={delivery.error ?? undefined}>
            <td>
              {delivery.eventType} <small>{delivery.eventId}</small>
            </td>
            <td>{delivery.attempt}</td>
            <td>{delivery.outcome}</td>
            <td>{delivery.statusCode ?? '—'}</td>
            <td>{delivery.durationMs} ms</td>
            <td>{when(delivery.nextRetryAt)}</td>
            <td>
              <button
                type="button"
                className="button button--ghost"
                onClick={() => onRedeliver(delivery.id)}
              >
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The Webhooks panel (docs/architecture.md, "Webhooks to integrators"): register endpoints, see a new secret once,
 * rotate it, enable or disable, remove, send a test event, and read each endpoint's delivery log with Redeliver.
 */
export function WebhooksPanel({ api, refreshMs = 2000 }: { api: WebhooksApi; refreshMs?: number }) {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [deliveries, setDeliveries] = useState<Record<string, WebhookDelivery[]>>({});
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['job.succeeded', 'job.failed']);
  const [enabled, setEnabled] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const list = await api.listEndpoints();
      setEndpoints(list);
      const logs = await Promise.all(list.map((endpoint) => api.listDeliveries(endpoint.id)));
      setDeliveries(Object.fromEntries(list.map((endpoint, i) => [endpoint.id, logs[i]!])));
    } catch (caught) {
      setError((caught as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => clearInterval(timer);
  }, [refresh, refreshMs]);

  const run = async (action: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    try {
      await action();
      if (done) setNotice(done);
      await refresh();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const added = await api.addEndpoint({ url, events, enabled });
      setSecret(added.secret);
      setUrl('');
    }, 'Endpoint added.');
  };

  return (
    <section className="panel webhooks" aria-label="Webhooks">
      <div className="panel__header">
        <h2 className="panel__title">Webhooks</h2>
        <span className="panel__subtitle">
          Signed POSTs to your endpoints when a render ends (Render-Studio-Signature: t=…,v1=…).
        </span>
      </div>
      {error ? (
        <div className="alert alert--error" role="alert">
          {error}
        </div>
      ) : null}
      {notice && !error ? <p role="status">{notice}</p> : null}
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(undefined)} /> : null}

      <form className="webhooks__add" onSubmit={add} aria-label="Add endpoint">
        <label>
          Endpoint URL
          <input
            type="url"
            required
            value={url}
            placeholder="https://example.com/render-hooks"
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) =>
                  setEvents(
                    event.target.checked
                      ? [...events, type]
                      : events.filter((chosen) => chosen !== type),
                  )
                }
              />
              {type}
            </label>
          ))}
        </fieldset>
        <label>
          <input
            type="checkbox"
            checked={enabled}
            onChange={(event) => setEnabled(event.target.checked)}
          />
          Enabled
        </label>
        <button type="submit" className="button">
          Add endpoint
        </button>
      </form>

      {endpoints.map((endpoint) => (
        <article key={endpoint.id} className="webhooks__endpoint" aria-label={endpoint.url}>
          <header>
            <strong>{endpoint.url}</strong>{' '}
            <small>
              {(endpoint.events ?? []).join(', ')} · secret rotated {when(endpoint.secretRotatedAt)}
              {endpoint.previousSecretExpiresAt &&
              Date.parse(endpoint.previousSecretExpiresAt) > Date.now()
                ? ` · old secret valid until ${when(endpoint.previousSecretExpiresAt)}`
                : ''}
            </small>
          </header>
          <div className="webhooks__actions">
            <label>
              <input
                type="checkbox"
                checked={endpoint.enabled}
                onChange={(event) =>
                  void run(() => api.updateEndpoint(endpoint.id, { enabled: event.target.checked }))
                }
              />
              Enabled
            </label>
            <button
              type="button"
              className="button button--ghost"
              onClick={() => void run(() => api.sendTestEvent(endpoint.id), 'Test event queued.')}
            >
              Send test event
            </button>
            <button
              type="button"
              className="button button--ghost"
              onClick={() =>
                void run(async () => {
                  const rotated = await api.rotateSecret(endpoint.id);
                  setSecret(rotated.secret);
                }, 'Secret rotated: the old one keeps signing for 24 hours.')
              }
            >
              Rotate secret
            </button>
            <button
              type="button"
              className="button button--ghost"
              onClick={() => void run(() => api.removeEndpoint(endpoint.id), 'Endpoint removed.')}
            >
              Remove
            </button>
          </div>
          <DeliveryLog
            deliveries={deliveries[endpoint.id] ?? []}
            onRedeliver={(deliveryId) =>
              void run(() => api.redeliver(deliveryId), 'Redelivery queued.')
            }
          />
        </article>
      ))}
    </section>
  );
}
