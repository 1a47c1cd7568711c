export type { Artifact, ArtifactManifest, ArtifactParts, FileEntry, ManifestInput } from "./artifact.ts";
export {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  addArtifactFiles,
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  bytesOf,
  float32FromBuffer,
  int32FromBuffer,
  listArtifacts,
  looksLikeArtifact,
  manifestDigest,
  readArtifact,
  readSealedManifest,
  writeArtifact,
} from "./artifact.ts";
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
