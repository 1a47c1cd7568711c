import type { FastifyPluginAsync } from "fastify";
import type { ServerMetrics } from "../metrics.ts";

export interface MetricsRoutesOptions {
  metrics: ServerMetrics;
  /** Require the admin scope (default: public, as Prometheus scrapes without a key). */
  requireAuth: boolean;
  /** Under a cluster: the metrics of all workers together; falls back to this process's. */
  clusterText?: () => Promise<string>;
}

/**
 * GET /metrics in Prometheus text format.
 *
 * @example
 * await app.register(metricsRoutes, { metrics, requireAuth: false });
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  const { metrics, clusterText } = options;
  app.get(
    "/metrics",
    {
      ...(options.requireAuth ? { config: { scope: "admin" as const } } : {}),
      schema: {
        tags: ["metrics"],
        summary: "Prometheus metrics: requests, latency, in-flight, models loaded, reload failures",
        produces: ["text/plain"],
      },
    },
    async (request, reply) => {
      let text: string;
      if (clusterText === undefined) {
        text = await metrics.text();
      } else {
        try {
          text = await clusterText();
        } catch (error) {
          request.log.warn({ err: error }, "cluster metrics unavailable; answering with this worker's");
          text = await metrics.text();
        }
      }
      reply.type(metrics.contentType);
      return text;
    },
  );
};
