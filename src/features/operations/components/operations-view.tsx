import { useState, type FormEvent } from 'react';
import type { OperationsApi } from '../api/operations-api';
import { useOperations } from '../hooks/use-operations';

const usd = (value: number) => `$${value.toFixed(2)}`;
const percent = (value: number) => `${Math.round(value * 100)}%`;
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="ops-figure">
      <span className="ops-figure__label">{label}</span>
      <span className="ops-figure__value">{value}</span>
      {hint ? <span className="ops-figure__hint">{hint}</span> : null}
    </div>
  );
}

function Budget({ label, spent, budget }: { label: string; spent: number; budget: number }) {
  const share = budget > 0 ? Math.min(1, spent / budget) : 1;
  return (
    <div className="ops-budget">
      <div className="ops-budget__head">
        <span>{label}</span>
        <span>
          {usd(spent)} of {usd(budget)}
        </span>
      </div>
      <div
        className="ops-budget__bar"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={budget}
        aria-valuenow={spent}
      >
        <span
          style={{ width: `${share * 100}%` }}
          className={share >= 0.9 ? 'ops-budget__fill--high' : ''}
        />
      </div>
    </div>
  );
}

/** The admins' Operations view: pipeline figures, spend against budget, recent failures, dead letters, invitations. */
export function OperationsView({ api, refreshMs }: { api: OperationsApi; refreshMs?: number }) {
  const ops = useOperations(api, refreshMs);
  const [email, setEmail] = useState('');
  const { overview, deadLetters } = ops;

  const invite = (event: FormEvent) => {
    event.preventDefault();
    if (email) void ops.invite(email).then(() => setEmail(''));
  };

  return (
    <main className="ops" aria-label="Operations">
      {ops.error ? (
        <div className="alert alert--error" role="alert">
          {ops.error}
        </div>
      ) : null}
      {ops.notice ? (
        <div className="alert" role="status">
          {ops.notice}
        </div>
      ) : null}
      <section className="panel ops__figures" aria-label="Pipeline">
        <div className="panel__header">
          <h2 className="panel__title">Pipeline</h2>
          <span className="panel__subtitle">
            {overview ? `as of ${new Date(overview.generatedAt).toLocaleTimeString()}` : 'loading…'}
          </span>
        </div>
        {overview ? (
          <div className="ops-figures">
            <Figure
              label="Queue depth"
              value={String(overview.queueDepth)}
              hint={`${overview.queueInFlight} in flight`}
            />
            <Figure
              label="Renders in flight"
              value={`${overview.rendersInFlight} / ${overview.renderCap}`}
              hint="against the render cap"
            />
            <Figure label="Finished, last hour" value={String(overview.finishedLastHour)} />
            <Figure
              label="Failure rate, last hour"
              value={percent(overview.failureRateLastHour)}
              hint={`${overview.failedLastHour} failed`}
            />
            <Figure label="Dead letters" value={String(overview.deadLetters)} />
          </div>
        ) : null}
      </section>

      <section className="panel ops__spend" aria-label="Spend">
        <div className="panel__header">
          <h2 className="panel__title">Spend against budget</h2>
          {overview ? (
            <span className="panel__subtitle">
              {overview.dailyRendersPerUser} renders per user per day
            </span>
          ) : null}
        </div>
        {overview ? (
          <>
            <Budget
              label="Today (UTC)"
              spent={overview.spentTodayUsd}
              budget={overview.dailyBudgetUsd}
            />
            <Budget
              label="This month (UTC)"
              spent={overview.spentThisMonthUsd}
              budget={overview.monthlyBudgetUsd}
            />
          </>
        ) : null}
      </section>

      <section className="panel ops__dead-letters" aria-label="Dead letters">
        <div className="panel__header">
          <h2 className="panel__title">Dead-letter queue</h2>
          <button
            type="button"
            className="button button--secondary"
            disabled={ops.busy || !deadLetters?.length}
            onClick={() => void ops.redrive()}
          >
            Redrive all
          </button>
        </div>
        {deadLetters && deadLetters.length === 0 ? (
          <p className="ops__empty">No dead letters.</p>
        ) : null}
        {deadLetters?.length ? (
          <table className="ops-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Composition</th>
                <th>Error</th>
                <th>Received</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {deadLetters.map((letter) => (
                <tr key={letter.messageId} data-job-id={letter.jobId ?? ''}>
                  <td className="ops-table__id">{letter.jobId ?? '(no job)'}</td>
                  <td>{letter.compositionId ?? '—'}</td>
                  <td className="ops-table__error">{letter.errorMessage ?? '—'}</td>
                  <td>{when(letter.sentAt)}</td>
                  <td className="ops-table__actions">
                    <button
                      type="button"
                      className="button button--secondary"
                      disabled={ops.busy}
                      onClick={() => void ops.redrive(letter.messageId)}
                    >
                      Redrive
                    </button>
                    <button
                      type="button"
                      className="button button--ghost"
                      disabled={ops.busy}
                      onClick={() => void ops.discard(letter.messageId)}
                    >
                      Discard
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section className="panel ops__failures" aria-label="Recent failures">
        <div className="panel__header">
          <h2 className="panel__title">Recent failures</h2>
          <span className="panel__subtitle">all users · no props or videos</span>
        </div>
        {overview && overview.recentFailures.length === 0 ? (
          <p className="ops__empty">No failures.</p>
        ) : null}
        {overview?.recentFailures.length ? (
          <table className="ops-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Composition</th>
                <th>Error</th>
                <th>Attempts</th>
                <th>Ended</th>
              </tr>
            </thead>
            <tbody>
              {overview.recentFailures.map((failure) => (
                <tr key={failure.jobId}>
                  <td className="ops-table__id">{failure.jobId}</td>
                  <td>{failure.compositionId}</td>
                  <td className="ops-table__error">{failure.errorMessage ?? '—'}</td>
                  <td>{failure.attempts}</td>
                  <td>{when(failure.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section className="panel ops__invite" aria-label="Invite user">
        <div className="panel__header">
          <h2 className="panel__title">Invite user</h2>
          <span className="panel__subtitle">
            sign-up is allow-listed; an invitation gets anyone in
          </span>
        </div>
        <form className="ops-invite" onSubmit={invite}>
          <input
            type="email"
            required
            placeholder="name@example.com"
            aria-label="Email address to invite"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <button type="submit" className="button button--primary" disabled={ops.busy || !email}>
            Invite
          </button>
        </form>
      </section>
    </main>
  );
}
