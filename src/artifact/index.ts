export { addArtifactFiles, writeArtifact } from "./artifact.ts";
export {
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  bytesOf,
  float32FromBuffer,
  int32FromBuffer,
} from "./artifact-files.ts";
export { listArtifacts, looksLikeArtifact, readArtifact, readSealedManifest } from "./artifact-read.ts";
export type { Artifact, ArtifactManifest, ArtifactParts, FileEntry, ManifestInput } from "./manifest.ts";
export { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, manifestDigest } from "./manifest.ts";
export type { AnyTrainedModel, ModelFamily, TrainedModel } from "./model-contract.ts";
export { saveModel } from "./model-contract.ts";
export type { ModelLayout, ModelVersionDir } from "./model-versions.ts";
export {
  activeVersionDir,
  compareVersions,
  MODEL_NAME_PATTERN,
  PIN_FILE,
  readModelLayout,
  VERSION_PATTERN,
  versionPreference,
} from "./model-versions.ts";
