/** Shown when `amplify_outputs.json` is missing or unusable: how to get one. */
export function SetupNeeded({
  reason,
  message,
}: {
  reason: 'missing' | 'invalid';
  message: string;
}) {
  return (
    <main className="setup">
      <div className="setup__card">
        <span className="brand__mark" aria-hidden="true" />
        <h1>
          {reason === 'missing' ? 'No backend to talk to yet' : 'The backend settings are broken'}
        </h1>
        <p>
          The studio reads its backend from <code>/amplify_outputs.json</code>. {message}
        </p>
        <ul>
          <li>
            On this machine, start the studio with <code>npm start</code> (local mode, no AWS
            account needed).
          </li>
          <li>
            Against AWS, deploy with <code>npx ampx sandbox</code> or{' '}
            <code>npx ampx pipeline-deploy</code>; the Hosting build copies the outputs next to the
            page.
          </li>
        </ul>
      </div>
    </main>
  );
}
