/** What every page of the dashboard offers the shell, and what the shell offers a page. */
import type { ApiClient } from "./api.ts";

export interface PageContext {
  api: ApiClient;
  /** Shows an error in the banner (and asks for a key on a 401). */
  report(error: unknown): void;
  /** Hides the banner after a refresh that went well. */
  clearError(): void;
}

export interface Page {
  /** Builds the page's elements into `root` (empty), once. */
  mount(root: HTMLElement): void;
  /** Fetches and redraws; called on mount, every 10 s while visible, and after a new key. */
  refresh(): Promise<void>;
  /** Releases what the page holds (charts). */
  unmount(): void;
}
