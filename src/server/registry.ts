/**
 * The models a server answers with: name -> versions on disk, one of them loaded and active.
 * The registry knows nothing of model families; a loader per family turns an artifact
 * directory into something that predicts.
 *
 * Swapping is one assignment of the active reference, made only after the new version has
 * loaded and passed its self-test. A request reads the reference once and keeps that object
 * to the end, so no request sees a half-loaded model and none fails because of a swap.
 */
import { type Dirent, type FSWatcher, watch } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join, normalize, resolve } from "node:path";
import { compareVersions, MODEL_NAME_PATTERN, PIN_FILE, versionPreference } from "../artifact/index.ts";
import { isTextkitError, TextkitError, writeFileAtomic } from "../core/index.ts";
import { type DiskVersion, isDirectory, type ManifestCache, readModelDir } from "./registry-disk.ts";
import { loadServedModel } from "./registry-load.ts";
import { type ModelEntry, statusOf, withoutRoot } from "./registry-status.ts";
import type { FamilyLoader, ModelStatus, RegistryLog, RegistryOptions, ServedModel } from "./served-model.ts";

export type {
  FamilyLoader,
  ModelPredictOptions,
  ModelStatus,
  Predictor,
  RecommendedItem,
  RecommenderItem,
  RecommenderPredictor,
  RegistryLog,
  RegistryOptions,
  ServedModel,
  VersionState,
  VersionStatus,
} from "./served-model.ts";
export { VERSION_STATES } from "./served-model.ts";
export { compareVersions, PIN_FILE };

const DEBOUNCE_MS = 100;

const silentLog: RegistryLog = { info() {}, warn() {}, error() {} };

function asTextkitError(error: unknown, context: string): TextkitError {
  if (isTextkitError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TextkitError("INTERNAL", `${context}: ${message}`, { cause: error });
}

/**
 * Name -> versions of the models in a directory, with hot swapping.
 *
 * @example
 * const registry = new ModelRegistry({ root: "models", loaders: { classifier: classifierLoader } });
 * await registry.start();
 * const model = registry.resolve("intent");
 * await model.predict(["where is my card"], { k: 3 });
 */
export class ModelRegistry {
  private readonly root: string;

  /** A message with the models directory, as given and as an absolute path, taken out. */
  private insideRoot(message: string): string {
    return withoutRoot(message, [resolve(this.root), normalize(this.root).replace(/[\\/]+$/, "")]);
  }
  private readonly loaders: Readonly<Record<string, FamilyLoader>>;
  private readonly log: RegistryLog;
  private readonly watchIntervalMs: number;
  private readonly options: RegistryOptions;
  private readonly models = new Map<string, ModelEntry>();
  private readonly manifestCache: ManifestCache = new Map();
  private readonly watchers = new Map<string, FSWatcher>();
  private tail: Promise<unknown> = Promise.resolve();
  private queuedScan: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private stopped = false;
  private initialScan: Promise<void> | null = null;
  private isReady = false;

  constructor(options: RegistryOptions) {
    this.options = options;
    this.root = options.root;
    this.loaders = options.loaders;
    this.log = options.log ?? silentLog;
    this.watchIntervalMs = options.watchIntervalMs ?? 2000;
  }

  /**
   * Checks that the directory exists, then loads the models in the background and starts
   * watching. `whenReady()` resolves once the first scan is over.
   */
  async start(): Promise<void> {
    if (!(await isDirectory(this.root))) {
      throw new TextkitError("MODELS_DIR_NOT_FOUND", `models directory ${this.root} does not exist`, {
        file: this.root,
      });
    }
    this.initialScan = this.rescan().then(() => {
      this.isReady = true;
    });
    if (this.watchIntervalMs > 0) {
      this.watchDir(null);
      this.timer = setInterval(() => this.scanQuietly(), this.watchIntervalMs);
      this.timer.unref();
    }
  }

  /** Stops watching; loaded models keep answering requests already under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.debounce !== null) clearTimeout(this.debounce);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.tail;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves when the first scan of the directory is over (whatever it loaded). */
  async whenReady(): Promise<void> {
    if (this.initialScan === null) throw new TextkitError("INTERNAL", "the model registry was not started");
    await this.initialScan;
  }

  /** How many models have an active version. */
  get loadedCount(): number {
    let n = 0;
    for (const e of this.models.values()) if (e.active !== null) n++;
    return n;
  }

  /**
   * The model a request should use: the active version, or the named one, which must be active.
   * Read once per request; the object stays valid even if a swap happens meanwhile.
   */
  resolve(name: string, version?: string): ServedModel {
    const entry = this.models.get(name);
    if (entry === undefined) {
      throw new TextkitError("MODEL_NOT_FOUND", `no model named '${name}' is loaded`, {
        details: { model: name },
      });
    }
    const active = entry.active;
    if (active === null) {
      const failure = [...entry.failures.values()][0];
      throw new TextkitError(
        "MODEL_UNAVAILABLE",
        `model '${name}' has no working version${failure === undefined ? "" : ` (${failure.error.code})`}`,
        { details: { model: name } },
      );
    }
    if (version !== undefined && version !== active.version) {
      const known = entry.disk.versions.some((v) => v.version === version);
      throw new TextkitError(
        "MODEL_VERSION_NOT_FOUND",
        known
          ? `version '${version}' of model '${name}' is not active (active: '${active.version}')`
          : `model '${name}' has no version '${version}' (active: '${active.version}')`,
        { details: { model: name, version, activeVersion: active.version } },
      );
    }
    return active;
  }

  list(): ModelStatus[] {
    return [...this.models.keys()].sort().map((name) => this.statusOf(this.models.get(name)!));
  }

  status(name: string): ModelStatus {
    const entry = this.models.get(name);
    if (entry === undefined) throw new TextkitError("MODEL_NOT_FOUND", `no model named '${name}' is loaded`);
    return this.statusOf(entry);
  }

  /** Rescans the directory (coalesced: calls during a pending scan share it). */
  rescan(): Promise<void> {
    if (this.queuedScan !== null) return this.queuedScan;
    const scan = this.exclusive(async () => {
      this.queuedScan = null;
      await this.scanOnce();
    });
    this.queuedScan = scan;
    return scan;
  }

  /**
   * Forgets what is known about the model's files and loads its preferred version again
   * from disk, even if unchanged. Throws when no version loads, or when the active version's
   * files no longer load (the copy in memory keeps serving); versions refused on the way are
   * listed as failed in the returned status.
   */
  reload(name: string): Promise<ModelStatus> {
    return this.exclusive(async () => {
      await this.scanOnce();
      const entry = this.entryOf(name);
      entry.failures.clear();
      entry.activeFingerprint = null;
      await this.reconcile(entry);
      const active = entry.active;
      if (active === null) {
        const failure = [...entry.failures.values()][0];
        throw (
          failure?.error ?? new TextkitError("MODEL_UNAVAILABLE", `model '${name}' has no version that loads`)
        );
      }
      const failure = entry.failures.get(active.version);
      if (failure !== undefined) throw failure.error;
      return this.statusOf(entry);
    });
  }

  /**
   * Makes `version` the active one of `name` for every process that serves this directory
   * (it is written to DIR/<name>/ACTIVE). "latest" removes that choice: the newest version
   * that loads is active again. A version that does not load is refused with its error.
   */
  activate(name: string, version: string): Promise<ModelStatus> {
    return this.exclusive(async () => {
      await this.scanOnce();
      const entry = this.entryOf(name);
      const pinPath = join(entry.dir, PIN_FILE);
      if (version === "latest") {
        if (entry.disk.layout === "versions") await this.writePin(pinPath, null);
        entry.disk.pinned = null;
        await this.reconcile(entry);
        return this.statusOf(entry);
      }
      const target = entry.disk.versions.find((v) => v.version === version);
      if (target === undefined) {
        throw new TextkitError("MODEL_VERSION_NOT_FOUND", `model '${name}' has no version '${version}'`, {
          details: { model: name, version },
        });
      }
      const current = entry.active;
      const fresh =
        current !== null && current.version === version && entry.activeFingerprint === target.fingerprint
          ? null
          : await this.load(entry, target);
      if (entry.disk.layout === "versions") await this.writePin(pinPath, version);
      entry.disk.pinned = version;
      if (fresh !== null) this.swap(entry, fresh, target.fingerprint);
      return this.statusOf(entry);
    });
  }

  private entryOf(name: string): ModelEntry {
    const entry = this.models.get(name);
    if (entry === undefined) throw new TextkitError("MODEL_NOT_FOUND", `no model named '${name}' is loaded`);
    return entry;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private scanQuietly(): void {
    if (this.stopped) return;
    this.rescan().catch((error: unknown) => {
      this.log.error({ err: error, dir: this.root }, "scanning the models directory failed");
    });
  }

  private scheduleScan(): void {
    if (this.stopped) return;
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.scanQuietly();
    }, DEBOUNCE_MS);
    this.debounce.unref();
  }

  /** Watches the root (name null) or one model's directory; the periodic scan covers any gap. */
  private watchDir(name: string | null): void {
    const key = name ?? "";
    if (this.stopped || this.watchers.has(key)) return;
    try {
      const watcher = watch(name === null ? this.root : join(this.root, name), { persistent: false }, () =>
        this.scheduleScan(),
      );
      watcher.on("error", () => {
        watcher.close();
        this.watchers.delete(key);
      });
      this.watchers.set(key, watcher);
    } catch {
      // Out of inotify watches, or the directory just vanished: the periodic scan still works.
    }
  }

  private async scanOnce(): Promise<void> {
    let dirents: Dirent[];
    try {
      dirents = await readdir(this.root, { withFileTypes: true });
    } catch (cause) {
      throw new TextkitError("MODELS_DIR_NOT_FOUND", `cannot read models directory ${this.root}`, {
        file: this.root,
        cause,
      });
    }
    const seen = new Set<string>();
    for (const d of dirents) {
      if (d.name.startsWith(".")) continue;
      const dir = join(this.root, d.name);
      if (!(d.isDirectory() || (d.isSymbolicLink() && (await isDirectory(dir))))) continue;
      if (!MODEL_NAME_PATTERN.test(d.name)) {
        this.log.warn({ dir }, "skipping a model directory whose name is not [A-Za-z0-9._-]");
        continue;
      }
      const disk = await readModelDir(dir, this.manifestCache);
      if (disk === null) continue;
      seen.add(d.name);
      let entry = this.models.get(d.name);
      if (entry === undefined) {
        entry = {
          name: d.name,
          dir,
          disk,
          active: null,
          activeFingerprint: null,
          failures: new Map(),
        };
        this.models.set(d.name, entry);
      } else {
        entry.disk = disk;
      }
      if (this.watchIntervalMs > 0) this.watchDir(d.name);
      await this.reconcile(entry);
    }
    for (const [name, entry] of this.models) {
      if (seen.has(name)) continue;
      this.models.delete(name);
      this.watchers.get(name)?.close();
      this.watchers.delete(name);
      this.log.info({ model: name, version: entry.active?.version }, "model removed from the directory");
    }
  }

  /** Brings the active version in line with the disk: the preferred version that loads. */
  private async reconcile(entry: ModelEntry): Promise<void> {
    const onDisk = new Map(entry.disk.versions.map((v) => [v.version, v]));
    for (const [version, failure] of entry.failures) {
      if (onDisk.get(version)?.fingerprint !== failure.fingerprint) entry.failures.delete(version);
    }
    for (const candidate of versionPreference(entry.disk.versions, entry.disk.pinned)) {
      const isActive = entry.active?.version === candidate.version;
      if (isActive && entry.activeFingerprint === candidate.fingerprint) return;
      if (entry.failures.has(candidate.version)) {
        // A changed copy of the active version that does not load: keep serving the loaded one.
        if (isActive) return;
        continue;
      }
      try {
        const model = await this.load(entry, candidate);
        this.swap(entry, model, candidate.fingerprint);
        return;
      } catch {
        if (isActive) return;
      }
    }
    if (entry.active !== null && !onDisk.has(entry.active.version)) {
      this.log.warn(
        { model: entry.name, version: entry.active.version },
        "the active version was removed and no other version loads; the model is unavailable",
      );
      entry.active = null;
      entry.activeFingerprint = null;
    }
  }

  private swap(entry: ModelEntry, model: ServedModel, fingerprint: string): void {
    const previous = entry.active;
    entry.active = model;
    entry.activeFingerprint = fingerprint;
    this.log.info(
      { model: entry.name, version: model.version, previous: previous?.version ?? null },
      previous === null ? "model loaded" : "model version swapped in",
    );
    this.options.onSwap?.(model, previous);
  }

  /** Loads and self-tests one version; records and rethrows a refusal. */
  private async load(entry: ModelEntry, v: DiskVersion): Promise<ServedModel> {
    try {
      return await loadServedModel(entry.name, v, this.loaders);
    } catch (error) {
      const err = asTextkitError(error, `loading ${v.dir} failed`);
      entry.failures.set(v.version, { fingerprint: v.fingerprint, error: err });
      this.log.error(
        { model: entry.name, version: v.version, code: err.code, err: error, dir: v.dir },
        "model version refused; the previous version keeps serving",
      );
      this.options.onLoadFailed?.(entry.name, v.version, err);
      throw err;
    }
  }

  private async writePin(path: string, version: string | null): Promise<void> {
    try {
      if (version === null) {
        await rm(path, { force: true });
        return;
      }
      await writeFileAtomic(path, `${version}\n`);
    } catch (cause) {
      throw new TextkitError("MODELS_DIR_READ_ONLY", `cannot record the active version in ${path}`, {
        file: path,
        cause,
      });
    }
  }

  private statusOf(entry: ModelEntry): ModelStatus {
    return statusOf(entry, (message) => this.insideRoot(message));
  }
}
