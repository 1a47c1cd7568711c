/**
 * `pullEncoder`: fetches a hub model's files (`ENDPOINT/ORG/NAME/resolve/REVISION/FILE`,
 * the Hugging Face hub's URL layout, which its mirrors copy) into a folder that
 * `loadEncoder` reads. This is the only place textkit goes to the network for an encoder,
 * and only when asked.
 *
 * Files go to a temporary folder beside the target; the folder is checked with
 * `readEncoderFolder` and only then renamed to its name, so a failed or interrupted pull
 * leaves nothing that looks like a model.
 */
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { TextkitError } from "../../core/index.ts";
import { readEncoderFolder } from "./folder.ts";

export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

export interface PullOptions {
  /** The folder to create; it must not exist yet. */
  to: string;
  /** The hub or mirror (default https://huggingface.co). */
  endpoint?: string;
  /** Branch, tag or commit (default main). */
  revision?: string;
  /** Fetch onnx/model_quantized.onnx rather than onnx/model.onnx when both exist. */
  quantized?: boolean;
  /** A hub access token, for gated or private models. */
  token?: string;
  /** Called as bytes arrive; `total` is undefined when the server does not say. */
  onProgress?: (progress: PullProgress) => void;
}

export interface PullProgress {
  file: string;
  bytes: number;
  total: number | undefined;
}

export interface PullResult {
  dir: string;
  files: string[];
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

type Fetched = "ok" | "absent";

class Puller {
  readonly files: string[] = [];
  readonly #base: string;
  readonly #endpoint: string;
  readonly #temp: string;
  readonly #options: PullOptions;

  constructor(repo: string, temp: string, options: PullOptions) {
    this.#endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "");
    this.#base = `${this.#endpoint}/${repo}/resolve/${encodeURIComponent(options.revision ?? "main")}`;
    this.#temp = temp;
    this.#options = options;
  }

  url(file: string): string {
    return `${this.#base}/${file}`;
  }

  /** Downloads `file` if the hub has it; "absent" on 404. */
  async get(file: string): Promise<Fetched> {
    const url = this.url(file);
    let response: Response;
    try {
      response = await fetch(url, {
        redirect: "follow",
        headers: this.#options.token === undefined ? {} : { authorization: `Bearer ${this.#options.token}` },
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new TextkitError(
        "ENCODER_DOWNLOAD_FAILED",
        `cannot reach ${this.#endpoint} to fetch ${url} (${cause}); textkit needs a network only for 'encoders pull'`,
        { cause: error, details: { url } },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return "absent";
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      const why =
        response.status === 401 || response.status === 403 ? " (a gated or private model: pass a token)" : "";
      throw new TextkitError("ENCODER_DOWNLOAD_FAILED", `${url} answered HTTP ${response.status}${why}`, {
        details: { url, status: response.status },
      });
    }
    await this.#save(file, url, response, response.body as WebReadableStream<Uint8Array>);
    this.files.push(file);
    return "ok";
  }

  async #save(
    file: string,
    url: string,
    response: Response,
    body: WebReadableStream<Uint8Array>,
  ): Promise<void> {
    const path = join(this.#temp, file);
    await mkdir(dirname(path), { recursive: true });
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    const total = Number.isFinite(declared) ? declared : undefined;
    let bytes = 0;
    const source = Readable.fromWeb(body);
    source.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      this.#options.onProgress?.({ file, bytes, total });
    });
    try {
      await pipeline(source, createWriteStream(path));
    } catch (error) {
      throw new TextkitError(
        "ENCODER_DOWNLOAD_FAILED",
        `the download of ${url} broke off after ${bytes} bytes`,
        {
          cause: error,
          details: { url },
        },
      );
    }
    if (total !== undefined && bytes !== total) {
      throw new TextkitError("ENCODER_DOWNLOAD_FAILED", `${url} sent ${bytes} of its ${total} bytes`, {
        details: { url },
      });
    }
  }

  /** The first of `files` the hub has; a coded error listing every URL tried when none. */
  async first(files: readonly string[], what: string, repo: string): Promise<string> {
    for (const file of files) if ((await this.get(file)) === "ok") return file;
    const urls = files.map((f) => this.url(f));
    throw new TextkitError("ENCODER_FILE_MISSING", `${repo} has no ${what}: looked for ${urls.join(", ")}`, {
      details: { lookedFor: urls },
    });
  }
}

async function poolingFiles(puller: Puller, temp: string): Promise<void> {
  if ((await puller.get("modules.json")) !== "ok") return;
  let modules: unknown;
  try {
    modules = JSON.parse(await readFile(join(temp, "modules.json"), "utf8"));
  } catch (error) {
    throw new TextkitError("ENCODER_BAD_FILE", `${puller.url("modules.json")} is not valid JSON`, {
      cause: error,
    });
  }
  for (const module of Array.isArray(modules) ? modules : []) {
    const path =
      typeof module === "object" && module !== null ? (module as Record<string, unknown>)["path"] : undefined;
    const type =
      typeof module === "object" && module !== null ? (module as Record<string, unknown>)["type"] : undefined;
    if (typeof path === "string" && path !== "" && typeof type === "string" && type.endsWith(".Pooling")) {
      if (!/^[A-Za-z0-9_.-]+$/.test(path) || path.startsWith(".")) {
        throw new TextkitError(
          "ENCODER_BAD_FILE",
          `${puller.url("modules.json")} names an odd folder: ${path}`,
        );
      }
      await puller.get(`${path}/config.json`);
    }
  }
  await puller.get("sentence_bert_config.json");
}

/**
 * Downloads the hub model `repo` (ORG/NAME) into the new folder `options.to`: config.json,
 * the tokenizer files, the pooling files when the model has them, and one ONNX file.
 *
 * @example
 * await pullEncoder("sentence-transformers/all-MiniLM-L6-v2", { to: "models/minilm" });
 * const encoder = await loadEncoder("models/minilm");
 */
export async function pullEncoder(repo: string, options: PullOptions): Promise<PullResult> {
  if (!REPO.test(repo)) {
    throw new TextkitError("OPTION_INVALID", `'${repo}' is not a hub model name; write it as ORG/NAME`, {
      details: { option: "repo", value: repo },
    });
  }
  const target = resolve(options.to);
  if (
    await stat(target).then(
      () => true,
      () => false,
    )
  ) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${options.to} exists already; remove it or pull into another folder`,
      {
        details: { option: "to", value: options.to },
      },
    );
  }
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.partial-${process.pid}-${Date.now().toString(36)}`;
  await mkdir(temp);
  try {
    const puller = new Puller(repo, temp, options);
    if ((await puller.get("config.json")) === "absent") {
      throw new TextkitError(
        "ENCODER_FILE_MISSING",
        `${repo} has no config.json at ${puller.url("config.json")}; check the name (ORG/NAME) and the revision`,
        { details: { lookedFor: [puller.url("config.json")] } },
      );
    }
    await puller.first(["tokenizer.json", "vocab.txt"], "tokenizer", repo);
    await puller.get("tokenizer_config.json");
    await puller.get("special_tokens_map.json");
    await poolingFiles(puller, temp);
    const onnx = options.quantized
      ? ["onnx/model_quantized.onnx", "onnx/model.onnx", "model.onnx"]
      : ["onnx/model.onnx", "model.onnx", "onnx/model_quantized.onnx"];
    await puller.first(onnx, "ONNX file", repo);
    await readEncoderFolder(temp);
    await rename(temp, target);
    return { dir: target, files: puller.files };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
