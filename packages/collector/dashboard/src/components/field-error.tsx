/** Messages by input id: the API's issues placed beside the fields they name. */
export type Errors = Record<string, string>;

/** An input's error, beside it, tied to it with `aria-describedby`. */
export function FieldError({ id, errors }: { id: string; errors: Errors }) {
  const message = errors[id];
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

/** The attributes that mark an input invalid and point it at its message. */
export const described = (id: string, errors: Errors) =>
  errors[id] ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
