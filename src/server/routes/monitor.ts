import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { monitorAlertRoutes } from "./monitor-alerts.ts";
import { monitorDocumentRoutes } from "./monitor-documents.ts";
import { monitorInsightRoutes } from "./monitor-insights.ts";
import type { MonitorRoutesOptions } from "./monitor-shared.ts";

export type { MonitorRoutesOptions } from "./monitor-shared.ts";

/**
 * The monitor's routes (mounted under /v1): ingest, trends, terms, entities, documents,
 * alerts and their acknowledgement, rules, status. They need the `monitor` scope.
 *
 * @example
 * await app.register(monitorRoutes, { prefix: "/v1", monitor, maxDocuments: 1000 });
 */
export const monitorRoutes: FastifyPluginAsyncTypebox<MonitorRoutesOptions> = async (app, options) => {
  // one plugin per resource; each is encapsulated, so the NDJSON parser stays with the documents
  await app.register(monitorDocumentRoutes, options);
  await app.register(monitorInsightRoutes, options);
  await app.register(monitorAlertRoutes, options);
};
