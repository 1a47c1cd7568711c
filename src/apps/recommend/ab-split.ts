/**
 * The A/B split: each user lands in one variant by a stable hash of their id (salted with
 * the experiment's name, so that two experiments do not split users alike), never by a
 * coin flipped per request: a user sees one model for the whole experiment, on every
 * server process, after every restart.
 */
import { createHash } from "node:crypto";
import { TextkitError } from "../../core/index.ts";

export const VARIANTS = ["control", "treatment"] as const;
export type Variant = (typeof VARIANTS)[number];

/** Which model serves which variant, and the share of users in the treatment. */
export interface SplitConfig {
  /** The model (name) the control variant is served by. */
  control: string;
  /** The model the treatment is served by; null: no experiment, everyone gets the control. */
  treatment: string | null;
  /** Share of users in the treatment, from 0 to 1. */
  share: number;
}

/** Refuses a split that cannot run: a share outside [0, 1], an empty model name, the same model twice. */
export function checkSplit(config: SplitConfig): SplitConfig {
  const { control, treatment, share } = config;
  if (typeof share !== "number" || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new TextkitError(
      "OPTION_INVALID",
      `the A/B share is the fraction of users in the treatment, a number from 0 to 1; got ${String(share)}`,
      { details: { option: "share", value: share } },
    );
  }
  if (typeof control !== "string" || control.length === 0) {
    throw new TextkitError("OPTION_INVALID", "the A/B split needs the name of the control model", {
      details: { option: "control" },
    });
  }
  if (
    treatment !== null &&
    (typeof treatment !== "string" || treatment.length === 0 || treatment === control)
  ) {
    throw new TextkitError(
      "OPTION_INVALID",
      `the treatment must be another model than the control ('${control}'), or null for no experiment`,
      { details: { option: "treatment", value: treatment } },
    );
  }
  return { control, treatment, share };
}

/**
 * The user's position in [0, 1): the same for the same experiment and user, everywhere.
 *
 * @example
 * bucketOf("shop", "u42"); // 0.7311... (always)
 */
export function bucketOf(experiment: string, user: string): number {
  // SHA-256, not a fast string hash: FNV's bits of ids that differ in one digit are far from uniform.
  const digest = createHash("sha256").update(`${experiment}\u0000${user}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The variant of a user under a split, and the model that serves it.
 *
 * @example
 * assignVariant("shop", "u42", { control: "shop-als", treatment: "shop-hybrid", share: 0.5 });
 * // { variant: "treatment", model: "shop-hybrid" }
 */
export function assignVariant(
  experiment: string,
  user: string,
  config: SplitConfig,
): { variant: Variant; model: string } {
  if (config.treatment !== null && bucketOf(experiment, user) < config.share) {
    return { variant: "treatment", model: config.treatment };
  }
  return { variant: "control", model: config.control };
}
