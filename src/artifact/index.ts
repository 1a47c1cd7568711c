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
export { compareVersions, PIN_FILE } from "./model-versions.ts";
