import { useMemo, useRef, useState } from 'react';
import './batch.css';
import type { StudioComposition } from '../../../lib/composition';
import type { FieldSpec } from '../../../lib/read-schema-fields';
import type { Batch, BatchesApi } from '../api/batches-api';
import { buildBatchRows, countBatchRows } from '../rows/build-batch-rows';
import { autoMapColumns, unmappedColumns, type ColumnMapping } from '../rows/map-columns';
import { parseBatchFile } from '../rows/parse-batch-file';
import { createTemplateCsv } from '../rows/template-csv';
import {
  BatchRefusedError,
  planBatchSubmission,
  sendBatchSubmission,
  type BatchSubmission,
  type SubmitProgress,
} from '../submit/submit-batch';
import { ColumnMappingTable } from './column-mapping-table';
import { InvalidRowsList } from './invalid-rows-list';
import { checkMetadataText, MetadataField } from '../../../components/metadata-field';

/** What the studio hands the Batch action: the composition being edited and its props form. */
export interface BatchActionContext {
  composition: StudioComposition;
  fields: readonly FieldSpec[];
  /** The props form's values: every field without a column takes these. */
  formProps: Readonly<Record<string, unknown>>;
  /** Shows these props in the Player (`null`: back to the form's props). */
  onPreview: (props: Record<string, unknown> | null, label?: string) => void;
}

interface BatchPanelProps extends BatchActionContext {
  api: BatchesApi;
  /** Called with the new batch once every row is in, to show its card at once. */
  onSubmitted: (batch: Batch) => void;
}

const count = (value: number) => value.toLocaleString('en-US');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function saveText(text: string, fileName: string, type: string) {
  const objectUrl = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: objectUrl, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
}

function describeProgress(progress: SubmitProgress): string {
  switch (progress.phase) {
    case 'creating':
      return 'Creating the batch…';
    case 'adding':
      return `Sent ${count(progress.sentRows)} of ${count(progress.totalRows)} rows…`;
    case 'retrying':
      return `The connection failed (${progress.reason ?? 'no reason given'}); trying again…`;
  }
}

/**
 * The Batch action: a CSV or JSON file (uploaded or pasted) becomes one render per row. Columns map to the
 * composition's fields, every row is validated with its schema before anything is created, and the rows go up in
 * the contract's chunks under one client token, so a retry after a network error duplicates nothing.
 */
export function BatchPanel({
  composition,
  fields,
  formProps,
  onPreview,
  api,
  onSubmitted,
}: BatchPanelProps) {
  const [source, setSource] = useState<{ name: string; text: string } | null>(null);
  const [pasted, setPasted] = useState('');
  const parsed = useMemo(() => (source ? parseBatchFile(source.text) : null), [source]);
  const columns = useMemo(() => (parsed?.ok ? parsed.columns : []), [parsed]);
  const [mappingFor, setMappingFor] = useState<{ columns: string[]; mapping: ColumnMapping }>({
    columns: [],
    mapping: {},
  });
  // A new file brings its own columns: map them afresh, keeping nothing from the last file.
  if (mappingFor.columns !== columns)
    setMappingFor({ columns, mapping: autoMapColumns(fields, columns) });
  const mapping = mappingFor.mapping;

  const rows = useMemo(
    () =>
      parsed?.ok
        ? buildBatchRows({
            schema: composition.schema,
            fields,
            mapping,
            rows: parsed.rows,
            formProps,
          })
        : [],
    [parsed, composition.schema, fields, mapping, formProps],
  );
  const { valid, invalid } = countBatchRows(rows);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [title, setTitle] = useState('');
  const [previewRow, setPreviewRow] = useState(1);
  const [progress, setProgress] = useState<SubmitProgress | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState<string | null>(null);
  const submission = useRef<BatchSubmission | null>(null);

  const [metadataText, setMetadataText] = useState('');
  const metadataCheck = checkMetadataText(metadataText);
  const submittable =
    valid > 0 && (invalid === 0 || skipInvalid) && metadataCheck.ok && progress === null;

  const loadSource = (name: string, text: string) => {
    setSource({ name, text });
    setTitle(name.replace(/\.(csv|json|txt)$/i, ''));
    setSkipInvalid(false);
    setSubmitError(null);
    setSubmitted(null);
    submission.current = null;
    onPreview(null);
  };

  const send = async () => {
    setSubmitError(null);
    const current =
      submission.current ??
      planBatchSubmission({
        compositionId: composition.id,
        title: title.trim() || composition.name,
        rows: rows.filter((row) => row.valid).map((row) => row.props),
        metadata: metadataCheck.ok ? metadataCheck.metadata : null,
      });
    submission.current = current;
    try {
      const batch = await sendBatchSubmission(api, current, { onProgress: setProgress });
      submission.current = null;
      setSubmitted(`Batch submitted: ${count(current.rowCount)} renders queued.`);
      setSource(null);
      setPasted('');
      onPreview(null);
      onSubmitted(batch);
    } catch (error) {
      // A refused createBatch needs a change first (the next Submit plans afresh). Any other failure keeps the
      // submission's token and how far it got, so Try again resumes there and never makes a second batch.
      if (error instanceof BatchRefusedError && current.batch === undefined)
        submission.current = null;
      setSubmitError(messageOf(error));
    } finally {
      setProgress(null);
    }
  };

  const previewed = rows[previewRow - 1];

  return (
    <section className="batch-panel" aria-labelledby="batch-heading">
      <div className="panel__header">
        <h3 id="batch-heading" className="panel__title">
          Batch: one video per row
        </h3>
        <button
          type="button"
          className="button button--ghost"
          onClick={() =>
            saveText(
              createTemplateCsv(fields, composition.defaultProps as Record<string, unknown>),
              `${composition.id}-template.csv`,
              'text/csv',
            )
          }
        >
          Download template CSV
        </button>
      </div>

      <div className="batch-panel__source">
        <label className="field">
          <span className="field__label">CSV or JSON file</span>
          <input
            type="file"
            accept=".csv,.json,.txt,text/csv,application/json"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              if (file) void file.text().then((text) => loadSource(file.name, text));
            }}
          />
        </label>
        <label className="field">
          <span className="field__label">…or paste rows</span>
          <textarea
            className="field__input"
            rows={3}
            value={pasted}
            placeholder={`${fields.map((field) => field.key).join(',')}\n…`}
            onChange={(event) => setPasted(event.currentTarget.value)}
          />
        </label>
        <button
          type="button"
          className="button button--secondary"
          disabled={pasted.trim() === ''}
          onClick={() => loadSource('Pasted rows', pasted)}
        >
          Use pasted rows
        </button>
      </div>

      {parsed && !parsed.ok && (
        <p className="alert alert--error" role="alert">
          {parsed.message}
        </p>
      )}

      {parsed?.ok && (
        <>
          <p className="batch-panel__summary" role="status">
            {source?.name}: {count(rows.length)} rows, {count(valid)} valid
            {invalid > 0 ? `, ${count(invalid)} invalid` : ''}.
          </p>
          <ColumnMappingTable
            fields={fields}
            columns={columns}
            mapping={mapping}
            formProps={formProps}
            onChange={(next) => {
              submission.current = null;
              setMappingFor({ columns, mapping: next });
            }}
          />
          {unmappedColumns(mapping, columns).length > 0 && (
            <p className="field__hint">
              Ignored columns: {unmappedColumns(mapping, columns).join(', ')}
            </p>
          )}
          <InvalidRowsList rows={rows} />

          <div className="batch-panel__preview">
            <label className="field field--inline">
              <span className="field__label">Preview row</span>
              <input
                type="number"
                className="field__input"
                min={1}
                max={rows.length}
                value={previewRow}
                onChange={(event) =>
                  setPreviewRow(
                    Math.min(rows.length, Math.max(1, Number(event.currentTarget.value) || 1)),
                  )
                }
              />
            </label>
            <button
              type="button"
              className="button button--secondary"
              disabled={!previewed?.valid}
              onClick={() => previewed && onPreview(previewed.props, `row ${previewed.rowNumber}`)}
            >
              Preview
            </button>
            <button type="button" className="button button--ghost" onClick={() => onPreview(null)}>
              Back to the form
            </button>
          </div>

          <label className="field">
            <span className="field__label">Batch name</span>
            <input
              className="field__input"
              value={title}
              maxLength={120}
              onChange={(event) => setTitle(event.currentTarget.value)}
            />
          </label>
          <MetadataField
            value={metadataText}
            onChange={(text) => {
              submission.current = null;
              setMetadataText(text);
            }}
            what="batch"
          />
          {invalid > 0 && (
            <label className="field field--checkbox">
              <input
                type="checkbox"
                checked={skipInvalid}
                onChange={(event) => {
                  submission.current = null;
                  setSkipInvalid(event.currentTarget.checked);
                }}
              />
              <span>
                Skip {count(invalid)} invalid {invalid === 1 ? 'row' : 'rows'} and render the other{' '}
                {count(valid)}
              </span>
            </label>
          )}
          <div className="editor__footer">
            <p className="editor__status" aria-live="polite">
              {progress
                ? describeProgress(progress)
                : invalid > 0 && !skipInvalid
                  ? `Fix the ${count(invalid)} invalid ${invalid === 1 ? 'row' : 'rows'} in the file, or skip ${invalid === 1 ? 'it' : 'them'}.`
                  : !metadataCheck.ok
                    ? 'Fix the metadata before submitting.'
                    : `Ready to render ${count(valid)} ${valid === 1 ? 'video' : 'videos'}.`}
            </p>
            <button
              type="button"
              className="button button--primary"
              disabled={!submittable}
              onClick={() => void send()}
            >
              {progress ? 'Submitting…' : `Submit ${count(valid)} ${valid === 1 ? 'row' : 'rows'}`}
            </button>
          </div>
        </>
      )}
      {submitError && (
        <div className="alert alert--error" role="alert">
          <p>Could not submit the batch: {submitError}</p>
          {submission.current && (
            <button
              type="button"
              className="button button--secondary"
              disabled={progress !== null}
              onClick={() => void send()}
            >
              Try again
            </button>
          )}
        </div>
      )}
      {submitted && (
        <p className="alert alert--info" role="status">
          {submitted}
        </p>
      )}
    </section>
  );
}
