// The one kind of failure shown to a user as it is: `message` says what is wrong (Keras's wording:
// what, what was expected, "Received: …"), `hint` what to do about it. The trainer sends both in
// its `failed` event, the CLI prints both, the extension shows both; anything else that is thrown
// is a bug and is reported as one.

export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What the user should do about `error`, when it is a UserError that says. */
export function hintOf(error: unknown): string | undefined {
  return error instanceof UserError ? error.hint : undefined;
}
