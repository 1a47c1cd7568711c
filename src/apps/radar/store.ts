/**
 * The radar's tables in the application database (SQLite by default, PostgreSQL for several
 * processes): the latest build (its settings, dictionary, series, graph, evidence and
 * discovery as one JSON row), one row per snapshot, and the ring overrides people made.
 * A build replaces the previous one in one transaction, so readers see the old radar or the
 * new one, never half of each. Overrides outlive builds: each build applies them again.
 */
import { randomUUID } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import { applyRings, findingsOf, type RadarBuild, type Snapshot } from "./build.ts";
import type { RingOverride } from "./rings.ts";

/** Append, never edit. */
const MIGRATIONS = [
  `CREATE TABLE radar_builds (
    name TEXT PRIMARY KEY,
    built_at BIGINT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE radar_snapshots (
    name TEXT NOT NULL,
    period BIGINT NOT NULL,
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (name, period)
  );
  CREATE TABLE radar_overrides (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    technology TEXT NOT NULL,
    ring TEXT,
    by_whom TEXT NOT NULL,
    why TEXT NOT NULL,
    applies_from BIGINT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX radar_overrides_name ON radar_overrides (name, applies_from);`,
];

/** A build without its snapshots, as its row keeps it. */
export type RadarSummary = Omit<RadarBuild, "snapshots"> & {
  snapshotPeriods: { period: number; label: string }[];
};

interface OverrideRow {
  id: string;
  technology: string;
  ring: string | null;
  by_whom: string;
  why: string;
  applies_from: number | string;
  created_at: number | string;
}

const SNAPSHOT_ROWS_PER_INSERT = 50;

export class RadarStore {
  private constructor(
    private readonly db: Database,
    readonly name: string,
  ) {}

  /** Opens (and migrates) the radar's tables; `name` tells several radars in one database apart. */
  static async open(db: Database, name = "default"): Promise<RadarStore> {
    await db.migrate("radar", MIGRATIONS);
    return new RadarStore(db, name);
  }

  /** Replaces the stored radar by `build`. */
  async save(build: RadarBuild): Promise<void> {
    const { snapshots, ...rest } = build;
    const summary: RadarSummary = {
      ...rest,
      snapshotPeriods: snapshots.map((s) => ({ period: s.period, label: s.label })),
    };
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM radar_snapshots WHERE name = ?", [this.name]);
      await tx.run("DELETE FROM radar_builds WHERE name = ?", [this.name]);
      await tx.run("INSERT INTO radar_builds (name, built_at, body) VALUES (?, ?, ?)", [
        this.name,
        build.builtAt,
        JSON.stringify(summary),
      ]);
      for (let i = 0; i < snapshots.length; i += SNAPSHOT_ROWS_PER_INSERT) {
        const part = snapshots.slice(i, i + SNAPSHOT_ROWS_PER_INSERT);
        await tx.run(
          `INSERT INTO radar_snapshots (name, period, label, body) VALUES ${part.map(() => "(?, ?, ?, ?)").join(", ")}`,
          part.flatMap((s) => [this.name, s.period, s.label, JSON.stringify(s)]),
        );
      }
    });
  }

  /** The stored radar without its snapshots; RADAR_NOT_BUILT when there is none. */
  async summary(): Promise<RadarSummary> {
    const rows = await this.db.query<{ body: string }>("SELECT body FROM radar_builds WHERE name = ?", [
      this.name,
    ]);
    if (rows.length === 0) {
      throw new TextkitError("RADAR_NOT_BUILT", `there is no radar '${this.name}' in this database yet`);
    }
    return JSON.parse(rows[0]!.body) as RadarSummary;
  }

  /** The whole stored radar, snapshots included. */
  async load(): Promise<RadarBuild> {
    const { snapshotPeriods: _, ...summary } = await this.summary();
    const rows = await this.db.query<{ body: string }>(
      "SELECT body FROM radar_snapshots WHERE name = ? ORDER BY period",
      [this.name],
    );
    return { ...summary, snapshots: rows.map((r) => JSON.parse(r.body) as Snapshot) };
  }

  /**
   * The snapshot in force at `time` (the last whose period starts at or before it); the
   * latest when `time` is undefined. RADAR_NOT_BUILT when the radar has none that early.
   */
  async snapshotAt(time?: number): Promise<Snapshot> {
    await this.summary();
    const rows =
      time === undefined
        ? await this.db.query<{ body: string }>(
            "SELECT body FROM radar_snapshots WHERE name = ? ORDER BY period DESC LIMIT 1",
            [this.name],
          )
        : await this.db.query<{ body: string }>(
            "SELECT body FROM radar_snapshots WHERE name = ? AND period <= ? ORDER BY period DESC LIMIT 1",
            [this.name, time],
          );
    if (rows.length === 0) {
      const when = time === undefined ? "" : ` at ${new Date(time).toISOString().slice(0, 10)}`;
      throw new TextkitError(
        "RADAR_NOT_BUILT",
        `the radar has no snapshot${when}: its first needs a full window of periods`,
      );
    }
    return JSON.parse(rows[0]!.body) as Snapshot;
  }

  async overrides(): Promise<RingOverride[]> {
    const rows = await this.db.query<OverrideRow>(
      "SELECT * FROM radar_overrides WHERE name = ? ORDER BY applies_from, created_at, id",
      [this.name],
    );
    return rows.map((r) => ({
      id: r.id,
      technology: r.technology,
      ring: r.ring,
      by: r.by_whom,
      why: r.why,
      at: Number(r.applies_from),
      createdAt: Number(r.created_at),
    }));
  }

  /**
   * Records an override and applies it to the stored radar's rings at once (the scores stay;
   * the ring pass runs again over every snapshot). Its ring must be one of the radar's, and
   * its technology one of its technologies; without `at` it applies from the latest snapshot.
   */
  async addOverride(
    input: Omit<RingOverride, "id" | "createdAt" | "at"> & { at?: number },
    now: number,
  ): Promise<RingOverride> {
    const build = await this.load();
    if (!build.technologies.some((t) => t.name === input.technology)) {
      throw new TextkitError(
        "RADAR_UNKNOWN_TECHNOLOGY",
        `'${input.technology}' is not a technology of the radar`,
        {
          details: { field: "/technology" },
        },
      );
    }
    if (input.ring !== null && !build.rings.some((r) => r.name === input.ring)) {
      throw new TextkitError(
        "INPUT_INVALID",
        `'${input.ring}' is not a ring of the radar (${build.rings.map((r) => r.name).join(", ")}); null hands the blip back to its score`,
        { details: { field: "/ring" } },
      );
    }
    // Without a date, from the latest snapshot on: the radar people see (its data may end before today).
    const at = input.at ?? build.snapshots.at(-1)?.period ?? now;
    const override: RingOverride = { ...input, at, id: randomUUID(), createdAt: now };
    await this.db.run(
      `INSERT INTO radar_overrides (id, name, technology, ring, by_whom, why, applies_from, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        override.id,
        this.name,
        override.technology,
        override.ring,
        override.by,
        override.why,
        override.at,
        now,
      ],
    );
    applyRings(build.snapshots, build, build.settings, await this.overrides());
    await this.save({ ...build, findings: findingsOf(build.snapshots, build.settings) });
    return override;
  }
}
