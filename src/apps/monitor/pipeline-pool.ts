/**
 * The pipeline on worker threads, so that classification (tokenizing, above all Chinese
 * word segmentation, and scoring) uses every core and never holds the event loop that
 * serves requests and writes the database. Each worker loads the models from the artifact
 * directories the model source names for the batch: the server's registry still decides
 * which version is active, and a swap reaches the workers with the next batch.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ERROR_CATALOGUE, type ErrorCode, TextkitError } from "../../core/index.ts";
import { TEXT_LANGUAGES } from "../../text/index.ts";
import type { ModelChoice, MonitorConfig } from "./config.ts";
import type { MonitorDocument, MonitorDocumentInput } from "./document.ts";
import type { MonitorModelSource } from "./pipeline.ts";
import { documentsOf, type FindingColumns, inputColumns, workerColumns } from "./pipeline-wire.ts";
import type { PipelineReply, PipelineRequest } from "./pipeline-worker.ts";
import type { BatchPrecount } from "./store-counts.ts";

/** A worker's answer for a batch: what it found, and the batch's counts (see precount). */
interface Answer {
  found: FindingColumns;
  counts: BatchPrecount;
}

interface Pending {
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

/**
 * The workers "auto" starts: one per core but one, at least one. The main thread stores
 * every batch (about 30 µs of CPU a document), so it keeps a core: on 2 cores one worker
 * measured 19,964 docs/s at 75.6 CPU µs a document and two 15,785 at 104.1 (bench:monitor,
 * 50,000 documents, quiet), the second worker only competing with the main thread and
 * adding garbage-collection work.
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The young generation of a pipeline worker's heap, in MiB (Node's default for a worker: 48).
 * A batch makes many short-lived objects (tokens, vectors, findings); in a larger young
 * generation fewer of them live through a scavenge and get copied. Per-thread CPU of the
 * whole path, 50,000 documents, 1 worker, eight interleaved pairs (loaded machine): V8's
 * background (GC) threads 15.6 -> 11.8 µs a document (median; lower in all eight), all
 * threads 80.9 -> 71.4 (lower in seven). It costs up to 80 MiB more memory a worker.
 */
const WORKER_YOUNG_GENERATION_MB = 128;

function names(choice: ModelChoice | null): string[] {
  if (choice === null) return [];
  return typeof choice === "string"
    ? [choice]
    : TEXT_LANGUAGES.flatMap((l) => (choice[l] === undefined ? [] : [choice[l]!]));
}

/**
 * Where a worker starts: this file's compiled twin, or from a source checkout a small
 * module that registers tsx (as bin/textkit.js does) and then imports the TypeScript one;
 * tsx's --import hook does not reach a worker's first module.
 */
function workerScript(): URL {
  if (!import.meta.url.endsWith(".ts")) return new URL("./pipeline-worker.js", import.meta.url);
  const worker = new URL("./pipeline-worker.ts", import.meta.url).href;
  const code =
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; ` +
    `register(); await import(${JSON.stringify(worker)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * @example
 * const pool = new PipelinePool(config, models, 2);
 * const docs = await pool.enrich(inputs, Date.now());
 * await pool.close();
 */
export class PipelinePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly config: MonitorConfig,
    private readonly models: MonitorModelSource,
    readonly size: number,
  ) {}

  /** Whether every configured model has an artifact directory the workers can load. */
  static usable(config: MonitorConfig, models: MonitorModelSource): boolean {
    if (models.artifactDir === undefined) return false;
    const all = [
      ...names(config.models.topic),
      ...names(config.models.sentiment),
      ...names(config.models.entities),
    ];
    return all.length > 0;
  }

  /** Runs the pipeline on a worker (the least busy one). */
  async enrich(inputs: readonly MonitorDocumentInput[], ingestedAt: number): Promise<MonitorDocument[]> {
    return (await this.enrichCounted(inputs, ingestedAt)).docs;
  }

  /**
   * Runs the pipeline on a worker (the least busy one), which also makes the batch's counts
   * (`precount(docs)`), for MonitorStore.insertDocuments.
   */
  enrichCounted(
    inputs: readonly MonitorDocumentInput[],
    ingestedAt: number,
  ): Promise<{ docs: MonitorDocument[]; counts: BatchPrecount }> {
    if (this.closed) return Promise.reject(new TextkitError("MONITOR_BUSY", "the monitor is shutting down"));
    const dirs: PipelineRequest["dirs"] = {};
    for (const name of [...names(this.config.models.topic), ...names(this.config.models.sentiment)]) {
      dirs[name] = { dir: this.models.artifactDir!(name, "classifier"), kind: "classifier" };
    }
    for (const name of names(this.config.models.entities)) {
      dirs[name] = { dir: this.models.artifactDir!(name, "tagger"), kind: "tagger" };
    }
    const columns = inputColumns(inputs);
    const slot = this.slot();
    const id = this.nextId++;
    // A worker with work keeps the process alive; an idle one does not.
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise<Answer>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: PipelineRequest = { id, inputs: workerColumns(columns), ingestedAt, dirs };
      slot.worker.postMessage(request);
    })
      .then(({ found, counts }) => ({ docs: documentsOf(columns, ingestedAt, found), counts }))
      .finally(() => {
        if (--slot.busy === 0) slot.worker.unref();
      });
  }

  /** Stops the workers (after the batches they hold). */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        while (slot.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
        await slot.worker.terminate();
      }),
    );
  }

  private slot(): Slot {
    if (this.slots.length < this.size) {
      const slot = this.start();
      this.slots.push(slot);
      return slot;
    }
    return this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private start(): Slot {
    const worker = new Worker(workerScript(), {
      workerData: { config: this.config },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, busy: 0, pending: new Map() };
    worker.on("message", (reply: PipelineReply) => {
      const pending = slot.pending.get(reply.id);
      if (pending === undefined) return;
      slot.pending.delete(reply.id);
      if ("found" in reply) pending.resolve(reply);
      else {
        const { code, message, details } = reply.error;
        pending.reject(
          code !== null && Object.hasOwn(ERROR_CATALOGUE, code)
            ? new TextkitError(code as ErrorCode, message, details === undefined ? {} : { details })
            : new TextkitError("INTERNAL", `the monitor's pipeline failed: ${message}`),
        );
      }
    });
    // A worker that dies fails its batches (the sources send them again) and is replaced.
    const fail = (error: unknown) => {
      for (const p of slot.pending.values())
        p.reject(new TextkitError("INTERNAL", `a pipeline worker stopped: ${String(error)}`));
      slot.pending.clear();
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.closed && slot.pending.size > 0) fail(`exit code ${code}`);
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
    });
    worker.unref();
    return slot;
  }
}
