/**
 * How a models directory holds versions of one model: `<models>/<name>/` is the model
 * itself, or `<models>/<name>/<version>/` are several, the newest active unless a file
 * named ACTIVE in `<models>/<name>/` names another. The server's registry and the command
 * line both choose by these rules.
 */

/** The file that pins the active version of a model with several. */
export const PIN_FILE = "ACTIVE";

const collator = new Intl.Collator("en", { numeric: true });

/**
 * Versions compare numeric-aware, so v10 comes after v9 and ISO dates sort by time.
 *
 * @example
 * ["v10", "v9"].sort(compareVersions); // ["v9", "v10"]
 */
export function compareVersions(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
