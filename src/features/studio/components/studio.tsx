import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import {
  formatSeconds,
  type CompositionComponents,
  type StudioComposition,
} from '../../../lib/composition';
import { MAX_INPUT_PROPS_BYTES, measurePropsBytes } from '../../../../contract/job-contract';
import { checkVideoFitsLimits, type RenderLimits } from '../../../../contract/render-limits';
import {
  checkOutputChoice,
  DEFAULT_OUTPUT_CHOICE,
  type OutputChoice,
  type RenderTarget,
} from '../../../../contract/output-formats';
import { estimateFor, formatEstimate, useEstimatePrice } from '../../../lib/render-estimate';
import { OutputOptions } from './output-options';
import { usePersistedProps } from '../hooks/use-persisted-props';
import { readSchemaFields, type FieldSpec } from '../../../lib/read-schema-fields';
import { validateProps } from '../schema/validate-props';
import { CompositionGallery } from './composition-gallery';
import { PropsForm } from './props-form';
import { checkMetadataText, MetadataField } from '../../../components/metadata-field';

const PreviewPlayer = lazy(() => import('./preview-player'));

/** What the studio asks to render; the app hands it to the jobs feature. */
export interface RenderRequest {
  compositionId: string;
  props: Record<string, unknown>;
  title: string;
  /** Format and scale, already checked (contract/output-formats.ts). */
  output: OutputChoice;
  /** The Metadata box's JSON object, already checked; `null` when empty. */
  metadata: Record<string, unknown> | null;
}

/** Renders the Batch action for the composition being edited; the app supplies it (the studio knows no batches). */
export type RenderBatchAction = (context: {
  composition: StudioComposition;
  fields: readonly FieldSpec[];
  formProps: Readonly<Record<string, unknown>>;
  /** Shows these props in the Player instead of the form's (`null`: the form's again). */
  onPreview: (props: Record<string, unknown> | null, label?: string) => void;
}) => ReactNode;

interface StudioProps {
  compositions: readonly StudioComposition[];
  /** The compositions' components, loading (they carry Remotion, so they are not in the first bundle). */
  components: Promise<CompositionComponents>;
  /** Creates the job; a rejection's message is shown under the Render button. */
  onRender: (request: RenderRequest) => Promise<void>;
  /** What the deployment can render (`custom.render_limits`); absent: no length limit is known. */
  renderLimits?: RenderLimits;
  /** Where renders run: which formats exist and whether the estimate has a cost. Default: the cloud. */
  renderTarget?: RenderTarget;
  storage?: Storage;
  /** The Batch action beside Render; absent: no Batch button. */
  renderBatchAction?: RenderBatchAction;
}

const SELECTED_KEY = 'render-studio:selected-composition';

/** Gallery, props editor and live preview of the selected composition, and its Render button. */
export function Studio({
  compositions,
  components,
  onRender,
  renderLimits,
  renderTarget = 'cloud',
  storage = localStorage,
  renderBatchAction,
}: StudioProps) {
  const [selectedId, setSelectedId] = useState(() => {
    const stored = storage.getItem(SELECTED_KEY);
    return compositions.some((c) => c.id === stored)
      ? (stored as string)
      : (compositions[0]?.id ?? '');
  });
  const composition = compositions.find((c) => c.id === selectedId) ?? compositions[0];
  const select = (id: string) => {
    setSelectedId(id);
    storage.setItem(SELECTED_KEY, id);
  };

  return (
    <div className="studio">
      <section className="panel studio__gallery" aria-labelledby="gallery-heading">
        <h2 id="gallery-heading" className="panel__title">
          Compositions
        </h2>
        <CompositionGallery
          compositions={compositions}
          components={components}
          selectedId={composition?.id ?? ''}
          onSelect={select}
        />
      </section>
      {composition && (
        <CompositionEditor
          key={composition.id}
          composition={composition}
          components={components}
          onRender={onRender}
          renderLimits={renderLimits}
          renderTarget={renderTarget}
          storage={storage}
          renderBatchAction={renderBatchAction}
        />
      )}
    </div>
  );
}

interface CompositionEditorProps {
  composition: StudioComposition;
  components: Promise<CompositionComponents>;
  onRender: StudioProps['onRender'];
  renderLimits?: RenderLimits;
  renderTarget: RenderTarget;
  storage: Storage;
  renderBatchAction?: RenderBatchAction;
}

/** Props editor plus preview for one composition. */
export function CompositionEditor({
  composition,
  components,
  onRender,
  renderLimits,
  renderTarget,
  storage,
  renderBatchAction,
}: CompositionEditorProps) {
  const { props, setProps, resetProps } = usePersistedProps(
    composition.id,
    composition.schema,
    composition.defaultProps as Record<string, unknown>,
    storage,
  );
  const fields = useMemo(() => readSchemaFields(composition.schema), [composition.schema]);
  const check = useMemo(
    () => validateProps(composition.schema, props),
    [composition.schema, props],
  );
  const [lastValid, setLastValid] = useState(props);
  // The preview keeps showing the last valid props while a field is being fixed.
  if (check.valid && check.props !== lastValid) setLastValid(check.props);
  const [batchOpen, setBatchOpen] = useState(false);
  // A batch row shown in the Player instead of the form's props, until the Batch action says otherwise.
  const [rowPreview, setRowPreview] = useState<{
    props: Record<string, unknown>;
    label: string;
  } | null>(null);
  const previewProps = rowPreview?.props ?? (check.valid ? check.props : lastValid);
  const durationInFrames =
    composition.calculateDurationInFrames?.(previewProps) ?? composition.durationInFrames;

  const bytes = check.valid ? measurePropsBytes(check.props) : 0;
  const tooLarge = bytes > MAX_INPUT_PROPS_BYTES;
  // Refused here, before a job exists: the render function's deadline cuts a longer video off.
  const fit = renderLimits
    ? checkVideoFitsLimits(renderLimits, {
        width: composition.width,
        height: composition.height,
        fps: composition.fps,
        durationInFrames,
      })
    : undefined;
  const tooLong = fit !== undefined && !fit.ok;
  // Format and scale: refused here with the worker's own words, estimated with the benchmarks' figures.
  const [output, setOutput] = useState<OutputChoice>(DEFAULT_OUTPUT_CHOICE);
  const video = { width: composition.width, height: composition.height, durationInFrames };
  const outputCheck = checkOutputChoice(output, video, renderTarget);
  const estimatePrice = useEstimatePrice(renderTarget);
  const estimate = estimateFor(video, output, renderTarget, {
    ...(renderLimits ? { renderersPerRender: renderLimits.renderersPerRender } : {}),
    ...(estimatePrice ? { estimatePrice } : {}),
  });
  const outputRefused = !outputCheck.ok;
  const [metadataText, setMetadataText] = useState('');
  const metadataCheck = checkMetadataText(metadataText);
  const [submitting, setSubmitting] = useState(false);
  const [renderError, setRenderError] = useState<string | null>(null);
  const errorCount = check.errors.size;

  const render = async () => {
    if (!check.valid || tooLarge || tooLong || !outputCheck.ok || !metadataCheck.ok) return;
    setSubmitting(true);
    setRenderError(null);
    try {
      const title =
        typeof check.props.title === 'string' && check.props.title
          ? check.props.title
          : composition.name;
      await onRender({
        compositionId: composition.id,
        props: check.props,
        title,
        output: outputCheck.choice,
        metadata: metadataCheck.metadata,
      });
    } catch (error) {
      setRenderError(error instanceof Error ? error.message : String(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      <section className="panel studio__preview" aria-labelledby="preview-heading">
        <div className="panel__header">
          <div>
            <h2 id="preview-heading" className="panel__title">
              {composition.name}
            </h2>
            <p className="panel__subtitle">{composition.description}</p>
          </div>
          {rowPreview && <span className="chip chip--warning">Previewing {rowPreview.label}</span>}
          <span className="chip">
            {composition.width}×{composition.height} · {composition.fps} fps ·{' '}
            {formatSeconds(durationInFrames, composition.fps)}
          </span>
        </div>
        <div className="preview" data-testid="preview">
          <Suspense fallback={<div className="skeleton preview__loading">Loading preview…</div>}>
            <PreviewPlayer
              composition={composition}
              components={components}
              props={previewProps}
              durationInFrames={durationInFrames}
            />
          </Suspense>
        </div>
      </section>
      <section className="panel studio__editor" aria-labelledby="editor-heading">
        <div className="panel__header">
          <h2 id="editor-heading" className="panel__title">
            Props
          </h2>
          <button type="button" className="button button--ghost" onClick={resetProps}>
            Reset to defaults
          </button>
        </div>
        <form
          className="editor"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void render();
          }}
        >
          <PropsForm fields={fields} values={props} errors={check.errors} onChange={setProps} />
          <OutputOptions
            choice={output}
            onChange={setOutput}
            size={composition}
            refusal={outputCheck.ok ? null : outputCheck.message}
            estimate={estimate ? formatEstimate(estimate) : null}
          />
          <MetadataField value={metadataText} onChange={setMetadataText} what="job" />
          <div className="editor__footer">
            <p className="editor__status" aria-live="polite">
              {errorCount > 0
                ? `${errorCount} ${errorCount === 1 ? 'field needs' : 'fields need'} fixing before rendering.`
                : tooLarge
                  ? `These props are ${Math.ceil(bytes / 1024)} KB; the limit is ${MAX_INPUT_PROPS_BYTES / 1024} KB.`
                  : fit && !fit.ok
                    ? fit.message
                    : outputRefused
                      ? 'Choose another format or scale before rendering.'
                      : !metadataCheck.ok
                        ? 'Fix the metadata before rendering.'
                        : 'Ready to render.'}
            </p>
            <button
              type="submit"
              className="button button--primary"
              disabled={
                !check.valid ||
                tooLarge ||
                tooLong ||
                outputRefused ||
                !metadataCheck.ok ||
                submitting
              }
            >
              {submitting ? 'Queuing…' : 'Render'}
            </button>
            {renderBatchAction && (
              <button
                type="button"
                className="button button--secondary"
                aria-expanded={batchOpen}
                onClick={() => {
                  setBatchOpen(!batchOpen);
                  setRowPreview(null);
                }}
              >
                Batch…
              </button>
            )}
          </div>
          {renderError && (
            <p className="alert alert--error" role="alert">
              Could not start the render: {renderError}
            </p>
          )}
        </form>
        {renderBatchAction &&
          batchOpen &&
          renderBatchAction({
            composition,
            fields,
            formProps: props,
            onPreview: (rowProps, label = 'a batch row') =>
              setRowPreview(rowProps ? { props: rowProps, label } : null),
          })}
      </section>
    </>
  );
}
