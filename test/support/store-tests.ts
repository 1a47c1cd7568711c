/** Helpers of the application database's tests (src/store/database*.test.ts). */
import assert from "node:assert/strict";
import { isTextkitError, type TextkitError } from "../../src/core/index.ts";
import { type Database, openDatabase } from "../../src/store/index.ts";
import type { StoreTarget } from "./postgres.ts";

/** Asserts that `promise` rejects with a TextkitError of `code`, and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TextkitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTextkitError(error), `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** The one migration step of the conformance tests' table. */
export const NOTES = [
  "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, weight BIGINT NOT NULL DEFAULT 0)",
];

/** A fresh database of `target` with the notes table. */
export async function notesDatabase(target: StoreTarget): Promise<Database> {
  const db = await openDatabase(await target.freshLocation());
  await db.migrate("notes", NOTES);
  return db;
}
