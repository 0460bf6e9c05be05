import { useId } from 'react';
import { MAX_JOB_METADATA_BYTES, parseJobMetadata } from '../../contract/webhook-contract';

/** The metadata box's text, checked with the server's own rule: a JSON object of at most 2 KB, or nothing. */
export const checkMetadataText = (text: string) => parseJobMetadata(text.trim());

/**
 * The optional Metadata box of the Render and Batch forms: JSON echoed in the webhooks of what it starts. Shows the
 * server's message ("must be valid JSON…", "at most 2048 bytes…") under the box while the text is refused.
 */
export function MetadataField({
  value,
  onChange,
  what,
}: {
  value: string;
  onChange: (text: string) => void;
  /** What the metadata rides on, for the hint: "job" or "batch". */
  what: string;
}) {
  const id = useId();
  const check = checkMetadataText(value);
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        Metadata (JSON, optional)
      </label>
      <textarea
        id={id}
        className="field__input"
        rows={2}
        spellCheck={false}
        placeholder='{"orderId": "42"}'
        value={value}
        aria-invalid={!check.ok}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
      <p id={`${id}-hint`} className="field__hint">
        Echoed in this {what}&apos;s webhook events; at most {MAX_JOB_METADATA_BYTES / 1024} KB.
      </p>
      {!check.ok && (
        <p className="field__error" role="alert">
          {check.message}
        </p>
      )}
    </div>
  );
}
