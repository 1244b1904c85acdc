/**
 * A secret value in memory (a code from an email reply, a card number): it
 * travels from the adapter that read it to the one hand-over that seals it,
 * and nowhere else. Printing, logging or serialising it shows "[secret]";
 * only `reveal()` gives the value. Pure.
 */
const values = new WeakMap<SecretText, string>();

export class SecretText {
  constructor(value: string) {
    values.set(this, value);
  }
  reveal(): string {
    return values.get(this) ?? "";
  }
  toString(): string {
    return "[secret]";
  }
  toJSON(): string {
    return "[secret]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[secret]";
  }
}
