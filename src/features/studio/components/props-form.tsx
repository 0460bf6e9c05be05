import { useId } from 'react';
import type { FieldSpec } from '../../../lib/read-schema-fields';
import type { FieldErrors } from '../schema/validate-props';

type Values = Record<string, unknown>;

interface PropsFormProps {
  fields: FieldSpec[];
  values: Values;
  errors: FieldErrors;
  onChange: (next: Values) => void;
}

/** The props editor: one control per schema field, each with its label, hint and inline error. */
export function PropsForm({ fields, values, errors, onChange }: PropsFormProps) {
  return (
    <div className="props-form">
      {fields.map((field) => (
        <FieldControl
          key={field.key}
          field={field}
          path={field.key}
          value={values[field.key]}
          errors={errors}
          onChange={(value) => onChange({ ...values, [field.key]: value })}
        />
      ))}
    </div>
  );
}

interface FieldControlProps {
  field: FieldSpec;
  path: string;
  value: unknown;
  errors: FieldErrors;
  onChange: (value: unknown) => void;
}

function FieldControl({ field, path, value, errors, onChange }: FieldControlProps) {
  const id = useId();
  const error = errors.get(path);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [field.description ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  } as const;

  if (field.kind === 'list')
    return (
      <ListField
        field={field}
        path={path}
        value={value}
        errors={errors}
        onChange={onChange}
        error={error}
      />
    );

  return (
    <div className={`field field--${field.kind}${error ? ' field--invalid' : ''}`}>
      {field.kind === 'boolean' ? (
        <label className="field__check" htmlFor={id}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
          />
          <span>{field.title}</span>
        </label>
      ) : field.kind === 'image' ? (
        <fieldset className="field__images" aria-describedby={describedBy}>
          <legend className="field__label">{field.title}</legend>
          <div className="image-picker">
            {field.options.map((option) => (
              <label key={option} className="image-picker__option">
                <input
                  type="radio"
                  name={id}
                  value={option}
                  checked={value === option}
                  onChange={() => onChange(option)}
                />
                <img src={`${import.meta.env.BASE_URL}${option}`} alt="" loading="lazy" />
                <span className="image-picker__name">{imageNameOf(option)}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : (
        <>
          <label className="field__label" htmlFor={id}>
            {field.title}
            {field.kind === 'number' && (field.min !== undefined || field.max !== undefined) && (
              <span className="field__bounds">
                {field.min ?? '−∞'} – {field.max ?? '∞'}
              </span>
            )}
          </label>
          {renderInput(field, value, onChange, common)}
        </>
      )}
      {field.description && (
        <p id={hintId} className="field__hint">
          {field.description}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type CommonInputProps = {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
};

function renderInput(
  field: FieldSpec,
  value: unknown,
  onChange: (value: unknown) => void,
  common: CommonInputProps,
) {
  switch (field.kind) {
    case 'text':
      return field.multiline ? (
        <textarea
          {...common}
          rows={3}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          {...common}
          type="text"
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'number':
      return (
        <div className="field__number">
          {field.min !== undefined && field.max !== undefined && (
            <input
              type="range"
              tabIndex={-1}
              aria-hidden="true"
              min={field.min}
              max={field.max}
              step={field.step}
              value={typeof value === 'number' && Number.isFinite(value) ? value : field.min}
              onChange={(event) => onChange(Number(event.target.value))}
            />
          )}
          <input
            {...common}
            type="number"
            min={field.min}
            max={field.max}
            step={field.step}
            value={typeof value === 'number' && !Number.isNaN(value) ? value : ''}
            // An empty box is kept as NaN so the schema reports it, instead of silently becoming 0.
            onChange={(event) =>
              onChange(event.target.value === '' ? Number.NaN : Number(event.target.value))
            }
          />
        </div>
      );
    case 'color':
      return (
        <div className="field__color">
          <input
            type="color"
            aria-label={`${field.title} picker`}
            value={typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value) ? value : '#000000'}
            onChange={(event) => onChange(event.target.value)}
          />
          <input
            {...common}
            type="text"
            spellCheck={false}
            value={typeof value === 'string' ? value : ''}
            onChange={(event) => onChange(event.target.value)}
          />
        </div>
      );
    case 'enum':
      return (
        <select
          {...common}
          value={String(value ?? '')}
          onChange={(event) => onChange(event.target.value)}
        >
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
    case 'unsupported':
      return (
        <p className="field__hint">
          This field ({field.zodType}) cannot be edited here; its default value is used.
        </p>
      );
    default:
      return null;
  }
}

interface ListFieldProps extends FieldControlProps {
  field: Extract<FieldSpec, { kind: 'list' }>;
  error: string | undefined;
}

function ListField({ field, path, value, errors, onChange, error }: ListFieldProps) {
  const items = Array.isArray(value) ? (value as Values[]) : [];
  const canAdd = field.maxItems === undefined || items.length < field.maxItems;
  const canRemove = field.minItems === undefined || items.length > field.minItems;
  const replace = (next: Values[]) => onChange(next);
  const move = (from: number, to: number) => {
    const next = [...items];
    const [item] = next.splice(from, 1);
    if (item) next.splice(to, 0, item);
    replace(next);
  };
  const itemLabel = field.title.replace(/s$/, '');

  return (
    <fieldset className={`field field--list${error ? ' field--invalid' : ''}`}>
      <legend className="field__label">
        {field.title}
        <span className="field__bounds">
          {items.length}
          {field.maxItems !== undefined ? ` of ${field.maxItems}` : ''}
        </span>
      </legend>
      {field.description && <p className="field__hint">{field.description}</p>}
      <ol className="list-field">
        {items.map((item, index) => (
          <li key={index} className="list-field__item">
            <div className="list-field__head">
              <span className="list-field__index">
                {itemLabel} {index + 1}
              </span>
              <div className="list-field__actions">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move ${itemLabel} ${index + 1} up`}
                  disabled={index === 0}
                  onClick={() => move(index, index - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move ${itemLabel} ${index + 1} down`}
                  disabled={index === items.length - 1}
                  onClick={() => move(index, index + 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="icon-button icon-button--danger"
                  aria-label={`Remove ${itemLabel} ${index + 1}`}
                  disabled={!canRemove}
                  onClick={() => replace(items.filter((_, i) => i !== index))}
                >
                  ✕
                </button>
              </div>
            </div>
            {field.itemFields.map((itemField) => (
              <FieldControl
                key={itemField.key}
                field={itemField}
                path={`${path}.${index}.${itemField.key}`}
                value={item[itemField.key]}
                errors={errors}
                onChange={(fieldValue) =>
                  replace(
                    items.map((it, i) =>
                      i === index ? { ...it, [itemField.key]: fieldValue } : it,
                    ),
                  )
                }
              />
            ))}
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button--ghost"
        disabled={!canAdd}
        // Copying the last item gives valid values for fields with no neutral default (e.g. an image).
        onClick={() =>
          replace([
            ...items,
            items.length > 0 ? { ...items[items.length - 1] } : field.createItem(),
          ])
        }
      >
        + Add {itemLabel.toLowerCase()}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** `slides/aurora.svg` → `aurora`. */
function imageNameOf(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
}
