import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@fastify/type-provider-typebox";
import { TextkitError } from "../../core/index.ts";
import { compareRuns, MAX_RUN_PAGE, parseRunCondition, type RunQuery, RunStore } from "../../store/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import { BEARER_SECURITY, ERROR_RESPONSES } from "../schemas.ts";

export interface RunRoutesOptions {
  database: DatabaseHandle;
}

const FreeObject = Type.Object({}, { additionalProperties: true });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const StatusSchema = Type.Union([
  Type.Literal("running"),
  Type.Literal("finished"),
  Type.Literal("failed"),
  Type.Literal("killed"),
]);

export const RunSchema = Type.Object(
  {
    id: Type.String(),
    parentId: Nullable(Type.String()),
    family: Type.String(),
    task: Nullable(Type.String()),
    name: Nullable(Type.String()),
    command: Type.String(),
    status: StatusSchema,
    startedAt: Type.String({ description: "ISO 8601" }),
    finishedAt: Nullable(Type.String()),
    seconds: Nullable(Type.Number()),
    host: Type.String(),
    textkitVersion: Type.String(),
    gitCommit: Nullable(Type.String()),
    params: FreeObject,
    data: Type.Array(FreeObject),
    tags: Type.Array(Type.String()),
    artifact: Nullable(Type.String()),
    error: Nullable(Type.String()),
    final: FreeObject,
    summary: Type.Record(
      Type.String(),
      Type.Object({
        last: Type.Number(),
        best: Type.Number(),
        bestStep: Type.Number(),
        higherIsBetter: Type.Boolean(),
      }),
    ),
  },
  { additionalProperties: true },
);

export const RunListResponse = Type.Object({ runs: Type.Array(RunSchema), total: Type.Integer() });
const MetricPointSchema = Type.Object({ name: Type.String(), step: Type.Number(), value: Type.Number() });
export const RunDetailResponse = Type.Object({ run: RunSchema, metrics: Type.Array(MetricPointSchema) });
const RunParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const ListQuery = Type.Object({
  family: Type.Optional(Type.String({ description: "Comma-separated families." })),
  status: Type.Optional(StatusSchema),
  data: Type.Optional(Type.String({ maxLength: 500, description: "Part of a data file's path." })),
  tag: Type.Optional(Type.String({ description: "Comma-separated tags; a run must carry all." })),
  where: Type.Optional(
    Type.String({
      maxLength: 2000,
      description: "Conditions separated by ';', e.g. params.lr>=0.5;metrics.dev.accuracy@last>0.9",
    }),
  ),
  search: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(
    Type.String({
      maxLength: 200,
      description: "started, seconds, family, status, name, params.<name>, metrics.<name>",
    }),
  ),
  by: Type.Optional(Type.Union([Type.Literal("best"), Type.Literal("last")])),
  order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")])),
  topLevel: Type.Optional(
    Type.Union([Type.Literal("true"), Type.Literal("false")], {
      description: "true: leave out child runs (autotune trials).",
    }),
  ),
  parent: Type.Optional(Type.String({ description: "Only the children of this run." })),
  limit: Type.Optional(
    Type.String({ pattern: "^[0-9]{1,4}$", description: `runs per page, 1 to ${MAX_RUN_PAGE} (default 50)` }),
  ),
  offset: Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", description: "runs to skip (default 0)" })),
});

const CompareQuery = Type.Object({
  ids: Type.String({
    description: "Comma-separated run ids (two or more); changes are against the first.",
  }),
  all: Type.Optional(
    Type.Union([Type.Literal("true"), Type.Literal("false")], {
      description: "true: every parameter, not only those that differ.",
    }),
  ),
});

/** Query strings are text and this server never coerces them: the page size is checked here. */
function pageLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!(n >= 1 && n <= MAX_RUN_PAGE)) {
    throw new TextkitError("INPUT_INVALID", `limit must be a whole number from 1 to ${MAX_RUN_PAGE}`, {
      details: { field: "/limit" },
    });
  }
  return n;
}

function split(value: string | undefined, separator: string): string[] {
  return (value ?? "")
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The store query of a GET /runs query string. */
function runQueryOf(q: Static<typeof ListQuery>): RunQuery {
  const families = split(q.family, ",");
  return {
    ...(families.length === 0 ? {} : { family: families }),
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.data === undefined ? {} : { data: q.data }),
    ...(q.tag === undefined ? {} : { tags: split(q.tag, ",") }),
    where: split(q.where, ";").map(parseRunCondition),
    ...(q.search === undefined ? {} : { search: q.search }),
    ...(q.sort === undefined
      ? {}
      : {
          sort: { field: q.sort, by: q.by ?? "best", ...(q.order === undefined ? {} : { order: q.order }) },
        }),
    ...(q.parent !== undefined ? { parentId: q.parent } : q.topLevel === "true" ? { parentId: null } : {}),
    limit: pageLimit(q.limit),
    offset: Number(q.offset ?? 0),
  };
}

/** Opens the run store on first use; a failed opening is tried again on the next request. */
function runStoreOpener(database: DatabaseHandle): () => Promise<RunStore> {
  let opening: Promise<RunStore> | null = null;
  return () => {
    opening ??= database.get().then((db) => RunStore.open(db));
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
}

/**
 * The runs recorded by training commands and the library (mounted under /v1; reading needs
 * scope predict, deleting admin): a page of runs filtered and sorted on the server, one run
 * with its curves, and the comparison of several.
 *
 * @example
 * await app.register(runRoutes, { prefix: "/v1", database });
 */
export const runRoutes: FastifyPluginAsyncTypebox<RunRoutesOptions> = async (app, { database }) => {
  const store = runStoreOpener(database);
  const tags = ["runs"];

  app.get(
    "/runs",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Training runs, a page at a time, filtered and sorted (by a metric's best or last value)",
        querystring: ListQuery,
        security: BEARER_SECURITY,
        response: { 200: RunListResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      return (await store()).list(runQueryOf(request.query));
    },
  );

  app.get(
    "/runs/compare",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Compare runs of one family: parameter diff, metric changes, F1 per class",
        querystring: CompareQuery,
        security: BEARER_SECURITY,
        response: { 200: FreeObject, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const runs = await store();
      const found = [];
      for (const id of split(request.query.ids, ",")) found.push(await runs.get(id));
      return compareRuns(found, request.query.all === "true");
    },
  );

  app.get(
    "/runs/:id",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "One run with every metric value per step (its curves)",
        params: RunParams,
        security: BEARER_SECURITY,
        response: { 200: RunDetailResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const runs = await store();
      const run = await runs.get(request.params.id);
      return { run, metrics: await runs.metrics(run.id) };
    },
  );

  app.delete(
    "/runs/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "Delete a run and its child runs",
        params: RunParams,
        security: BEARER_SECURITY,
        response: { 200: Type.Object({ deleted: Type.Array(Type.String()) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ deleted: await (await store()).delete([request.params.id]) }),
  );
};
