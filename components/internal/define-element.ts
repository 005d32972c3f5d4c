/**
 * Registers `ctor` as `tag`. Loading the same define entry twice is harmless; a second copy of the kit
 * (another version bundled by some other script) keeps the first registration and only warns, because
 * throwing here would break the host page over something its author may not control.
 */
export function defineElement(tag: string, ctor: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === ctor) return;
  if (existing) {
    console.warn(
      `matrix-call-kit: <${tag}> is already defined by another class (is a second copy of matrix-call-kit loaded?). Keeping the existing definition.`,
    );
    return;
  }
  customElements.define(tag, ctor);
}
