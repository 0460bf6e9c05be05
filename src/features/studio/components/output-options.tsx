import {
  OUTPUT_FORMAT_DETAILS,
  OUTPUT_FORMATS,
  OUTPUT_SCALES,
  type OutputChoice,
} from '../../../../contract/output-formats';

interface OutputOptionsProps {
  choice: OutputChoice;
  onChange: (choice: OutputChoice) => void;
  /** The composition's size at 1×, to name each scale's output size. */
  size: { width: number; height: number };
  /** Why the choice is refused (`checkOutputChoice`), or null. */
  refusal: string | null;
  /** The estimate before Render, already formatted; null when refused. */
  estimate: string | null;
}

/** Format and scale pickers before Render, with the refusal or the estimate under them. */
export function OutputOptions({ choice, onChange, size, refusal, estimate }: OutputOptionsProps) {
  return (
    <fieldset className="output-options">
      <legend className="output-options__legend">Output</legend>
      <label className="field">
        <span className="field__label">Format</span>
        <select
          className="field__input"
          value={choice.outputFormat}
          aria-invalid={refusal !== null}
          onChange={(event) =>
            onChange({
              ...choice,
              outputFormat: event.target.value as OutputChoice['outputFormat'],
            })
          }
        >
          {OUTPUT_FORMATS.map((format) => (
            <option key={format} value={format}>
              {OUTPUT_FORMAT_DETAILS[format].label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">Scale</span>
        <select
          className="field__input"
          value={String(choice.scale)}
          aria-invalid={refusal !== null}
          onChange={(event) =>
            onChange({ ...choice, scale: Number(event.target.value) as OutputChoice['scale'] })
          }
        >
          {OUTPUT_SCALES.map((scale) => (
            <option key={scale} value={String(scale)}>
              {scale}× ({Math.round(size.width * scale)}×{Math.round(size.height * scale)})
            </option>
          ))}
        </select>
      </label>
      {refusal ? (
        <p className="field__error" role="alert">
          {refusal}
        </p>
      ) : estimate ? (
        <p className="output-options__estimate" data-testid="render-estimate">
          Estimate: {estimate}
        </p>
      ) : null}
    </fieldset>
  );
}
