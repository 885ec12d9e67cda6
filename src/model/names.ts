// Keras writes snake_case (`kernel_size`, `batch_size`, `categorical_crossentropy`), tfjs camelCase;
// every front end and the trainer accept both by reading names through this one conversion.

/** `kernel_size` → `kernelSize`; a name already in camelCase is returned as it is. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
