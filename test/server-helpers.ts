/**
 * Shared by the server's end-to-end tests and the cluster launcher: a small real classifier
 * trained on synthetic topics, and two test-only model families (one that fails, one that
 * is slow) to show what the server does with a model that misbehaves or takes its time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeArtifact } from "../src/artifact/index.ts";
import { datasetFromExamples } from "../src/data/index.ts";
import { type TextClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import type { FamilyLoader } from "../src/server/index.ts";
import { topicTexts } from "./support/topic-corpus.ts";

/** A small classifier, trained in milliseconds; different seeds give different weights. */
export async function trainTopicModel(seed = 1): Promise<TextClassifier> {
  const examples = topicTexts(240, seed).map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 }));
  return trainClassifier(
    { train: datasetFromExamples("topics", examples) },
    { dim: 16, epochs: 8, lr: 0.5, wordNgrams: 2, buckets: 10_000, seed },
  );
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `textkit-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Test family "test-failing": loads fine, then throws an unexpected error on every predict. */
export const failingFamily: FamilyLoader = async () => ({
  predict(inputs) {
    throw new RangeError(`cannot handle '${inputs[0]}' at offset 7`);
  },
});

/** Test family "test-slow": answers after `options.delayMs` milliseconds. */
export const slowFamily: FamilyLoader = async (_dir, manifest) => {
  const delayMs = Number(manifest.options["delayMs"] ?? 1000);
  return {
    async predict(inputs) {
      await sleep(delayMs);
      return inputs.map((text) => ({ echo: text.length }));
    },
  };
};

/** Test family "test-slow-load": takes `options.loadMs` milliseconds to load, then answers at once. */
export const slowLoadFamily: FamilyLoader = async (_dir, manifest) => {
  await sleep(Number(manifest.options["loadMs"] ?? 1000));
  return { predict: (inputs) => inputs.map((text) => ({ echo: text.length })) };
};

export const TEST_FAMILIES: Record<string, FamilyLoader> = {
  "test-failing": failingFamily,
  "test-slow": slowFamily,
  "test-slow-load": slowLoadFamily,
};

/** Writes an artifact of a test family (no weight files). */
export async function writeTestArtifact(
  dir: string,
  family: string,
  options: Record<string, unknown> = {},
): Promise<void> {
  await writeArtifact(dir, { family, task: "test", options, textkitVersion: "0.1.0" }, {});
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** fetch, reading the body as JSON when it is JSON. */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The `error` object of an error response, typed loosely for assertions. */
export function errorOf(res: JsonResponse): {
  code?: string;
  message?: string;
  hint?: string;
  field?: string;
} {
  const body = res.body as {
    error?: { code?: string; message?: string; hint?: string; field?: string };
  } | null;
  return body?.error ?? {};
}

/** The fields of a successful request's access line, in order (a failed one ends with `code` before `msg`). */
export const ACCESS_LINE_FIELDS: readonly string[] = [
  "level",
  "time",
  "pid",
  "hostname",
  "reqId",
  "method",
  "route",
  "url",
  "status",
  "ms",
  "keyId",
  "msg",
];
